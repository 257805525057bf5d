package io.strata.tools;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * campaign-service's benchmark, in phases the launcher runs around the service it starts (its own
 * ports and database):
 *
 * <ol>
 *   <li>{@code prepare}: the journeys, templates, send policies and recipients of three tenants;
 *   <li>{@code raw}: PostgreSQL's own rate for the least a send writes (one ledger-like row, in batches);
 *   <li>{@code load --label steady|fault}: the instances of a run, due at once (a wait just over);
 *   <li>{@code await --label …}: until the sandbox provider holds a message for every instance; the
 *       sustained rate from its first delivery to its last; per profile, messages delivered more than
 *       once (duplicates) and none (lost). The fault run's journey sends two promotions to a person
 *       whose cap allows one: more than one delivered is a cap exceeded. Meanwhile the launcher
 *       kills the service with {@code kill -9} and starts it again, repeatedly;
 *   <li>{@code timers}: a million waits pending days ahead, then a stream of waits falling due over a
 *       minute; each one's lateness, from its due time to the step that moved it;
 *   <li>{@code figures}: the row in the report and the figures line.
 * </ol>
 */
@Command(
        name = "bench-campaign",
        mixinStandardHelpOptions = true,
        description =
                "campaign-service: sends/s through the sandbox provider, exactly once under kill -9, timer lateness.")
public final class CampaignBench implements Callable<Integer> {

    private static final int BATCH = 5_000;
    private static final String SMS_CONSENT = "[{\"channel\": \"sms\", \"purpose\": \"marketing\", \"sender\": \"\","
            + " \"granted\": true, \"at\": \"2026-01-01T00:00:00Z\"}]";

    @Parameters(index = "0", description = "prepare | raw | load | await | timers | figures")
    String phase;

    @Option(names = "--jdbc", required = true, description = "the service's database")
    String jdbc;

    @Option(names = "--db-user", defaultValue = "strata_campaign")
    String dbUser;

    @Option(names = "--state", required = true, description = "a file the phases keep their results in")
    Path state;

    @Option(names = "--label", defaultValue = "steady", description = "steady | fault")
    String label;

    @Option(names = "--sends", defaultValue = "100000", description = "messages per run (default ${DEFAULT-VALUE})")
    int sends;

    @Option(names = "--pending", defaultValue = "1000000", description = "waits pending (default ${DEFAULT-VALUE})")
    int pending;

    @Option(names = "--timers", defaultValue = "30000", description = "waits measured (default ${DEFAULT-VALUE})")
    int timers;

    @Option(names = "--timer-rate", defaultValue = "500", description = "waits falling due per second")
    int timerRate;

    @Option(names = "--timeout", defaultValue = "PT10M", description = "how long a run may take")
    Duration timeout;

    @Option(names = "--report", description = "append the results, as a Markdown table row, to this file")
    Path report;

    @Option(names = "--figures", description = "write the figures line to this file too (the launcher prints it last)")
    Path figures;

    @Override
    public Integer call() throws Exception {
        String password = System.getenv().getOrDefault("STRATA_BENCH_DB_PASSWORD", "strata");
        try (Connection db = DriverManager.getConnection(jdbc, dbUser, password)) {
            switch (phase) {
                case "prepare" -> prepare(db);
                case "raw" -> raw(db);
                case "load" -> load(db);
                case "await" -> await(db);
                case "timers" -> timers(db);
                case "figures" -> figures();
                default -> throw new IllegalArgumentException("phase: prepare, raw, load, await, timers or figures");
            }
        }
        return 0;
    }

    private static String tenant(String label) {
        return "bench-" + label;
    }

    /** Journeys as published versions, one per tenant; templates, a sender, policies; recipients. */
    private void prepare(Connection db) throws SQLException {
        String steady = """
                {"key": "send", "nodes": [
                  {"id": "start", "type": "trigger", "on": {"broadcast": "all"}, "next": "w"},
                  {"id": "w", "type": "wait", "for": "PT1S", "next": "hello"},
                  {"id": "hello", "type": "send", "channel": "sms", "template": "hello", "sender": "【Bench】", "next": "done"},
                  {"id": "done", "type": "exit"}]}""";
        String fault = """
                {"key": "send", "nodes": [
                  {"id": "start", "type": "trigger", "on": {"broadcast": "all"}, "next": "w"},
                  {"id": "w", "type": "wait", "for": "PT1S", "next": "first"},
                  {"id": "first", "type": "send", "channel": "sms", "template": "hello", "sender": "【Bench】",
                   "tags": ["promo"], "next": "second"},
                  {"id": "second", "type": "send", "channel": "sms", "template": "hello", "sender": "【Bench】",
                   "tags": ["promo"], "next": "done"},
                  {"id": "done", "type": "exit"}]}""";
        String waits = """
                {"key": "send", "nodes": [
                  {"id": "start", "type": "trigger", "on": {"broadcast": "all"}, "next": "w"},
                  {"id": "w", "type": "wait", "for": "PT1S", "next": "done"},
                  {"id": "done", "type": "exit"}]}""";
        db.setAutoCommit(false);
        journey(db, tenant("steady"), steady, "{\"quietHours\": {}}");
        journey(
                db,
                tenant("fault"),
                fault,
                "{\"quietHours\": {}, \"caps\": [{\"name\": \"promo-daily\", \"scope\":"
                        + " \"tag\", \"value\": \"promo\", \"limit\": 1, \"rolling\": \"P1D\"}]}");
        journey(db, tenant("timers"), waits, "{\"quietHours\": {}}");
        db.commit();
        recipients(db, tenant("steady"), "s-", sends);
        recipients(db, tenant("fault"), "f-", sends);
        recipients(db, tenant("timers"), "t-", timers);
        analyze(db);
        System.out.printf(
                Locale.ROOT,
                "bench-campaign: prepared three tenants, %,d + %,d + %,d recipients%n",
                sends,
                sends,
                timers);
    }

    private static void journey(Connection db, String tenant, String definition, String policy) throws SQLException {
        try (PreparedStatement j = db.prepareStatement(
                        "insert into journeys (tenant, key, name, status, draft, live_version, updated_by) values (?, 'send',"
                                + " 'bench', 'published', ?::json, 1, 'bench')");
                PreparedStatement v = db.prepareStatement(
                        "insert into journey_versions (tenant, key, version, definition, published_by) values (?, 'send',"
                                + " 1, ?::json, 'bench')");
                PreparedStatement t = db.prepareStatement(
                        "insert into templates (tenant, channel, template, body, approved, opt_out) values (?, 'sms',"
                                + " 'hello', 'Hello 回T退订', true, true)");
                PreparedStatement p =
                        db.prepareStatement("insert into send_policies (tenant, policy) values (?, ?::jsonb)")) {
            j.setString(1, tenant);
            j.setString(2, definition);
            j.executeUpdate();
            v.setString(1, tenant);
            v.setString(2, definition);
            v.executeUpdate();
            t.setString(1, tenant);
            t.executeUpdate();
            p.setString(1, tenant);
            p.setString(2, policy);
            p.executeUpdate();
        }
    }

    private static void recipients(Connection db, String tenant, String prefix, int n) throws SQLException {
        try (PreparedStatement r = db.prepareStatement(
                "insert into recipients (tenant, profile_id, zone, consents, addresses) values (?, ?, 'Asia/Shanghai',"
                        + " ?::jsonb, ?::jsonb)")) {
            for (int i = 0; i < n; i++) {
                r.setString(1, tenant);
                r.setString(2, prefix + i);
                r.setString(3, SMS_CONSENT);
                r.setString(4, "{\"sms\": \"+86139" + String.format(Locale.ROOT, "%08d", i) + "\"}");
                r.addBatch();
                if ((i + 1) % BATCH == 0 || i == n - 1) {
                    r.executeBatch();
                    db.commit();
                }
            }
        }
    }

    /**
     * The least a send writes, in PostgreSQL alone: one row with its key, in batches of 200 (the
     * dispatcher's), each batch its own transaction.
     */
    private void raw(Connection db) throws Exception {
        try (Statement s = db.createStatement()) {
            s.execute("create temporary table raw_sends (send_key text primary key, tenant text, profile_id text,"
                    + " channel text, template text, created_at timestamptz)");
        }
        db.setAutoCommit(false);
        long start = System.nanoTime();
        try (PreparedStatement p =
                db.prepareStatement("insert into raw_sends values (?, 'raw', ?, 'sms', 'hello', now())")) {
            for (int i = 0; i < sends; i++) {
                p.setString(1, UUID.randomUUID().toString());
                p.setString(2, "r-" + i);
                p.addBatch();
                if ((i + 1) % 200 == 0 || i == sends - 1) {
                    p.executeBatch();
                    db.commit();
                }
            }
        }
        double perSecond = sends / ((System.nanoTime() - start) / 1e9);
        put("raw_per_s", String.format(Locale.ROOT, "%.0f", perSecond));
        System.out.printf(Locale.ROOT, "bench-campaign: PostgreSQL alone writes %,.0f send rows/s%n", perSecond);
    }

    /** The run's instances, waiting at {@code w} and due now. */
    private void load(Connection db) throws Exception {
        String tenant = tenant(label);
        String prefix = label.equals("steady") ? "s-" : "f-";
        db.setAutoCommit(false);
        Instant now = Instant.now();
        insertWaits(db, tenant, prefix, sends, i -> now, "w");
        analyze(db);
        put(label + "_loaded_at", now.toString());
        System.out.printf(Locale.ROOT, "bench-campaign: %s: %,d instances due at %s%n", label, sends, now);
    }

    private interface DueTime {
        Instant at(int i);
    }

    /** Instances at a wait node, due as {@code due} says; {@code entered_at} is that due time too. */
    private static void insertWaits(Connection db, String tenant, String prefix, int n, DueTime due, String node)
            throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "insert into instances (id, tenant, journey_key, version, profile_id, iteration, entry_key, status, node,"
                        + " entered_at, arrived_at, assigned_at, wake_at) values (?, ?, 'send', 1, ?, 1, 'bench', 'ACTIVE',"
                        + " ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < n; i++) {
                Timestamp at = Timestamp.from(due.at(i));
                p.setObject(1, UUID.randomUUID());
                p.setString(2, tenant);
                p.setString(3, prefix + i);
                p.setString(4, node);
                p.setTimestamp(5, at);
                p.setTimestamp(6, at);
                p.setTimestamp(7, at);
                p.setTimestamp(8, at);
                p.addBatch();
                if ((i + 1) % BATCH == 0 || i == n - 1) {
                    p.executeBatch();
                    db.commit();
                }
            }
        }
    }

    /** Until every instance of the run has its message; the rate, duplicates and losses. */
    private void await(Connection db) throws Exception {
        String tenant = tenant(label);
        db.setAutoCommit(true);
        Instant deadline = Instant.now().plus(timeout);
        long delivered = 0;
        Instant report = Instant.now();
        while (true) {
            delivered = single(
                    db,
                    "select count(distinct l.profile_id) from sandbox_deliveries d join send_ledger l using"
                            + " (send_key) where d.tenant = '" + tenant + "'");
            long active =
                    single(db, "select count(*) from instances where tenant = '" + tenant + "' and status = 'ACTIVE'");
            long queued = single(
                    db, "select count(*) from send_ledger where tenant = '" + tenant + "' and status = 'queued'");
            if (delivered >= sends && active == 0 && queued == 0) {
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                System.out.printf(
                        Locale.ROOT,
                        "bench-campaign: %s: timed out with %,d of %,d delivered, %,d instances"
                                + " active, %,d queued%n",
                        label,
                        delivered,
                        sends,
                        active,
                        queued);
                break;
            }
            if (Duration.between(report, Instant.now()).toSeconds() >= 10) {
                report = Instant.now();
                System.out.printf(Locale.ROOT, "bench-campaign: %s: %,d of %,d delivered%n", label, delivered, sends);
            }
            Thread.sleep(200);
        }
        long duplicates = single(
                db,
                "select count(*) from (select l.profile_id from sandbox_deliveries d join send_ledger l"
                        + " using (send_key) where d.tenant = '" + tenant + "' group by 1 having count(*) > 1) x");
        long handedAgain =
                single(db, "select count(*) from sandbox_deliveries where tenant = '" + tenant + "' and calls > 1");
        long unfired =
                single(db, "select count(*) from instances where tenant = '" + tenant + "' and status = 'ACTIVE'");
        long lost = sends - delivered;
        long capped = single(
                db,
                "select count(*) from send_ledger where tenant = '" + tenant + "' and status = 'suppressed'"
                        + " and reason = 'frequency_cap'");
        double seconds = single(
                        db,
                        "select (extract(epoch from max(delivered_at) - min(delivered_at)) * 1000)::bigint"
                                + " from sandbox_deliveries where tenant = '" + tenant + "'")
                / 1000.0;
        double rate = seconds > 0 ? delivered / seconds : 0;
        put(label + "_sends_per_s", String.format(Locale.ROOT, "%.0f", rate));
        put(label + "_duplicates", Long.toString(duplicates));
        put(label + "_lost", Long.toString(lost));
        put(label + "_unfired", Long.toString(unfired));
        put(label + "_handed_again", Long.toString(handedAgain));
        put(label + "_capped", Long.toString(capped));
        System.out.printf(
                Locale.ROOT,
                "bench-campaign: %s: %,d delivered in %.1f s (%,.0f/s); %d duplicates, %d lost, %d"
                        + " timers not fired, %d handed to the provider again, %,d held by the cap%n",
                label,
                delivered,
                seconds,
                rate,
                duplicates,
                lost,
                unfired,
                handedAgain,
                capped);
    }

    /** A million waits pending days ahead; a stream falling due over a minute; each one's lateness. */
    private void timers(Connection db) throws Exception {
        db.setAutoCommit(false);
        String tenant = tenant("timers");
        Instant far = Instant.now().plus(Duration.ofDays(7));
        long start = System.nanoTime();
        insertWaits(db, tenant + "-far", "p-", pending, i -> far.plusMillis(i), "w");
        System.out.printf(
                Locale.ROOT,
                "bench-campaign: %,d waits pending a week ahead (%.0f s to write)%n",
                pending,
                (System.nanoTime() - start) / 1e9);
        Instant first = Instant.now().plusSeconds(10);
        double step = 1000.0 / timerRate;
        insertWaits(db, tenant, "t-", timers, i -> first.plusMillis(Math.round(i * step)), "w");
        Instant last = first.plusMillis(Math.round(timers * step));
        System.out.printf(
                Locale.ROOT,
                "bench-campaign: %,d waits falling due from %s to %s (%d/s)%n",
                timers,
                first,
                last,
                timerRate);
        db.setAutoCommit(true);
        Instant deadline = last.plus(timeout);
        while (single(db, "select count(*) from instances where tenant = '" + tenant + "' and status = 'ACTIVE'") > 0) {
            if (Instant.now().isAfter(deadline)) {
                System.out.println("bench-campaign: timers: timed out");
                break;
            }
            Thread.sleep(500);
        }
        String lateness =
                "select percentile_cont(%s) within group (order by extract(epoch from h.at - i.entered_at) * 1000)"
                        + " from journey_history h join instances i on i.id = h.instance_id where h.tenant = '" + tenant
                        + "'"
                        + " and h.from_node = 'w' and h.kind = 'moved'";
        double p50 = decimal(db, String.format(Locale.ROOT, lateness, "0.5"));
        double p99 = decimal(db, String.format(Locale.ROOT, lateness, "0.99"));
        long fired = single(
                db,
                "select count(*) from journey_history where tenant = '" + tenant + "' and from_node = 'w'"
                        + " and kind = 'moved'");
        put("timer_late_p50_ms", String.format(Locale.ROOT, "%.0f", p50));
        put("timer_late_p99_ms", String.format(Locale.ROOT, "%.0f", p99));
        put("timers_fired", Long.toString(fired));
        put("timers_pending", Integer.toString(pending));
        System.out.printf(
                Locale.ROOT,
                "bench-campaign: timers: %,d of %,d fired; lateness p50 %.0f ms, p99 %.0f ms, with" + " %,d pending%n",
                fired,
                timers,
                p50,
                p99,
                pending);
    }

    private void figures() throws IOException {
        Properties p = load();
        double sendsPerS = Double.parseDouble(p.getProperty("steady_sends_per_s", "0"));
        double raw = Double.parseDouble(p.getProperty("raw_per_s", "0"));
        long duplicates = Long.parseLong(p.getProperty("steady_duplicates", "0"))
                + Long.parseLong(p.getProperty("fault_duplicates", "0"));
        long lost = Long.parseLong(p.getProperty("steady_lost", "0"))
                + Long.parseLong(p.getProperty("fault_lost", "0"))
                + Long.parseLong(p.getProperty("steady_unfired", "0"))
                + Long.parseLong(p.getProperty("fault_unfired", "0"));
        String line = String.format(
                Locale.ROOT,
                "sends_per_s=%.0f duplicates=%d lost=%d timer_late_p99_ms=%s",
                sendsPerS,
                duplicates,
                lost,
                p.getProperty("timer_late_p99_ms", "-1"));
        if (report != null) {
            String row = String.format(
                    Locale.ROOT,
                    "| %s | %,d | %,.0f | %,.0f | %.2f | %s | %s | %s | %s | %s | %s | %,d | %s | %s |%n",
                    Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    sends,
                    sendsPerS,
                    raw,
                    raw > 0 ? sendsPerS / raw : 0,
                    p.getProperty("fault_sends_per_s", "-"),
                    p.getProperty("fault_kills", "-"),
                    duplicates,
                    lost,
                    p.getProperty("fault_handed_again", "-"),
                    p.getProperty("fault_capped", "-"),
                    pending,
                    p.getProperty("timer_late_p50_ms", "-"),
                    p.getProperty("timer_late_p99_ms", "-"));
            Files.writeString(report, row, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        if (figures != null) {
            Files.writeString(figures, line + System.lineSeparator());
        }
        System.out.println(line);
    }

    /**
     * The planner's statistics of the tables just filled, as autovacuum keeps them in a database
     * that lives: without them the first run measures plans made for empty tables.
     */
    private static void analyze(Connection db) throws SQLException {
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(true);
        try (Statement s = db.createStatement()) {
            s.execute("analyze recipients, instances, send_ledger, journey_history, sandbox_deliveries");
        }
        db.setAutoCommit(auto);
    }

    private static long single(Connection db, String sql) throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static double decimal(Connection db, String sql) throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getDouble(1);
        }
    }

    private Properties load() throws IOException {
        Properties p = new Properties();
        if (Files.exists(state)) {
            try (Reader in = Files.newBufferedReader(state)) {
                p.load(in);
            }
        }
        return p;
    }

    private void put(String key, String value) throws IOException {
        Properties p = load();
        p.setProperty(key, value);
        try (Writer out = Files.newBufferedWriter(state)) {
            p.store(out, "bench-campaign");
        }
    }
}
