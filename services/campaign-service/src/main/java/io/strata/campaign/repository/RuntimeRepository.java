package io.strata.campaign.repository;

import static io.strata.campaign.repository.Db.instant;
import static io.strata.campaign.repository.Db.ts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.campaign.delivery.ConsentEntry;
import io.strata.campaign.delivery.PastSend;
import io.strata.campaign.domain.ProfileEvent;
import io.strata.campaign.domain.RecipientState;
import io.strata.campaign.journey.EntryRules;
import io.strata.campaign.journey.Instance;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** The journeys' running state: recipients, instances, the ledger, history and watched events. */
public final class RuntimeRepository {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSTANCE_COLUMNS = "id, tenant, journey_key, version, profile_id, iteration, status,"
            + " node, entered_at, arrived_at, arm, assigned_at, wake_at";

    private RuntimeRepository() {}

    /** An instance as stored, with its tenant. */
    public record StoredInstance(String tenant, Instance instance) {}

    /** Creates the recipients' rows that do not exist yet (a profile seen first through an event). */
    public static void ensureRecipients(Db.Session s, String tenant, Collection<String> profileIds) {
        s.query(
                "insert into recipients (tenant, profile_id) select $1, unnest($2::text[]) on conflict do nothing",
                Tuple.of(tenant, profileIds.toArray(String[]::new)));
    }

    /**
     * Locks the recipients' rows in a fixed order (so two transactions never wait on each other in a
     * circle); with {@code skipLocked} the rows another transaction holds are left out.
     */
    public static Map<String, RecipientState> lockRecipients(
            Db.Session s, String tenant, Collection<String> profileIds, boolean skipLocked) {
        var sorted = new TreeSet<>(profileIds);
        var out = new LinkedHashMap<String, RecipientState>();
        for (Row row : s.query(
                "select * from recipients where tenant = $1 and profile_id = any($2::text[]) order by profile_id for update"
                        + (skipLocked ? " skip locked" : ""),
                Tuple.of(tenant, sorted.toArray(String[]::new)))) {
            out.put(row.getString("profile_id"), recipient(row));
        }
        return out;
    }

    /** Writes recipients' rows whole (the caller holds their locks). */
    public static void saveRecipients(Db.Session s, Collection<RecipientState> states) {
        var rows = new ArrayList<Tuple>();
        for (RecipientState r : states) {
            var consents = new io.vertx.core.json.JsonArray();
            for (ConsentEntry c : r.consents()) {
                consents.add(new JsonObject()
                        .put("channel", c.channel())
                        .put("purpose", c.purpose())
                        .put("sender", c.sender())
                        .put("granted", c.granted())
                        .put("at", c.at().toString()));
            }
            var values = new ArrayList<Object>();
            values.add(r.tenant());
            values.add(r.profileId());
            values.add(r.zone().orElse(null));
            values.add(r.deleted());
            values.add(r.suppressed());
            values.add(consents);
            values.add(new JsonObject(new HashMap<String, Object>(r.traits())));
            values.add(new JsonObject(new HashMap<String, Object>(r.tags())));
            values.add(r.audiences().toArray(String[]::new));
            values.add(new JsonObject(new HashMap<String, Object>(r.addresses())));
            values.add(new JsonObject(new HashMap<String, Object>(r.quota())));
            values.add(r.version());
            rows.add(Tuple.from(values));
        }
        s.batch(
                "update recipients set zone = $3, deleted = $4, suppressed = $5, consents = $6, traits = $7, tags = $8,"
                        + " audiences = $9, addresses = $10, quota = $11, version = $12, updated_at = now()"
                        + " where tenant = $1 and profile_id = $2",
                rows);
    }

    /** The tenants whose journey clock is held, and where. */
    public static Map<String, Instant> heldClocks(Db.Session s) {
        var out = new HashMap<String, Instant>();
        for (Row row : s.query("select tenant, held_at from journey_clocks", Tuple.tuple())) {
            out.put(row.getString("tenant"), instant(row, "held_at"));
        }
        return out;
    }

    /** Where the tenant's journey clock is held, if it is. */
    public static Optional<Instant> heldClock(Db.Session s, String tenant) {
        for (Row row : s.query("select held_at from journey_clocks where tenant = $1", Tuple.of(tenant))) {
            return Optional.of(instant(row, "held_at"));
        }
        return Optional.empty();
    }

    /** Holds the tenant's journey clock at {@code at}, or releases it ({@code null}). */
    public static void holdClock(Db.Session s, String tenant, Instant at) {
        if (at == null) {
            s.query("delete from journey_clocks where tenant = $1", Tuple.of(tenant));
        } else {
            s.query(
                    "insert into journey_clocks (tenant, held_at) values ($1, $2) on conflict (tenant) do update"
                            + " set held_at = excluded.held_at, updated_at = now()",
                    Tuple.of(tenant, ts(at)));
        }
    }

    /** Instances of the tenant whose timer is due by {@code now}, and sends still queued. */
    public static long[] backlog(Db.Session s, String tenant, Instant now) {
        long due = 0;
        long queued = 0;
        for (Row row : s.query(
                "select (select count(*) from instances where tenant = $1 and wake_at <= $2) as due,"
                        + " (select count(*) from send_ledger where tenant = $1 and status = 'queued') as queued",
                Tuple.of(tenant, ts(now)))) {
            due = row.getLong("due");
            queued = row.getLong("queued");
        }
        return new long[] {due, queued};
    }

    /**
     * Forgets a deleted person's events, replies (their phone number and words), pending relays and
     * audience transitions (with their deliveries not yet made).
     */
    public static void forgetEvents(Db.Session s, String tenant, String profileId) {
        s.query("delete from profile_events where tenant = $1 and profile_id = $2", Tuple.of(tenant, profileId));
        s.query("delete from replies where tenant = $1 and $2 = any(profile_ids)", Tuple.of(tenant, profileId));
        s.query("delete from consent_updates where tenant = $1 and profile_id = $2", Tuple.of(tenant, profileId));
        s.query("delete from tag_updates where tenant = $1 and profile_id = $2", Tuple.of(tenant, profileId));
        s.query("delete from audience_transitions where tenant = $1 and profile_id = $2", Tuple.of(tenant, profileId));
    }

    /**
     * Due instances, claimed: rows another replica holds are skipped. A tenant whose journey clock is
     * held has its timers due up to the held instant only.
     */
    public static List<StoredInstance> claimDue(Db.Session s, Instant now, int limit) {
        var out = new ArrayList<StoredInstance>();
        for (Row row : s.query(
                "select " + INSTANCE_COLUMNS + " from instances i where wake_at <= $1 and not exists"
                        + " (select 1 from journey_clocks c where c.tenant = i.tenant and c.held_at < i.wake_at)"
                        + " order by wake_at limit $2 for update of i skip locked",
                Tuple.of(ts(now), limit))) {
            out.add(stored(row));
        }
        return out;
    }

    /** The profiles' running instances, oldest first, locked (the caller holds the profiles' recipient rows). */
    public static List<StoredInstance> active(Db.Session s, String tenant, Collection<String> profileIds) {
        var out = new ArrayList<StoredInstance>();
        for (Row row : s.query(
                "select " + INSTANCE_COLUMNS + " from instances where tenant = $1 and profile_id = any($2::text[])"
                        + " and status = 'ACTIVE' order by entered_at, id for update",
                Tuple.of(tenant, profileIds.toArray(String[]::new)))) {
            out.add(stored(row));
        }
        return out;
    }

    /** A profile's earlier instances of a journey, for the re-entry rules; and their largest iteration. */
    public static Map.Entry<List<EntryRules.Earlier>, Integer> earlier(
            Db.Session s, String tenant, String journey, String profileId) {
        var out = new ArrayList<EntryRules.Earlier>();
        int iteration = 0;
        for (Row row : s.query(
                "select entry_key, status, ended_at, iteration from instances where tenant = $1 and journey_key = $2"
                        + " and profile_id = $3",
                Tuple.of(tenant, journey, profileId))) {
            out.add(new EntryRules.Earlier(
                    row.getString("entry_key"),
                    row.getString("status").equals("ACTIVE"),
                    Optional.ofNullable(instant(row, "ended_at"))));
            iteration = Math.max(iteration, row.getInteger("iteration"));
        }
        return Map.entry(out, iteration);
    }

    /**
     * The profile's instances of the journey that started (not those still pending at the trigger
     * {@code triggerNode}), for the re-entry rule of a pending entry.
     */
    public static List<EntryRules.Earlier> started(
            Db.Session s, String tenant, String journey, String profileId, String triggerNode) {
        var out = new ArrayList<EntryRules.Earlier>();
        for (Row row : s.query(
                "select entry_key, status, ended_at from instances where tenant = $1 and journey_key = $2"
                        + " and profile_id = $3 and not (status = 'ACTIVE' and node = $4 and wake_at is not null)",
                Tuple.of(tenant, journey, profileId, triggerNode))) {
            out.add(new EntryRules.Earlier(
                    row.getString("entry_key"),
                    row.getString("status").equals("ACTIVE"),
                    Optional.ofNullable(instant(row, "ended_at"))));
        }
        return out;
    }

    /** The marketing and transactional messages queued or sent to these profiles since {@code since}. */
    public static Map<String, List<PastSend>> sends(
            Db.Session s, String tenant, Collection<String> profileIds, Instant since) {
        var out = new HashMap<String, List<PastSend>>();
        for (Row row : s.query(
                "select profile_id, created_at, channel, tags, marketing from send_ledger where tenant = $1"
                        + " and profile_id = any($2::text[]) and status in ('queued', 'sent') and created_at >= $3",
                Tuple.of(tenant, profileIds.toArray(String[]::new), ts(since)))) {
            out.computeIfAbsent(row.getString("profile_id"), k -> new ArrayList<>())
                    .add(new PastSend(
                            instant(row, "created_at"),
                            row.getString("channel"),
                            Set.copyOf(Arrays.asList(row.getArrayOfStrings("tags"))),
                            row.getBoolean("marketing")));
        }
        return out;
    }

    /** The watched events of these profiles since {@code since}, oldest first. */
    public static Map<String, List<ProfileEvent>> events(
            Db.Session s, String tenant, Collection<String> profileIds, Instant since) {
        var out = new HashMap<String, List<ProfileEvent>>();
        for (Row row : s.query(
                "select profile_id, name, at, message_id, properties from profile_events where tenant = $1"
                        + " and profile_id = any($2::text[]) and at >= $3 order by at",
                Tuple.of(tenant, profileIds.toArray(String[]::new), ts(since)))) {
            var props = new HashMap<String, String>();
            row.getJsonObject("properties").forEach(e -> props.put(e.getKey(), String.valueOf(e.getValue())));
            out.computeIfAbsent(row.getString("profile_id"), k -> new ArrayList<>())
                    .add(new ProfileEvent(
                            row.getString("name"), instant(row, "at"), row.getString("message_id"), Map.copyOf(props)));
        }
        return out;
    }

    /** Records a watched event; false when it was recorded before (a redelivery). */
    public static boolean recordEvent(Db.Session s, String tenant, String profileId, ProfileEvent event) {
        return s.query(
                                "insert into profile_events (tenant, profile_id, name, at, message_id, properties)"
                                        + " values ($1, $2, $3, $4, $5, $6) on conflict do nothing",
                                Tuple.of(
                                        tenant,
                                        profileId,
                                        event.name(),
                                        ts(event.at()),
                                        event.messageId(),
                                        new JsonObject(new HashMap<String, Object>(event.properties()))))
                        .rowCount()
                > 0;
    }

    /** What a batch of steps writes, flushed with one statement per table. */
    public static final class Writes {
        final io.strata.campaign.messaging.MessageEvents messages;
        final List<Tuple> inserts = new ArrayList<>();
        final List<Tuple> updates = new ArrayList<>();
        final List<Tuple> history = new ArrayList<>();
        final List<Tuple> ledger = new ArrayList<>();
        final List<Tuple> tags = new ArrayList<>();
        final List<Tuple> transitions = new ArrayList<>();
        final Map<String, String> started = new HashMap<>();
        final List<UUID> dropped = new ArrayList<>();
        int sends;

        /** Writes whose messages are announced on {@code messages}' topic. */
        public Writes(io.strata.campaign.messaging.MessageEvents messages) {
            this.messages = messages;
        }

        /** Whether this batch started the instance (it is not in the database yet). */
        public boolean startedInBatch(String instanceId) {
            return started.containsKey(instanceId);
        }

        public String entryKey(String instanceId) {
            return started.get(instanceId);
        }

        public void insert(String tenant, Instance i, String entryKey) {
            started.put(i.id(), entryKey);
            inserts.add(Tuple.from(List.of(
                    UUID.fromString(i.id()),
                    tenant,
                    i.journeyKey(),
                    i.version(),
                    i.profileId(),
                    i.iteration(),
                    entryKey,
                    i.status().name(),
                    i.node(),
                    ts(i.enteredAt()),
                    ts(i.arrivedAt()),
                    ts(i.assignedAt()))));
        }

        /** A pending entry the re-entry rule refused when its time came: it never was. */
        public void drop(String instanceId) {
            dropped.add(UUID.fromString(instanceId));
        }

        public void update(Instance i, Instant endedAt, String endReason) {
            var values = new ArrayList<Object>();
            values.add(UUID.fromString(i.id()));
            values.add(i.status().name());
            values.add(i.node());
            values.add(ts(i.arrivedAt()));
            values.add(i.arm().orElse(null));
            values.add(ts(i.assignedAt()));
            values.add(ts(i.wakeAt().orElse(null)));
            values.add(ts(endedAt));
            values.add(endReason);
            updates.add(Tuple.from(values));
        }

        public void history(
                String tenant,
                Instance i,
                String node,
                String fromNode,
                String kind,
                String arm,
                String detail,
                Instant at) {
            var values = new ArrayList<Object>();
            values.add(tenant);
            values.add(UUID.fromString(i.id()));
            values.add(i.profileId());
            values.add(i.journeyKey());
            values.add(i.version());
            values.add(node);
            values.add(fromNode);
            values.add(kind);
            values.add(arm);
            values.add(detail);
            values.add(ts(at));
            history.add(Tuple.from(values));
        }

        /** A ledger row: queued (to dispatch) or suppressed with its reason. */
        public void ledger(
                String tenant,
                Instance i,
                String sendKey,
                String node,
                String channel,
                String template,
                String sender,
                boolean marketing,
                Set<String> tags,
                String status,
                String reason,
                String detail,
                Instant at) {
            var values = new ArrayList<Object>();
            values.add(sendKey);
            values.add(tenant);
            values.add(UUID.fromString(i.id()));
            values.add(i.profileId());
            values.add(i.journeyKey());
            values.add(i.version());
            values.add(node);
            values.add(channel);
            values.add(template);
            values.add(sender == null ? "" : sender);
            values.add(marketing);
            values.add(tags.toArray(String[]::new));
            values.add(i.arm().orElse(null));
            values.add(status);
            values.add(reason);
            values.add(detail);
            values.add(ts(at));
            ledger.add(Tuple.from(values));
            sends += status.equals("queued") ? 1 : 0;
            if (status.equals("queued")) {
                return; // announced when the dispatcher hands it over (sent) or gives up (failed)
            }
            messages.add(
                    new io.strata.campaign.messaging.MessageEvents.Message(
                            tenant,
                            i.profileId(),
                            sendKey,
                            i.journeyKey(),
                            i.version(),
                            node,
                            channel,
                            template,
                            sender,
                            i.arm().orElse(null),
                            marketing),
                    status,
                    reason,
                    detail,
                    at);
        }

        public void tag(String tenant, Instance i, String tag, String value) {
            var values = new ArrayList<Object>();
            values.add(tenant);
            values.add(i.profileId());
            values.add(tag);
            values.add(value);
            values.add(UUID.fromString(i.id()));
            tags.add(Tuple.from(values));
        }

        /** An audience transition: kept for replays, and queued for every destination that takes the audience. */
        public void transition(
                String tenant, String audience, String profileId, boolean entered, Instant at, String key) {
            transitions.add(Tuple.of(tenant, audience, profileId, entered, ts(at), key));
        }

        /** How many messages this batch queued for dispatch. */
        public int queued() {
            return sends;
        }
    }

    public static void flush(Db.Session s, Writes w) {
        if (!w.dropped.isEmpty()) {
            s.query("delete from instances where id = any($1::uuid[])", Tuple.of(w.dropped.toArray(UUID[]::new)));
        }
        s.batch(
                "insert into instances (id, tenant, journey_key, version, profile_id, iteration, entry_key, status, node,"
                        + " entered_at, arrived_at, assigned_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
                        + " $12)",
                w.inserts);
        s.batch(
                "update instances set status = $2, node = $3, arrived_at = $4, arm = $5, assigned_at = $6, wake_at = $7,"
                        + " ended_at = $8, end_reason = $9 where id = $1",
                w.updates);
        s.batch(
                "insert into journey_history (tenant, instance_id, profile_id, journey_key, version, node, from_node,"
                        + " kind, arm, detail, at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                w.history);
        // a key already in the ledger is the same message written by an earlier run of the same step
        s.batch(
                "insert into send_ledger (send_key, tenant, instance_id, profile_id, journey_key, version, node, channel,"
                        + " template, sender, marketing, tags, arm, status, reason, detail, created_at, next_attempt_at)"
                        + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::timestamptz,"
                        + " case when $14::text = 'queued' then $17::timestamptz end) on conflict (send_key) do nothing",
                w.ledger);
        s.batch(
                "insert into tag_updates (tenant, profile_id, tag, value, instance_id) values ($1, $2, $3, $4, $5)",
                w.tags);
        // a transition seen before (a redelivery) is neither kept nor queued again
        s.batch(
                "with t as (insert into audience_transitions (tenant, audience, profile_id, entered, at, entry_key)"
                        + " values ($1, $2, $3, $4, $5, $6) on conflict do nothing returning id, tenant, audience)"
                        + " insert into activation_deliveries (tenant, destination, transition_id, status)"
                        + " select t.tenant, d.id, t.id, 'queued' from t join destinations d on d.tenant = t.tenant"
                        + " and d.enabled and (cardinality(d.audiences) = 0 or t.audience = any(d.audiences))",
                w.transitions);
        w.messages.write(s);
    }

    private static StoredInstance stored(Row row) {
        return new StoredInstance(
                row.getString("tenant"),
                new Instance(
                        row.getUUID("id").toString(),
                        row.getString("profile_id"),
                        row.getString("journey_key"),
                        row.getInteger("version"),
                        row.getInteger("iteration"),
                        Instance.Status.valueOf(row.getString("status")),
                        row.getString("node"),
                        instant(row, "entered_at"),
                        instant(row, "arrived_at"),
                        Optional.ofNullable(row.getString("arm")),
                        instant(row, "assigned_at"),
                        Optional.ofNullable(instant(row, "wake_at"))));
    }

    public static RecipientState recipient(Row row) {
        var consents = new ArrayList<ConsentEntry>();
        JsonNode c = json(row.getValue("consents"));
        for (JsonNode e : c) {
            consents.add(new ConsentEntry(
                    e.path("channel").asText(),
                    e.path("purpose").asText(),
                    e.path("sender").asText(""),
                    e.path("granted").asBoolean(),
                    Instant.parse(e.path("at").asText("1970-01-01T00:00:00Z"))));
        }
        var quota = new HashMap<String, Integer>();
        json(row.getValue("quota"))
                .properties()
                .forEach(e -> quota.put(e.getKey(), e.getValue().asInt()));
        return new RecipientState(
                row.getString("tenant"),
                row.getString("profile_id"),
                Optional.ofNullable(row.getString("zone")),
                row.getBoolean("deleted"),
                row.getBoolean("suppressed"),
                List.copyOf(consents),
                strings(json(row.getValue("traits"))),
                strings(json(row.getValue("tags"))),
                new HashSet<>(Arrays.asList(row.getArrayOfStrings("audiences"))),
                strings(json(row.getValue("addresses"))),
                Map.copyOf(quota),
                row.getLong("version"));
    }

    private static Map<String, String> strings(JsonNode node) {
        var out = new HashMap<String, String>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return Map.copyOf(out);
    }

    private static JsonNode json(Object value) {
        try {
            return JSON.readTree(value == null ? "null" : value.toString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a recipient's JSON column is not JSON", e);
        }
    }
}
