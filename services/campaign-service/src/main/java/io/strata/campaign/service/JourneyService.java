package io.strata.campaign.service;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.strata.campaign.client.Audiences;
import io.strata.campaign.experiment.ArmCounts;
import io.strata.campaign.experiment.ExperimentResult;
import io.strata.campaign.experiment.ExperimentStats;
import io.strata.campaign.journey.Journey;
import io.strata.campaign.journey.JourneyParser;
import io.strata.campaign.journey.Node;
import io.strata.campaign.journey.References;
import io.strata.campaign.journey.Violation;
import io.strata.campaign.mapping.PolicyJson;
import io.strata.campaign.repository.CatalogRepository;
import io.strata.campaign.repository.Db;
import io.strata.campaign.repository.JourneyRepository;
import io.strata.campaign.repository.RuntimeRepository;
import io.strata.campaign.repository.StatsRepository;
import io.strata.platform.errors.Errors;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Journeys' life: drafts checked as for publishing, versions, pause, resume and archive; what they
 * did; their experiments; the templates, senders and send policy they use. Database work runs on
 * worker threads (the reactive client, awaited).
 */
@ApplicationScoped
public class JourneyService {

    /** An opt-out instruction in a message's text: 回T退订, 退订回T, reply STOP… */
    private static final Pattern OPT_OUT = Pattern.compile("退订|回T|回TD|(?i:reply stop|unsubscribe)");

    private final Db db;
    private final Audiences audiences;
    private final JourneyCache journeys;
    private final PolicyCache policies;
    private final Clock clock;

    public JourneyService(Db db, Audiences audiences, JourneyCache journeys, PolicyCache policies, Clock clock) {
        this.db = db;
        this.audiences = audiences;
        this.journeys = journeys;
        this.policies = policies;
        this.clock = clock;
    }

    /** Every violation of a definition for the tenant (empty: it may be saved and published). */
    public Uni<List<Violation>> validate(String tenant, String definition) {
        var structure = JourneyParser.structure(definition);
        if (structure.isEmpty()) {
            return Uni.createFrom()
                    .item(JourneyParser.check(definition, 0, io.strata.campaign.journey.Catalog.ANY)
                            .violations());
        }
        return audiences
                .existing(tenant, References.audiences(structure.get()))
                .chain(found -> blocking(() -> db.inTransaction(s -> {
                    return JourneyParser.check(definition, 0, CatalogRepository.catalog(s, tenant, found))
                            .violations();
                })));
    }

    /** Saves a draft; refused with every violation, or when the journey is archived. */
    public Uni<JourneyRepository.JourneyRow> save(String tenant, String definition, String by) {
        return validate(tenant, definition).chain(violations -> {
            if (!violations.isEmpty()) {
                return Uni.createFrom().failure(invalid(violations));
            }
            Journey j = JourneyParser.structure(definition).orElseThrow();
            return blocking(() -> db.inTransaction(s -> {
                var existing = JourneyRepository.get(s, tenant, j.key(), true);
                if (existing.isPresent() && existing.get().status().equals("archived")) {
                    throw Errors.precondition("journey " + j.key() + " is archived: save it under a new key");
                }
                JourneyRepository.saveDraft(s, tenant, j.key(), j.name(), definition, by);
                return JourneyRepository.get(s, tenant, j.key(), false).orElseThrow();
            }));
        });
    }

    /** Publishes the draft as the next version (checked again: an audience may have gone since). */
    public Uni<Map.Entry<JourneyRepository.JourneyRow, Integer>> publish(String tenant, String key, String by) {
        return blocking(() -> db.inTransaction(s -> found(s, tenant, key)))
                .chain(row -> {
                    if (row.status().equals("archived")) {
                        return Uni.createFrom().failure(Errors.precondition("journey " + key + " is archived"));
                    }
                    return validate(tenant, row.draft()).chain(violations -> {
                        if (!violations.isEmpty()) {
                            return Uni.createFrom().failure(invalid(violations));
                        }
                        return blocking(() -> db.inTransaction(s -> {
                            var locked = found(s, tenant, key);
                            if (locked.status().equals("archived")) {
                                throw Errors.precondition("journey " + key + " is archived");
                            }
                            int version = JourneyRepository.publish(s, tenant, key, locked.draft(), by);
                            Broadcasts.supersede(s, tenant, key, version);
                            if (JourneyParser.structure(locked.draft())
                                            .orElseThrow()
                                            .trigger()
                                            .entry()
                                    instanceof Node.Entry.Broadcast b) {
                                // on a held clock, "now" is the held instant
                                Instant now =
                                        RuntimeRepository.heldClock(s, tenant).orElse(clock.instant());
                                Broadcasts.schedule(s, tenant, key, version, b.audience(), b.at().orElse(now));
                            }
                            return Map.entry(
                                    JourneyRepository.get(s, tenant, key, false).orElseThrow(), version);
                        }));
                    });
                })
                .invoke(() -> journeys.invalidate(tenant));
    }

    /** Pauses, resumes or archives; archiving ends the running instances (how many is answered). */
    public Uni<Map.Entry<JourneyRepository.JourneyRow, Long>> setStatus(
            String tenant, String key, String status, String by) {
        return blocking(() -> db.inTransaction(s -> {
                    var row = found(s, tenant, key);
                    long ended = 0;
                    switch (status) {
                        case "paused" -> {
                            if (!row.status().equals("published")) {
                                throw Errors.precondition(
                                        "only a published journey can be paused; " + key + " is " + row.status());
                            }
                        }
                        case "published" -> {
                            if (!row.status().equals("paused")) {
                                throw Errors.precondition("only a paused journey can be resumed (publish a draft with"
                                        + " PublishJourney); " + key + " is " + row.status());
                            }
                        }
                        case "archived" -> {
                            if (row.status().equals("archived")) {
                                throw Errors.precondition("journey " + key + " is archived already");
                            }
                            ended = StatsRepository.endAll(s, tenant, key, "journey archived", clock.instant());
                            s.query(
                                    "update broadcast_runs set status = 'cancelled', finished_at = now() where tenant = $1"
                                            + " and journey_key = $2 and status in ('scheduled', 'running')",
                                    io.vertx.mutiny.sqlclient.Tuple.of(tenant, key));
                        }
                        default -> throw Errors.invalid("status", "PAUSED, PUBLISHED (resume) or ARCHIVED");
                    }
                    JourneyRepository.setStatus(s, tenant, key, status, by);
                    return Map.entry(
                            JourneyRepository.get(s, tenant, key, false).orElseThrow(), ended);
                }))
                .invoke(() -> journeys.invalidate(tenant));
    }

    public record Detail(JourneyRepository.JourneyRow journey, List<JourneyRepository.VersionRow> versions) {}

    public Uni<Detail> get(String tenant, String key) {
        return blocking(() -> db.inTransaction(s -> {
            var row = found(s, tenant, key);
            return new Detail(row, JourneyRepository.versions(s, tenant, key));
        }));
    }

    public Uni<List<JourneyRepository.JourneyRow>> list(String tenant) {
        return blocking(() -> db.inTransaction(s -> JourneyRepository.list(s, tenant)));
    }

    /** The counts of a journey, per version. */
    public record Stats(
            Map<Integer, Journey> versions,
            List<StatsRepository.Count> moves,
            List<StatsRepository.Count> waiting,
            List<StatsRepository.Count> statuses,
            List<StatsRepository.Count> messages,
            List<StatsRepository.Count> conversions) {}

    public Uni<Stats> stats(String tenant, String key, int version) {
        return blocking(() -> db.inTransaction(s -> {
            found(s, tenant, key);
            var versions = new HashMap<Integer, Journey>();
            for (var v : JourneyRepository.versions(s, tenant, key)) {
                if (version == 0 || version == v.version()) {
                    versions.put(v.version(), journeys.version(s, tenant, key, v.version()));
                }
            }
            if (version != 0 && versions.isEmpty()) {
                throw Errors.notFound("journey " + key + " has no version " + version);
            }
            return new Stats(
                    versions,
                    StatsRepository.moves(s, tenant, key, version),
                    StatsRepository.waiting(s, tenant, key, version),
                    StatsRepository.statuses(s, tenant, key, version),
                    StatsRepository.messages(s, tenant, key, version),
                    StatsRepository.conversions(s, tenant, key, version));
        }));
    }

    public Uni<List<StatsRepository.InstanceRow>> instances(
            String tenant,
            String key,
            String node,
            List<String> statuses,
            Optional<java.time.Instant> afterEntered,
            Optional<String> afterId,
            int limit) {
        return blocking(() -> db.inTransaction(s -> {
            found(s, tenant, key);
            return StatsRepository.instances(s, tenant, key, node, statuses, afterEntered, afterId, limit);
        }));
    }

    public record ProfileJourneys(List<StatsRepository.InstanceRow> instances, List<StatsRepository.StepRow> steps) {}

    public Uni<ProfileJourneys> profile(String tenant, String profileId) {
        return blocking(() -> db.inTransaction(s -> new ProfileJourneys(
                StatsRepository.profileInstances(s, tenant, profileId),
                StatsRepository.profileSteps(s, tenant, profileId))));
    }

    /** A split's experiment: its node, the goal measured and the statistics. */
    public record SplitExperiment(Node.Split split, String goal, ExperimentResult result) {}

    public Uni<Map.Entry<Integer, List<SplitExperiment>>> experiments(
            String tenant, String key, int version, double alpha) {
        return blocking(() -> db.inTransaction(s -> {
            var row = found(s, tenant, key);
            int v = version != 0
                    ? version
                    : row.liveVersion()
                            .orElseThrow(() -> Errors.precondition("journey " + key + " was never published"));
            if (JourneyRepository.version(s, tenant, key, v).isEmpty()) {
                throw Errors.notFound("journey " + key + " has no version " + v);
            }
            Journey journey = journeys.version(s, tenant, key, v);
            var assigned = StatsRepository.assignments(s, tenant, key, v);
            var converted = StatsRepository.conversions(s, tenant, key, v);
            var out = new ArrayList<SplitExperiment>();
            for (Node node : journey.nodes().values()) {
                if (!(node instanceof Node.Split split)) {
                    continue;
                }
                String goal = firstGoal(journey, split).orElse("");
                var arms = new ArrayList<ArmCounts>();
                for (Node.Arm arm : split.arms()) {
                    long exposures = assigned.stream()
                            .filter(c -> c.a().equals(split.id()) && arm.name().equals(c.b()))
                            .mapToLong(StatsRepository.Count::total)
                            .sum();
                    long conversions = converted.stream()
                            .filter(c -> c.a().equals(goal) && arm.name().equals(c.b()))
                            .mapToLong(StatsRepository.Count::total)
                            .sum();
                    arms.add(new ArmCounts(arm.name(), arm.control(), arm.weight(), exposures, conversions));
                }
                out.add(new SplitExperiment(split, goal, ExperimentStats.analyze(arms, alpha)));
            }
            return Map.entry(v, List.copyOf(out));
        }));
    }

    /** The first goal reachable from a split's arms (breadth first): what its arms are measured by. */
    static Optional<String> firstGoal(Journey journey, Node.Split split) {
        var queue = new ArrayDeque<String>(split.successors());
        var seen = new HashSet<String>();
        while (!queue.isEmpty()) {
            String id = queue.poll();
            if (!seen.add(id)) {
                continue;
            }
            Node node = journey.node(id);
            if (node instanceof Node.Goal goal) {
                return Optional.of(goal.name());
            }
            queue.addAll(node.successors());
        }
        return Optional.empty();
    }

    public Uni<CatalogRepository.TemplateRow> setTemplate(
            String tenant, String channel, String template, String body, boolean approved) {
        var violations = new ArrayList<Errors.Violation>();
        if (!CatalogRepository.CHANNELS.contains(channel)) {
            violations.add(new Errors.Violation(
                    "template.channel", "one of " + new java.util.TreeSet<>(CatalogRepository.CHANNELS)));
        }
        if (template == null || !template.matches("[A-Za-z0-9_-]{1,64}")) {
            violations.add(new Errors.Violation("template.template", "1 to 64 letters, digits, '-' or '_'"));
        }
        if (body == null || body.isBlank() || body.length() > 4000) {
            violations.add(new Errors.Violation("template.body", "the message text, 1 to 4,000 characters"));
        }
        if (!violations.isEmpty()) {
            return Uni.createFrom().failure(Errors.invalid(violations));
        }
        var row = new CatalogRepository.TemplateRow(
                channel, template, body, approved, OPT_OUT.matcher(body).find());
        return blocking(() -> db.inTransaction(s -> {
            CatalogRepository.saveTemplate(s, tenant, row);
            return row;
        }));
    }

    public record Templates(List<CatalogRepository.TemplateRow> templates, Map<String, Set<String>> senders) {}

    public Uni<Templates> templates(String tenant) {
        return blocking(() -> db.inTransaction(
                s -> new Templates(CatalogRepository.templates(s, tenant), CatalogRepository.senders(s, tenant))));
    }

    public Uni<Void> setSender(String tenant, String channel, String sender, boolean approved) {
        if (!CatalogRepository.CHANNELS.contains(channel)) {
            return Uni.createFrom()
                    .failure(
                            Errors.invalid("channel", "one of " + new java.util.TreeSet<>(CatalogRepository.CHANNELS)));
        }
        if (sender == null || sender.isBlank() || sender.length() > 64) {
            return Uni.createFrom().failure(Errors.invalid("sender", "1 to 64 characters"));
        }
        return blocking(() -> db.inTransaction(s -> {
            CatalogRepository.setSender(s, tenant, channel, sender, approved);
            return null;
        }));
    }

    public Uni<String> setPolicy(String tenant, String json) {
        var parsed = PolicyJson.parse(json == null ? "" : json);
        if (parsed.policy().isEmpty()) {
            return Uni.createFrom()
                    .failure(Errors.invalid(parsed.violations().stream()
                            .map(v -> new Errors.Violation("policy." + v.field(), v.message()))
                            .toList()));
        }
        return blocking(() -> db.inTransaction(s -> {
                    CatalogRepository.setPolicy(s, tenant, json);
                    return json;
                }))
                .invoke(() -> policies.invalidate(tenant));
    }

    /** The tenant's policy, or the defaults (then {@code true}). */
    public Uni<Map.Entry<String, Boolean>> policy(String tenant) {
        return blocking(() -> db.inTransaction(s -> CatalogRepository.policy(s, tenant)
                .map(p -> Map.entry(p, false))
                .orElseGet(() -> Map.entry(PolicyJson.defaults(), true))));
    }

    /** Where the tenant's journey clock stands, with what is due by then and still queued. */
    public record ClockState(Optional<Instant> heldAt, Instant now, long due, long queued) {}

    /**
     * Holds the tenant's journey clock at {@code heldAt} (never after the wall clock), or releases it
     * to the wall clock ({@code null}).
     */
    public Uni<ClockState> setClock(String tenant, Instant heldAt) {
        if (heldAt != null && heldAt.isAfter(clock.instant())) {
            return Uni.createFrom()
                    .failure(Errors.invalid("held_at", "not after the wall clock (" + clock.instant() + ")"));
        }
        return blocking(() -> db.inTransaction(s -> {
            RuntimeRepository.holdClock(s, tenant, heldAt);
            return clockState(s, tenant);
        }));
    }

    public Uni<ClockState> clock(String tenant) {
        return blocking(() -> db.inTransaction(s -> clockState(s, tenant)));
    }

    private ClockState clockState(Db.Session s, String tenant) {
        Optional<Instant> held = RuntimeRepository.heldClock(s, tenant);
        Instant now = held.orElse(clock.instant());
        long[] backlog = RuntimeRepository.backlog(s, tenant, now);
        return new ClockState(held, now, backlog[0], backlog[1]);
    }

    private static JourneyRepository.JourneyRow found(Db.Session s, String tenant, String key) {
        return JourneyRepository.get(s, tenant, key, false).orElseThrow(() -> Errors.notFound("no journey " + key));
    }

    /** INVALID_ARGUMENT with a field per violation: {@code nodes.<id>.<field>}, or the journey's field. */
    static RuntimeException invalid(List<Violation> violations) {
        return Errors.invalid(violations.stream()
                .map(v -> new Errors.Violation(
                        v.node() == null ? "definition." + v.field() : "definition.nodes." + v.node() + "." + v.field(),
                        v.message()))
                .toList());
    }

    private static <T> Uni<T> blocking(java.util.function.Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
