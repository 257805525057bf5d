-- Custom crowd clusterings saved with a re-run period (docs/crowds.md): the request as given (its
-- defaults filled in, as JSON), how often it runs again, and how its last run went. A replica
-- claims a due one by moving last_run_at forward, so one run happens however many replicas look.
create table crowd_schedules (
    tenant      text        not null,
    save_as     text        not null,
    request     text        not null,
    every_days  int         not null check (every_days between 1 and 365),
    last_run_at timestamptz not null,
    last_chosen int,
    last_error  text,
    created_by  text        not null,
    primary key (tenant, save_as)
);
