package io.strata.segmentation.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.logging.LogSafe;
import io.strata.proto.segmentation.v1.AnalyzeReverseFunnelRequest;
import io.strata.proto.segmentation.v1.AnalyzeReverseFunnelResponse;
import io.strata.proto.segmentation.v1.Cohort;
import io.strata.proto.segmentation.v1.CollectFunnelRowsRequest;
import io.strata.proto.segmentation.v1.CollectFunnelRowsResponse;
import io.strata.proto.segmentation.v1.CountScore;
import io.strata.proto.segmentation.v1.CrowdSchedule;
import io.strata.proto.segmentation.v1.CrowdTrend;
import io.strata.proto.segmentation.v1.CustomCrowd;
import io.strata.proto.segmentation.v1.FindCustomCrowdsRequest;
import io.strata.proto.segmentation.v1.FindCustomCrowdsResponse;
import io.strata.proto.segmentation.v1.FunnelRow;
import io.strata.proto.segmentation.v1.GetCrowdTrendsRequest;
import io.strata.proto.segmentation.v1.GetCrowdTrendsResponse;
import io.strata.proto.segmentation.v1.ListCrowdSchedulesResponse;
import io.strata.proto.segmentation.v1.LookalikeQuality;
import io.strata.proto.segmentation.v1.Merge;
import io.strata.proto.segmentation.v1.MicroGroup;
import io.strata.proto.segmentation.v1.PartialGroup;
import io.strata.proto.segmentation.v1.ReferralSpread;
import io.strata.proto.segmentation.v1.Referrer;
import io.strata.proto.segmentation.v1.StaticMode;
import io.strata.proto.segmentation.v1.SummarizeMicroGroupsRequest;
import io.strata.proto.segmentation.v1.SummarizeMicroGroupsResponse;
import io.strata.proto.segmentation.v1.Tier;
import io.strata.proto.segmentation.v1.TrendPoint;
import io.strata.segmentation.client.Replicas;
import io.strata.segmentation.config.SegmentationConfig;
import io.strata.segmentation.crowds.Agglomerative;
import io.strata.segmentation.crowds.ClusterCount;
import io.strata.segmentation.crowds.CustomCrowds;
import io.strata.segmentation.crowds.Dendrogram;
import io.strata.segmentation.crowds.Lookalike;
import io.strata.segmentation.crowds.Preferences;
import io.strata.segmentation.crowds.Referrals;
import io.strata.segmentation.crowds.Trends;
import io.strata.segmentation.domain.Segment;
import io.strata.segmentation.engine.ProfileTable;
import io.strata.segmentation.mapping.SegmentMapper;
import io.strata.segmentation.repository.CrowdScheduleRepository;
import io.strata.segmentation.repository.SegmentRepository;
import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.Evaluator;
import io.strata.segmentation.rules.ProfileFacts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Custom strategic crowds and the reverse funnel over every partition (docs/crowds.md): each
 * replica summarizes the partitions it serves (micro-groups' counts; the funnel's rows), this one
 * merges them, runs the analysis ({@link io.strata.segmentation.crowds}) and, when asked, saves the
 * result as audiences through the same commands users call.
 */
@ApplicationScoped
public class CrowdAnalyses {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(CrowdAnalyses.class);

    /** The events whose category a custom clustering counts unless told. */
    /** How a saved custom crowd's audience description starts (what marks it as one). */
    static final String CROWD_MARK = "custom crowd";

    /** How a saved funnel tier's audience description starts. */
    static final String TIER_MARK = "reverse funnel:";

    public static final List<String> PREFERENCE_EVENTS = List.of("Product Viewed", "Product Added", "Order Completed");

    /**
     * The core when no audience is named: advocates, who were not brought by an invitation and sent
     * one, or shared products three times or more.
     */
    public static final String ADVOCATES = "{\"all\": ["
            + "{\"event\": \"Signed Up\", \"where\": [{\"property\": \"invite_code\", \"op\": \"exists\"}],"
            + " \"times\": {\"op\": \"at_most\", \"value\": 0}},"
            + "{\"any\": [{\"event\": \"Invite Sent\"},"
            + " {\"event\": \"Product Shared\", \"times\": {\"op\": \"at_least\", \"value\": 3}}]}]}";

    /** The fields the look-alike reads as categories (one indicator per value seen, at most 40). */
    public static final List<String> FEATURE_TEXTS = List.of(
            "traits.gender",
            "traits.cityTier",
            "traits.occupation",
            "traits.incomeLevel",
            "traits.kids",
            "traits.married",
            "tags.rfm_group",
            "tags.lifecycle_stage",
            "tags.aipl_stage",
            "tags.clv_tier");

    /** The look-alike's numbers: age, and the events of the last year per name (as log(1 + n)). */
    public static final List<String> FEATURE_EVENTS = List.of(
            "Content Viewed",
            "page",
            "Product Viewed",
            "Product Added",
            "Product Shared",
            "Invite Sent",
            "Coupon Claimed",
            "Order Completed");

    private static final int MOST_VALUES = 40;
    private static final Duration YEAR = Duration.ofDays(365);

    private final Engine engine;
    private final AudienceQueries queries;
    private final Replicas replicas;
    private final SegmentCommands commands;
    private final SegmentRepository segments;
    private final SegmentationConfig config;
    private final CrowdScheduleRepository schedules;
    private ScheduledExecutorService timer;

    public CrowdAnalyses(
            Engine engine,
            AudienceQueries queries,
            Replicas replicas,
            SegmentCommands commands,
            SegmentRepository segments,
            SegmentationConfig config,
            CrowdScheduleRepository schedules) {
        this.schedules = schedules;
        this.engine = engine;
        this.queries = queries;
        this.replicas = replicas;
        this.commands = commands;
        this.segments = segments;
        this.config = config;
    }

    // ---------------------------------------------------------------- schedules

    void schedule(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "segmentation-crowd-schedule");
            thread.setDaemon(true);
            return thread;
        });
        long check = config.models().scheduleCheck().toMillis();
        timer.scheduleWithFixedDelay(
                () -> runDue().subscribe()
                        .with(
                                n -> {},
                                f -> LOG.warnf(
                                        "custom crowds: the due clusterings could not be read: %s",
                                        LogSafe.text(ModelRuns.why(f)))),
                check,
                check,
                TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /**
     * Runs again, each under its name, the saved clusterings of the tenants held here that are due
     * (claimed first: a replica looking at the same time finds them not due); how many ran.
     */
    public Uni<Integer> runDue() {
        List<String> tenants = new ArrayList<>(engine.tenants());
        if (tenants.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return schedules.claimDue(tenants, Instant.now()).chain(due -> {
            List<Uni<Boolean>> runs = new ArrayList<>();
            for (CrowdScheduleRepository.Schedule s : due) {
                runs.add(Uni.createFrom()
                        .deferred(() -> customCrowds(filled(request(s.request())), s.createdBy(), true))
                        .chain(found -> schedules.ran(s.tenant(), s.saveAs(), found.getChosen(), null))
                        .invoke(() -> LOG.infof("tenant %s: custom crowds %s run again", s.tenant(), s.saveAs()))
                        .replaceWith(true)
                        .onFailure()
                        .recoverWithUni(failure -> {
                            String why = ModelRuns.why(failure);
                            LOG.warnf(
                                    "tenant %s: custom crowds %s failed to run again: %s",
                                    s.tenant(), s.saveAs(), LogSafe.text(why));
                            return schedules
                                    .ran(s.tenant(), s.saveAs(), null, why)
                                    .replaceWith(false);
                        }));
            }
            return runs.isEmpty()
                    ? Uni.createFrom().item(0)
                    : Uni.join().all(runs).andCollectFailures().map(ran ->
                            (int) ran.stream().filter(Boolean::booleanValue).count());
        });
    }

    /** The tenant's scheduled clusterings. */
    public Uni<ListCrowdSchedulesResponse> schedules(String tenant) {
        return schedules.list(tenant).map(all -> {
            ListCrowdSchedulesResponse.Builder out = ListCrowdSchedulesResponse.newBuilder();
            for (CrowdScheduleRepository.Schedule s : all) {
                Instant next = s.lastRunAt().plus(Duration.ofDays(s.everyDays()));
                out.addSchedules(CrowdSchedule.newBuilder()
                        .setSaveAs(request(s.request()).getSaveAs())
                        .setRequest(request(s.request()))
                        .setEveryDays(s.everyDays())
                        .setLastRunAt(SegmentMapper.timestamp(s.lastRunAt()))
                        .setNextRunAt(SegmentMapper.timestamp(next))
                        .setLastChosen(s.lastChosen() == null ? 0 : s.lastChosen())
                        .setLastError(s.lastError() == null ? "" : s.lastError())
                        .setCreatedBy(s.createdBy()));
            }
            return out.build();
        });
    }

    static String json(FindCustomCrowdsRequest r) {
        try {
            return com.google.protobuf.util.JsonFormat.printer().print(r);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("a request does not print as JSON", e);
        }
    }

    static FindCustomCrowdsRequest request(String json) {
        try {
            FindCustomCrowdsRequest.Builder b = FindCustomCrowdsRequest.newBuilder();
            com.google.protobuf.util.JsonFormat.parser().merge(json, b);
            return b.build();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("a stored clustering is not a request: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- custom crowds

    /** The request with every default filled in; INVALID_ARGUMENT naming the field otherwise. */
    public static FindCustomCrowdsRequest filled(FindCustomCrowdsRequest r) {
        FindCustomCrowdsRequest.Builder b = r.toBuilder();
        if (r.getDimensionsCount() < 1 || r.getDimensionsCount() > 6) {
            throw Errors.invalid(
                    "dimensions", "1 to 6 profile fields (traits.*, tags.*), " + r.getDimensionsCount() + " given");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < r.getDimensionsCount(); i++) {
            String d = r.getDimensions(i);
            if (!(d.startsWith("traits.") || d.startsWith("tags.")) || d.indexOf('.') == d.length() - 1) {
                throw Errors.invalid("dimensions[" + i + "]", "a traits.* or tags.* field, was '" + d + "'");
            }
            if (!seen.add(d)) {
                throw Errors.invalid("dimensions[" + i + "]", d + " is given twice");
            }
        }
        if (r.getEventsCount() == 0) {
            b.addAllEvents(PREFERENCE_EVENTS);
        }
        for (int i = 0; i < b.getEventsCount(); i++) {
            if (b.getEvents(i).isBlank() || b.getEvents(i).length() > 200) {
                throw Errors.invalid("events[" + i + "]", "an event name of 1 to 200 characters");
            }
        }
        if (r.getEventsCount() > 20) {
            throw Errors.invalid("events", "at most 20 events");
        }
        if (r.getProperty().isEmpty()) {
            b.setProperty("category");
        }
        if (r.getWithinDays() < 0 || r.getWithinDays() > 36_500) {
            throw Errors.invalid("within_days", "1 to 36,500 days (0: 365), was " + r.getWithinDays());
        }
        if (r.getWithinDays() == 0) {
            b.setWithinDays(365);
        }
        if (r.getLeastMembers() < 0 || r.getLeastMembers() > 1_000_000) {
            throw Errors.invalid("least_members", "1 to 1,000,000 (0: 20), was " + r.getLeastMembers());
        }
        if (r.getLeastMembers() == 0) {
            b.setLeastMembers(20);
        }
        if (!(r.getSmoothing() >= 0 && r.getSmoothing() <= 10_000)) {
            throw Errors.invalid("smoothing", "0 to 10,000 pseudo-events (0: 10), was " + r.getSmoothing());
        }
        if (r.getSmoothing() == 0) {
            b.setSmoothing(10);
        }
        Preferences.Metric metric = metric(r.getMetric().isEmpty() ? "hellinger" : r.getMetric());
        b.setMetric(metric.name().toLowerCase(Locale.ROOT));
        if (r.getLinkage().isEmpty()) {
            b.setLinkage(metric == Preferences.Metric.HELLINGER ? "ward" : "average");
        }
        linkage(b.getLinkage());
        if (r.getChoice().isEmpty()) {
            b.setChoice("silhouette_and_gap");
        }
        ClusterCount.Choice choice = choice(b.getChoice());
        if (r.getMaxCount() < 0 || r.getMaxCount() > 30) {
            throw Errors.invalid("max_count", "1 to 30 crowds (0: 10), was " + r.getMaxCount());
        }
        if (r.getMaxCount() == 0) {
            b.setMaxCount(10);
        }
        if (choice == ClusterCount.Choice.FIXED && (r.getFixedCount() < 1 || r.getFixedCount() > 30)) {
            throw Errors.invalid("fixed_count", "1 to 30 crowds when the choice is fixed, was " + r.getFixedCount());
        }
        if (choice != ClusterCount.Choice.FIXED && r.getFixedCount() != 0) {
            throw Errors.invalid("fixed_count", "only with the choice fixed");
        }
        if (r.getReferences() < 0 || r.getReferences() > 200) {
            throw Errors.invalid("references", "1 to 200 reference sets (0: 20), was " + r.getReferences());
        }
        if (r.getReferences() == 0) {
            b.setReferences(20);
        }
        if (r.getSeed() == 0) {
            b.setSeed(1);
        }
        checkSaveAs(r.getSaveAs());
        if (r.getRerunEveryDays() < 0 || r.getRerunEveryDays() > 365) {
            throw Errors.invalid("rerun_every_days", "0 (never) to 365 days, was " + r.getRerunEveryDays());
        }
        if (r.getRerunEveryDays() > 0 && r.getSaveAs().isEmpty()) {
            throw Errors.invalid("rerun_every_days", "a clustering runs again only when saved: give save_as");
        }
        return b.build();
    }

    public static void checkSaveAs(String saveAs) {
        if (!saveAs.isEmpty() && !saveAs.matches("[A-Za-z0-9][A-Za-z0-9 _-]{0,39}")) {
            throw Errors.invalid("save_as", "letters, digits, spaces, '-' and '_', at most 40, was '" + saveAs + "'");
        }
    }

    static Preferences.Metric metric(String text) {
        return switch (text) {
            case "hellinger" -> Preferences.Metric.HELLINGER;
            case "jensen_shannon" -> Preferences.Metric.JENSEN_SHANNON;
            case "cosine" -> Preferences.Metric.COSINE;
            default -> throw Errors.invalid("metric", "hellinger, jensen_shannon or cosine, was '" + text + "'");
        };
    }

    static Agglomerative.Linkage linkage(String text) {
        return switch (text) {
            case "ward" -> Agglomerative.Linkage.WARD;
            case "average" -> Agglomerative.Linkage.AVERAGE;
            case "complete" -> Agglomerative.Linkage.COMPLETE;
            case "single" -> Agglomerative.Linkage.SINGLE;
            default -> throw Errors.invalid("linkage", "ward, average, complete or single, was '" + text + "'");
        };
    }

    static ClusterCount.Choice choice(String text) {
        return switch (text) {
            case "silhouette_and_gap" -> ClusterCount.Choice.SILHOUETTE_AND_GAP;
            case "silhouette" -> ClusterCount.Choice.SILHOUETTE;
            case "gap" -> ClusterCount.Choice.GAP;
            case "fixed" -> ClusterCount.Choice.FIXED;
            default ->
                throw Errors.invalid("choice", "silhouette_and_gap, silhouette, gap or fixed, was '" + text + "'");
        };
    }

    /** Finds the crowds of a filled request over every partition, and saves them when asked. */
    public Uni<FindCustomCrowdsResponse> customCrowds(FindCustomCrowdsRequest r, String by) {
        return customCrowds(r, by, false);
    }

    /** As {@link #customCrowds(FindCustomCrowdsRequest, String)}; a scheduled run leaves its schedule alone. */
    private Uni<FindCustomCrowdsResponse> customCrowds(FindCustomCrowdsRequest r, String by, boolean scheduled) {
        String tenant = r.getTenant();
        long asOf = System.currentTimeMillis();
        Uni<Void> base = r.getBaseSegmentId().isEmpty()
                ? Uni.createFrom().voidItem()
                : active(tenant, r.getBaseSegmentId(), "base_segment_id").replaceWithVoid();
        return base.chain(ok -> queries.plan()).chain(plan -> {
            List<Uni<List<PartialGroup>>> parts = new ArrayList<>();
            parts.add(ModelRuns.worker(() -> microGroupsHere(tenant, plan.here(), r, asOf)));
            plan.peers()
                    .forEach((peer, owned) ->
                            parts.add(replicas.call(peer, config.models().stepTimeout())
                                    .summarizeMicroGroups(SummarizeMicroGroupsRequest.newBuilder()
                                            .setTenant(tenant)
                                            .addAllPartitions(owned)
                                            .setRequest(r)
                                            .setAsOfMillis(asOf)
                                            .build())
                                    .map(SummarizeMicroGroupsResponse::getGroupsList)
                                    .onFailure()
                                    .transform(f -> AudienceQueries.moved(f, owned))));
            return Uni.join()
                    .all(parts)
                    .andFailFast()
                    .chain(all -> ModelRuns.worker(() -> cluster(r, all)))
                    .chain(found -> r.getSaveAs().isEmpty()
                            ? Uni.createFrom().item(found.response())
                            : saveCrowds(r, found, by).call(saved -> {
                                if (scheduled) {
                                    return Uni.createFrom().voidItem();
                                }
                                return r.getRerunEveryDays() > 0
                                        ? schedules.save(
                                                tenant,
                                                scheduleName(r.getSaveAs()),
                                                json(r),
                                                r.getRerunEveryDays(),
                                                saved.getChosen(),
                                                by)
                                        : schedules.remove(tenant, scheduleName(r.getSaveAs()));
                            }));
        });
    }

    /** Per micro-group of the base on these partitions: members, and events per category. */
    public List<PartialGroup> microGroupsHere(
            String tenant, List<Integer> partitions, FindCustomCrowdsRequest r, long asOfMillis) {
        Set<String> base = r.getBaseSegmentId().isEmpty()
                ? null
                : new HashSet<>(engine.members(tenant, r.getBaseSegmentId(), partitions));
        Instant now = Instant.ofEpochMilli(asOfMillis);
        Instant from = now.minus(Duration.ofDays(r.getWithinDays()));
        Map<List<String>, PartialGroup.Builder> groups = new LinkedHashMap<>();
        engine.readTables(tenant, partitions, table -> {
            table.live().forEach((int ordinal) -> {
                String id = table.profileId(ordinal);
                if (base != null && !base.contains(id)) {
                    return;
                }
                ProfileFacts facts = table.facts(ordinal);
                Map<String, Double> counts = new HashMap<>();
                for (String name : r.getEventsList()) {
                    for (ProfileFacts.EventFact e : facts.events(name)) {
                        if (e.at().isAfter(from) && !e.at().isAfter(now)) {
                            categories(e.properties(), r.getProperty(), c -> counts.merge(c, 1.0, Double::sum));
                        }
                    }
                }
                if (counts.isEmpty()) {
                    return;
                }
                List<String> values = new ArrayList<>();
                for (String d : r.getDimensionsList()) {
                    values.add(literal(facts.value(d)));
                }
                PartialGroup.Builder g = groups.computeIfAbsent(
                        values, v -> PartialGroup.newBuilder().addAllValues(v));
                g.setMembers(g.getMembers() + 1);
                counts.forEach((c, n) -> g.putCounts(c, g.getCountsOrDefault(c, 0) + n));
            });
            return null;
        });
        List<PartialGroup> out = new ArrayList<>();
        groups.values().forEach(g -> out.add(g.build()));
        return out;
    }

    /** The category values an event names: its property, or each of its products' (JSON list). */
    static void categories(Map<String, Object> properties, String property, java.util.function.Consumer<String> to) {
        Object value = properties.get(property);
        if (value instanceof String text && !text.isEmpty()) {
            to.accept(text);
            return;
        }
        if (properties.get("products") instanceof String list && list.startsWith("[")) {
            try {
                for (JsonNode item : JSON.readTree(list)) {
                    JsonNode c = item.path(property);
                    if (c.isTextual() && !c.asText().isEmpty()) {
                        to.accept(c.asText());
                    }
                }
            } catch (JsonProcessingException e) {
                // not a list of products: nothing to count
            }
        }
    }

    /** A field's value as a JSON literal ("null" when missing), so a saved crowd's rule can name it. */
    static String literal(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
        }
        if (value instanceof Boolean b) {
            return b.toString();
        }
        if (value instanceof java.util.Collection<?> || !(value instanceof String)) {
            return JSON.valueToTree(value.toString()).toString();
        }
        return JSON.valueToTree(value).toString();
    }

    /** What a clustering found, and every micro-group's values by key (for the saved rules). */
    record Found(FindCustomCrowdsResponse response, Map<String, List<String>> values) {}

    /** Merges the partials and clusters them. */
    static Found cluster(FindCustomCrowdsRequest r, List<List<PartialGroup>> parts) {
        Map<List<String>, long[]> members = new TreeMap<>(CrowdAnalyses::compare);
        Map<List<String>, Map<String, Double>> counts = new HashMap<>();
        Set<String> categories = new TreeSet<>();
        for (List<PartialGroup> part : parts) {
            for (PartialGroup g : part) {
                List<String> key = g.getValuesList();
                members.computeIfAbsent(key, k -> new long[1])[0] += g.getMembers();
                Map<String, Double> c = counts.computeIfAbsent(key, k -> new HashMap<>());
                g.getCountsMap().forEach((name, n) -> c.merge(name, n, Double::sum));
                categories.addAll(g.getCountsMap().keySet());
            }
        }
        List<String> names = List.copyOf(categories);
        List<CustomCrowds.Group> groups = new ArrayList<>();
        Map<String, List<String>> valuesOf = new HashMap<>();
        long consumers = 0;
        for (Map.Entry<List<String>, long[]> e : members.entrySet()) {
            valuesOf.put(key(e.getKey()), e.getKey());
            double[] v = new double[names.size()];
            Map<String, Double> c = counts.get(e.getKey());
            for (int i = 0; i < v.length; i++) {
                v[i] = c.getOrDefault(names.get(i), 0.0);
            }
            groups.add(new CustomCrowds.Group(key(e.getKey()), e.getKey(), e.getValue()[0], v));
            consumers += e.getValue()[0];
        }
        ClusterCount.Settings clustering = new ClusterCount.Settings(
                metric(r.getMetric()),
                linkage(r.getLinkage()),
                r.getMaxCount(),
                r.getReferences(),
                r.getSeed(),
                choice(r.getChoice()),
                r.getFixedCount());
        CustomCrowds.Result result;
        try {
            result = CustomCrowds.cluster(
                    groups, names.size(), new CustomCrowds.Settings(r.getLeastMembers(), r.getSmoothing(), clustering));
        } catch (IllegalArgumentException e) {
            throw Errors.precondition(e.getMessage());
        }
        FindCustomCrowdsResponse.Builder out = FindCustomCrowdsResponse.newBuilder()
                .setConsumers(consumers)
                .setMicroGroups(groups.size())
                .setClustered(result.clustered().size())
                .addAllCategories(names)
                .setChosen(result.count().chosen())
                .setMetric(r.getMetric())
                .setLinkage(r.getLinkage());
        result.count()
                .scores()
                .forEach(s -> out.addScores(CountScore.newBuilder()
                        .setK(s.k())
                        .setSilhouette(s.silhouette())
                        .setGap(s.gap())
                        .setGapError(s.gapError())));
        Map<String, Integer> crowdOf = new HashMap<>();
        for (int i = 0; i < result.keys().size(); i++) {
            crowdOf.put(result.keys().get(i), result.crowdOf()[i]);
        }
        for (CustomCrowds.Crowd c : result.crowds()) {
            CustomCrowd.Builder crowd = CustomCrowd.newBuilder()
                    .setNumber(c.number())
                    .setMembers(c.members())
                    .setPenetration(consumers == 0 ? 0 : (double) c.members() / consumers)
                    .addAllMicroGroups(c.groups());
            Integer[] byIndex = new Integer[names.size()];
            for (int i = 0; i < names.size(); i++) {
                crowd.addPreference(c.preference()[i]);
                crowd.addIndex(c.index()[i]);
                byIndex[i] = i;
            }
            java.util.Arrays.sort(byIndex, (a, b) -> Double.compare(c.index()[b], c.index()[a]));
            for (int i = 0; i < Math.min(5, byIndex.length); i++) {
                if (c.index()[byIndex[i]] > 100) {
                    crowd.addTopCategories(names.get(byIndex[i]));
                }
            }
            out.addCrowds(crowd);
        }
        for (CustomCrowds.Group g : result.clustered()) {
            out.addLeaves(MicroGroup.newBuilder()
                    .setKey(g.key())
                    .addAllValues(g.values())
                    .setMembers(g.members())
                    .setCrowd(crowdOf.getOrDefault(g.key(), 0)));
        }
        Dendrogram tree = result.tree();
        for (Dendrogram.Merge m : tree.merges()) {
            out.addMerges(Merge.newBuilder()
                    .setLeft(m.left())
                    .setRight(m.right())
                    .setHeight(m.height())
                    .setMembers(m.members()));
        }
        return new Found(out.build(), valuesOf);
    }

    /**
     * A micro-group's key: its values joined by "|", text unquoted unless it would read as a number,
     * true, false, null or two values (then quoted, as JSON): distinct values give distinct keys.
     */
    static String key(List<String> values) {
        List<String> parts = new ArrayList<>();
        for (String v : values) {
            String text = v;
            if (v.startsWith("\"")) {
                try {
                    text = JSON.readTree(v).asText();
                } catch (JsonProcessingException e) {
                    text = v;
                }
                // a text that reads as another kind of value, or as two, keeps its quotes: keys stay distinct
                if (text.matches("null|true|false|-?\\d+(\\.\\d+)?|\".*") || text.contains("|")) {
                    text = v;
                }
            }
            parts.add(text);
        }
        return String.join("|", parts);
    }

    private static int compare(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** Each crowd as a rule audience over its micro-groups' values (created, or a new version). */
    private Uni<FindCustomCrowdsResponse> saveCrowds(FindCustomCrowdsRequest r, Found result, String by) {
        FindCustomCrowdsResponse found = result.response();
        Map<String, List<String>> valuesOf = result.values();
        String prefix = segmentId(r.getSaveAs(), "");
        return segments.list(r.getTenant()).chain(existing -> {
            // a crowd saved again keeps the audience of the earlier crowd that shared most of its groups;
            // an audience of the name this feature did not save is never taken over (nothing written)
            Map<Integer, Set<String>> saved = new TreeMap<>();
            Set<Integer> held = new HashSet<>();
            for (Segment s : existing) {
                String rest = s.id().startsWith(prefix) ? s.id().substring(prefix.length()) : "";
                if (!rest.matches("[1-9][0-9]{0,8}")) {
                    continue;
                }
                if (s.kind() != Segment.Kind.RULE || !s.description().startsWith(CROWD_MARK)) {
                    throw Errors.invalid(
                            "save_as",
                            "audience " + s.id() + " exists and is not a saved custom crowd: choose another save_as");
                }
                int number = Integer.parseInt(rest);
                held.add(number);
                if (s.state() == Segment.State.ACTIVE) {
                    saved.put(number, groupsOf(s.definition()));
                }
            }
            List<Set<String>> crowds = new ArrayList<>();
            found.getCrowdsList().forEach(c -> crowds.add(new HashSet<>(c.getMicroGroupsList())));
            int[] audience = match(crowds, saved, held);
            FindCustomCrowdsResponse.Builder out = found.toBuilder();
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (int i = 0; i < found.getCrowdsCount(); i++) {
                CustomCrowd crowd = found.getCrowds(i);
                int index = i;
                String id = segmentId(r.getSaveAs(), String.valueOf(audience[i]));
                String name = r.getSaveAs() + " " + audience[i];
                String definition = crowdDefinition(r, crowd, valuesOf);
                String description = CROWD_MARK + " over " + String.join(", ", r.getDimensionsList()) + "; prefers "
                        + String.join(", ", crowd.getTopCategoriesList());
                chain = chain.chain(ok -> upsert(
                                r.getTenant(), id, name, description, Segment.Kind.RULE, definition, by)
                        .invoke(kept -> out.setCrowds(
                                index, out.getCrowds(index).toBuilder().setSegmentId(kept.id())))
                        .replaceWithVoid());
            }
            // an earlier crowd no crowd of this run continues is archived (kept, with its history)
            Set<Integer> continued = new HashSet<>();
            for (int a : audience) {
                continued.add(a);
            }
            for (int number : saved.keySet()) {
                if (!continued.contains(number)) {
                    String id = segmentId(r.getSaveAs(), String.valueOf(number));
                    chain = chain.chain(ok -> commands.setState(r.getTenant(), id, Segment.State.ARCHIVED, by)
                            .replaceWithVoid()
                            .onFailure()
                            .recoverWithItem(f -> {
                                LOG.warnf("custom crowd %s not archived: %s", id, LogSafe.text(ModelRuns.why(f)));
                                return null;
                            }));
                }
            }
            return chain.map(ok -> out.build());
        });
    }

    /**
     * The audience number of each crowd: the earlier crowd sharing most of its micro-groups (pairs
     * taken greedily, largest overlap first; ties to the smaller crowd index, then number), or for a
     * crowd continuing none the smallest number no earlier crowd holds.
     */
    static int[] match(List<Set<String>> crowds, Map<Integer, Set<String>> saved) {
        return match(crowds, saved, saved.keySet());
    }

    /** As above; {@code held}: every number an audience of the name holds (archived ones too), never reused. */
    static int[] match(List<Set<String>> crowds, Map<Integer, Set<String>> saved, Set<Integer> held) {
        List<int[]> pairs = new ArrayList<>();
        for (int c = 0; c < crowds.size(); c++) {
            for (Map.Entry<Integer, Set<String>> e : saved.entrySet()) {
                int shared = 0;
                for (String g : crowds.get(c)) {
                    shared += e.getValue().contains(g) ? 1 : 0;
                }
                if (shared > 0) {
                    pairs.add(new int[] {shared, c, e.getKey()});
                }
            }
        }
        pairs.sort((p, q) -> p[0] != q[0]
                ? Integer.compare(q[0], p[0])
                : p[1] != q[1] ? Integer.compare(p[1], q[1]) : Integer.compare(p[2], q[2]));
        int[] out = new int[crowds.size()];
        Set<Integer> taken = new HashSet<>();
        for (int[] p : pairs) {
            if (out[p[1]] == 0 && !taken.contains(p[2])) {
                out[p[1]] = p[2];
                taken.add(p[2]);
            }
        }
        int next = 1;
        for (int c = 0; c < out.length; c++) {
            if (out[c] == 0) {
                while (taken.contains(next) || held.contains(next)) {
                    next++;
                }
                out[c] = next;
                taken.add(next);
            }
        }
        return out;
    }

    /** The micro-group keys a saved crowd's rule names (its "any" of "all"s over the dimensions). */
    static Set<String> groupsOf(String definition) {
        Set<String> out = new HashSet<>();
        if (definition == null) {
            return out;
        }
        try {
            JsonNode rule = JSON.readTree(definition);
            JsonNode any = rule.has("any")
                    ? rule.path("any")
                    : rule.path("all").path(1).path("any");
            for (JsonNode group : any) {
                List<String> values = new ArrayList<>();
                for (JsonNode leaf : group.path("all")) {
                    values.add(
                            leaf.path("op").asText().equals("missing")
                                    ? "null"
                                    : leaf.path("value").toString());
                }
                out.add(key(values));
            }
        } catch (JsonProcessingException e) {
            // not a rule this service wrote: it continues no crowd
        }
        return out;
    }

    /** The rule of a crowd: in the base (if any), and in one of its micro-groups (the small ones too). */
    static String crowdDefinition(FindCustomCrowdsRequest r, CustomCrowd crowd, Map<String, List<String>> valuesOf) {
        ArrayNode any = JSON.createArrayNode();
        for (String key : crowd.getMicroGroupsList()) {
            List<String> values = valuesOf.get(key);
            ArrayNode all = JSON.createArrayNode();
            for (int d = 0; d < r.getDimensionsCount(); d++) {
                ObjectNode leaf = all.addObject().put("field", r.getDimensions(d));
                if (values.get(d).equals("null")) {
                    leaf.put("op", "missing");
                } else {
                    leaf.put("op", "eq");
                    try {
                        leaf.set("value", JSON.readTree(values.get(d)));
                    } catch (JsonProcessingException e) {
                        leaf.put("value", values.get(d));
                    }
                }
            }
            any.addObject().set("all", all);
        }
        ObjectNode inGroups = JSON.createObjectNode();
        inGroups.set("any", any);
        if (r.getBaseSegmentId().isEmpty()) {
            return inGroups.toString();
        }
        ObjectNode rule = JSON.createObjectNode();
        ArrayNode both = rule.putArray("all");
        both.addObject().put("segment", r.getBaseSegmentId());
        both.add(inGroups);
        return rule.toString();
    }

    /** A schedule's name: the audiences' ids' prefix ("Brand crowd" and "brand crowd" are one). */
    static String scheduleName(String saveAs) {
        String prefix = segmentId(saveAs, "");
        return prefix.substring(0, prefix.length() - 1);
    }

    static String segmentId(String saveAs, String suffix) {
        return (saveAs + "-" + suffix).toLowerCase(Locale.ROOT).replace(' ', '_');
    }

    /** An active audience, created or given a new version (its id, and so its size history, kept). */
    private Uni<Segment> upsert(
            String tenant,
            String id,
            String name,
            String description,
            Segment.Kind kind,
            String definition,
            String by) {
        return segments.find(tenant, id).chain(current -> {
            if (current == null) {
                return commands.create(tenant, id, name, description, kind, definition, Segment.State.ACTIVE, by);
            }
            if (current.kind() != kind) {
                throw Errors.precondition("audience " + id + " exists and is "
                        + current.kind().name().toLowerCase(Locale.ROOT) + ": choose another save_as");
            }
            Uni<Segment> updated = kind == Segment.Kind.RULE && !definition.equals(current.definition())
                    ? commands.update(tenant, id, name, description, definition, current.version(), by)
                    : Uni.createFrom().item(current);
            return updated.chain(s -> s.state() == Segment.State.ACTIVE
                    ? Uni.createFrom().item(s)
                    : commands.setState(tenant, id, Segment.State.ACTIVE, by));
        });
    }

    private Uni<Segment> active(String tenant, String id, String field) {
        return segments.find(tenant, id).map(s -> {
            if (s == null) {
                throw Errors.invalid(field, "no audience " + id + " in tenant " + tenant);
            }
            if (s.state() != Segment.State.ACTIVE) {
                throw Errors.invalid(field, "audience " + id + " is not active");
            }
            return s;
        });
    }

    // ---------------------------------------------------------------- trends

    /** Crowds over time from their recorded sizes; INVALID_ARGUMENT naming the field, NOT_FOUND. */
    public Uni<GetCrowdTrendsResponse> trends(GetCrowdTrendsRequest r) {
        String tenant = r.getTenant();
        if (r.getSegmentIdsCount() < 1 || r.getSegmentIdsCount() > 30) {
            throw Errors.invalid("segment_ids", "1 to 30 audiences, " + r.getSegmentIdsCount() + " given");
        }
        if (new HashSet<>(r.getSegmentIdsList()).size() != r.getSegmentIdsCount()) {
            throw Errors.invalid("segment_ids", "an audience is named twice");
        }
        Trends.Period period = switch (r.getPeriod()) {
            case "", "month" -> Trends.Period.MONTH;
            case "week" -> Trends.Period.WEEK;
            case "day" -> Trends.Period.DAY;
            default -> throw Errors.invalid("period", "day, week or month, was '" + r.getPeriod() + "'");
        };
        LocalDate to = r.getTo().isEmpty() ? engine.today() : day("to", r.getTo());
        if (to.isAfter(engine.today())) {
            throw Errors.invalid("to", "the last day cannot be after today (" + engine.today() + ")");
        }
        LocalDate from = r.getFrom().isEmpty() ? period.start(to) : day("from", r.getFrom());
        if (r.getFrom().isEmpty()) {
            for (int i = 0; i < 11; i++) {
                from = period.start(from.minusDays(1));
            }
        }
        if (to.isBefore(from)) {
            throw Errors.invalid("to", "the last day (" + to + ") is before the first (" + from + ")");
        }
        LocalDate first = from;
        // a size recorded before the first period still tells its first end
        LocalDate since = period.start(from).minusDays(400);
        List<String> ids = new ArrayList<>(r.getSegmentIdsList());
        List<Uni<Segment>> found = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String field = "segment_ids[" + i + "]";
            String id = ids.get(i);
            found.add(segments.find(tenant, id).map(s -> {
                if (s == null) {
                    throw Errors.notFound("no audience " + id + " in tenant " + tenant + " (" + field + ")");
                }
                return s;
            }));
        }
        boolean[] baseActive = {false};
        Uni<NavigableMap<LocalDate, Long>> base = r.getBaseSegmentId().isEmpty()
                ? Uni.createFrom().nullItem()
                : segments.find(tenant, r.getBaseSegmentId()).chain(s -> {
                    if (s == null) {
                        throw Errors.invalid("base_segment_id", "no audience " + r.getBaseSegmentId());
                    }
                    baseActive[0] = s.state() == Segment.State.ACTIVE;
                    return segments.sizes(tenant, s.id(), since).map(CrowdAnalyses::byDay);
                });
        // the period holding today ends now: the live sizes of the active audiences, not the last recorded
        LocalDate today = engine.today();
        boolean live = !to.isBefore(today);
        return base.chain(denominator -> Uni.join().all(found).andFailFast().chain(all -> {
            List<Uni<NavigableMap<LocalDate, Long>>> sizes = new ArrayList<>();
            for (Segment s : all) {
                sizes.add(segments.sizes(tenant, s.id(), since).map(CrowdAnalyses::byDay));
            }
            List<String> active = new ArrayList<>();
            all.stream().filter(s -> s.state() == Segment.State.ACTIVE).forEach(s -> active.add(s.id()));
            if (live && baseActive[0]) {
                active.add(r.getBaseSegmentId());
            }
            Uni<AudienceQueries.Sizes> now = live
                    ? queries.sizes(tenant, active)
                    : Uni.createFrom().item(new AudienceQueries.Sizes(Map.of(), 0, true));
            return Uni.join()
                    .all(sizes)
                    .andFailFast()
                    .chain(series -> now.map(current -> {
                        Map<String, NavigableMap<LocalDate, Long>> byId = new LinkedHashMap<>();
                        for (int i = 0; i < all.size(); i++) {
                            NavigableMap<LocalDate, Long> days = series.get(i);
                            if (current.complete()
                                    && current.sizes().containsKey(all.get(i).id())) {
                                days.put(today, current.of(all.get(i).id()));
                            }
                            byId.put(all.get(i).id(), days);
                        }
                        if (denominator != null
                                && current.complete()
                                && current.sizes().containsKey(r.getBaseSegmentId())) {
                            denominator.put(today, current.of(r.getBaseSegmentId()));
                        }
                        Map<String, List<Trends.Point>> points;
                        try {
                            points = Trends.of(byId, denominator, period, first, to);
                        } catch (IllegalArgumentException e) {
                            throw Errors.invalid("from", e.getMessage());
                        }
                        GetCrowdTrendsResponse.Builder out = GetCrowdTrendsResponse.newBuilder();
                        List<Trends.Point> any = points.values().iterator().next();
                        any.forEach(p -> out.addPeriods(p.period().toString()));
                        for (Segment s : all) {
                            CrowdTrend.Builder trend =
                                    CrowdTrend.newBuilder().setSegmentId(s.id()).setName(s.name());
                            for (Trends.Point p : points.get(s.id())) {
                                trend.addPoints(TrendPoint.newBuilder()
                                        .setPeriod(p.period().toString())
                                        .setSize(p.size())
                                        .setPenetration(p.penetration())
                                        .setGrowth(p.growth()));
                            }
                            out.addCrowds(trend);
                        }
                        return out.build();
                    }));
        }));
    }

    private static LocalDate day(String field, String text) {
        try {
            return LocalDate.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw Errors.invalid(field, "a day in ISO 8601 (2026-11-01), was '" + text + "'");
        }
    }

    private static NavigableMap<LocalDate, Long> byDay(List<SegmentRepository.DailySize> sizes) {
        NavigableMap<LocalDate, Long> out = new TreeMap<>();
        sizes.forEach(d -> out.put(d.day(), d.size()));
        return out;
    }

    // ---------------------------------------------------------------- reverse funnel

    /** The reverse funnel of a checked request over every partition; its tiers saved when asked. */
    public Uni<AnalyzeReverseFunnelResponse> reverseFunnel(AnalyzeReverseFunnelRequest r, String by) {
        String tenant = r.getTenant();
        long asOf = System.currentTimeMillis();
        Uni<Void> core = r.getCoreSegmentId().isEmpty()
                ? Uni.createFrom().voidItem()
                : active(tenant, r.getCoreSegmentId(), "core_segment_id").replaceWithVoid();
        return core.chain(ok -> queries.plan()).chain(plan -> {
            List<Uni<List<FunnelRow>>> parts = new ArrayList<>();
            parts.add(ModelRuns.worker(() -> funnelRowsHere(tenant, plan.here(), r.getCoreSegmentId(), asOf)));
            plan.peers()
                    .forEach((peer, owned) -> parts.add(replicas.call(
                                    peer, config.models().stepTimeout())
                            .collectFunnelRows(CollectFunnelRowsRequest.newBuilder()
                                    .setTenant(tenant)
                                    .addAllPartitions(owned)
                                    .setCoreSegmentId(r.getCoreSegmentId())
                                    .setAsOfMillis(asOf)
                                    .build())
                            .map(CollectFunnelRowsResponse::getRowsList)
                            .onFailure()
                            .transform(f -> tooMany(f)
                                    ? Errors.precondition("the funnel's rows of partitions "
                                            + owned + " exceed what one answer carries: too many profiles for the"
                                            + " reverse funnel (docs/crowds.md)")
                                    : AudienceQueries.moved(f, owned))));
            return Uni.join().all(parts).andFailFast().chain(all -> {
                List<FunnelRow> rows = new ArrayList<>();
                all.forEach(rows::addAll);
                return ModelRuns.worker(() -> funnel(r, rows))
                        .chain(result -> r.getSaveAs().isEmpty()
                                ? Uni.createFrom().item(result.response().build())
                                : saveTiers(r, result, by));
            });
        });
    }

    private static boolean tooMany(Throwable f) {
        return f instanceof io.grpc.StatusRuntimeException e
                && e.getStatus().getCode() == io.grpc.Status.Code.RESOURCE_EXHAUSTED;
    }

    /** Per profile on these partitions: what the tiers, the look-alike and the chains read. */
    public List<FunnelRow> funnelRowsHere(String tenant, List<Integer> partitions, String coreId, long asOfMillis) {
        Set<String> core = coreId.isEmpty() ? null : new HashSet<>(engine.members(tenant, coreId, partitions));
        Condition advocates = core == null ? commands.parse(tenant, "core_segment_id", ADVOCATES) : null;
        Instant now = Instant.ofEpochMilli(asOfMillis);
        Instant from = now.minus(YEAR);
        List<FunnelRow> out = new ArrayList<>();
        engine.readTables(tenant, partitions, table -> {
            Evaluator.Context context = new Evaluator.Context(now, table.zone(), id -> false);
            table.live().forEach((int ordinal) -> out.add(row(table, ordinal, core, advocates, context, from, now)));
            return null;
        });
        return out;
    }

    private static FunnelRow row(
            ProfileTable table,
            int ordinal,
            Set<String> core,
            Condition advocates,
            Evaluator.Context context,
            Instant from,
            Instant now) {
        String id = table.profileId(ordinal);
        ProfileFacts facts = table.facts(ordinal);
        FunnelRow.Builder row = FunnelRow.newBuilder()
                .setProfileId(id)
                .setCore(core != null ? core.contains(id) : Evaluator.matches(advocates, facts, context));
        for (String field : FEATURE_TEXTS) {
            Object v = facts.value(field);
            if (v != null) {
                row.putTexts(field, literal(v));
            }
        }
        if (facts.value("traits.age") instanceof Number age) {
            row.putNumbers("traits.age", age.doubleValue());
        }
        for (String name : FEATURE_EVENTS) {
            long n = 0;
            for (ProfileFacts.EventFact e : facts.events(name)) {
                if (e.at().isAfter(from) && !e.at().isAfter(now)) {
                    n++;
                }
            }
            row.putNumbers("events." + name, n);
        }
        if (facts.value("orders.count") instanceof Number orders) {
            row.setOrders(orders.longValue());
        }
        if (facts.value("orders.revenue") instanceof Number revenue) {
            row.setRevenue(revenue.doubleValue());
        }
        for (ProfileFacts.EventFact e : facts.events("Invite Sent")) {
            if (e.properties().get("invite_code") instanceof String code && !code.isEmpty()) {
                row.addInviteCodes(code);
            }
        }
        for (ProfileFacts.EventFact e : facts.events("Signed Up")) {
            if (e.properties().get("invite_code") instanceof String code && !code.isEmpty()) {
                row.setSignedUpCode(code);
                break;
            }
        }
        return row.build();
    }

    /** What the funnel found, and the high-potential profiles' ids (to save). */
    record Funnel(AnalyzeReverseFunnelResponse.Builder response, List<String> highPotential) {}

    static Funnel funnel(AnalyzeReverseFunnelRequest r, List<FunnelRow> given) {
        List<FunnelRow> rows = new ArrayList<>(given);
        rows.sort(java.util.Comparator.comparing(FunnelRow::getProfileId));
        int n = rows.size();
        boolean[] seeds = new boolean[n];
        int cores = 0;
        for (int i = 0; i < n; i++) {
            seeds[i] = rows.get(i).getCore();
            cores += seeds[i] ? 1 : 0;
        }
        if (cores < 5) {
            throw Errors.precondition("the core holds " + cores + " profiles: at least 5 are needed to expand from");
        }
        if (n - cores < 1) {
            throw Errors.precondition("every profile is in the core: nothing to expand to");
        }
        Lookalike.Method method =
                "centroid".equals(r.getMethod()) ? Lookalike.Method.CENTROID : Lookalike.Method.POSITIVE_UNLABELED;
        long expansion = r.getExpansion() == 0 ? 4L * cores : r.getExpansion();
        int k = (int) Math.min(expansion, n - cores);
        double hidden = r.getHiddenShare() == 0 ? 0.2 : r.getHiddenShare();
        long seed = r.getSeed() == 0 ? 1 : r.getSeed();

        // features: an indicator per text value (the most frequent, at most 40 per field), numbers
        Map<String, Map<String, Integer>> frequency = new TreeMap<>();
        Set<String> numbers = new TreeSet<>();
        for (FunnelRow row : rows) {
            row.getTextsMap()
                    .forEach((f, v) ->
                            frequency.computeIfAbsent(f, x -> new HashMap<>()).merge(v, 1, Integer::sum));
            numbers.addAll(row.getNumbersMap().keySet());
        }
        List<String> features = new ArrayList<>();
        Map<String, Integer> column = new HashMap<>();
        frequency.forEach((field, values) -> values.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue()
                        .reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(MOST_VALUES)
                .forEach(e -> {
                    column.put(field + "=" + e.getKey(), features.size());
                    features.add(field + "=" + e.getKey());
                }));
        for (String number : numbers) {
            column.put(number, features.size());
            features.add(number);
        }
        double[][] x = new double[n][features.size()];
        for (int i = 0; i < n; i++) {
            FunnelRow row = rows.get(i);
            double[] v = x[i];
            row.getTextsMap().forEach((f, value) -> {
                Integer c = column.get(f + "=" + value);
                if (c != null) {
                    v[c] = 1;
                }
            });
            row.getNumbersMap().forEach((f, value) -> {
                v[column.get(f)] = f.startsWith("events.") ? Math.log1p(Math.max(0, value)) : value;
            });
        }
        long hide = Math.round(cores * hidden);
        if (cores < 10 || hide < 1 || hide >= cores) {
            throw Errors.precondition("the core holds " + cores + " profiles: hiding " + hidden + " of them leaves "
                    + hide + " hidden; at least 10 core profiles and one hidden and one kept are needed");
        }
        Lookalike.Quality quality;
        double[] scores;
        try {
            quality = Lookalike.quality(x, seeds, method, hidden, k, seed);
            scores = Lookalike.expand(x, seeds, method, seed).scores();
        } catch (IllegalArgumentException e) {
            throw Errors.precondition("the look-alike cannot expand this core: " + e.getMessage());
        }
        Integer[] ranked = Lookalike.rankedNonSeeds(scores, seeds);
        boolean[] high = new boolean[n];
        List<String> highIds = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            high[ranked[i]] = true;
            highIds.add(rows.get(ranked[i]).getProfileId());
        }

        // tiers
        String[] names = {"core", "high_potential", "broad"};
        long[] size = new long[3];
        long[] buyers = new long[3];
        double[] revenue = new double[3];
        for (int i = 0; i < n; i++) {
            int t = seeds[i] ? 0 : high[i] ? 1 : 2;
            size[t]++;
            buyers[t] += rows.get(i).getOrders() > 0 ? 1 : 0;
            revenue[t] += rows.get(i).getRevenue();
        }
        double total = revenue[0] + revenue[1] + revenue[2];
        AnalyzeReverseFunnelResponse.Builder out = AnalyzeReverseFunnelResponse.newBuilder()
                .setProfiles(n)
                .addAllFeatures(features)
                .setMethod(method.name().toLowerCase(Locale.ROOT));
        for (int t = 0; t < 3; t++) {
            out.addTiers(Tier.newBuilder()
                    .setTier(names[t])
                    .setSize(size[t])
                    .setPenetration((double) size[t] / n)
                    .setBuyers(buyers[t])
                    .setConversion(size[t] == 0 ? 0 : (double) buyers[t] / size[t])
                    .setRevenue(revenue[t])
                    .setRevenueShare(total == 0 ? 0 : revenue[t] / total)
                    .setRevenuePerMember(size[t] == 0 ? 0 : revenue[t] / size[t]));
        }
        out.setQuality(LookalikeQuality.newBuilder()
                .setHidden(quality.hidden())
                .setRanked(quality.ranked())
                .setK(quality.k())
                .setFound(quality.found())
                .setRecallAtK(quality.recallAtK())
                .setBaseRate(quality.baseRate())
                .setLiftAtK(quality.liftAtK()));
        out.setReferrals(referrals(rows, seeds, high));
        return new Funnel(out, highIds);
    }

    /** Who brought whom through invite codes, and K per cohort. */
    static ReferralSpread referrals(List<FunnelRow> rows, boolean[] core, boolean[] high) {
        Map<String, String> inviterOf = new HashMap<>();
        Map<String, Long> sent = new LinkedHashMap<>();
        for (FunnelRow row : rows) {
            for (String code : row.getInviteCodesList()) {
                inviterOf.putIfAbsent(code, row.getProfileId());
            }
            if (row.getInviteCodesCount() > 0) {
                sent.put(row.getProfileId(), (long) row.getInviteCodesCount());
            }
        }
        List<Referrals.SignUp> signUps = new ArrayList<>();
        for (FunnelRow row : rows) {
            String referrer = row.getSignedUpCode().isEmpty() ? null : inviterOf.get(row.getSignedUpCode());
            if (referrer != null && !referrer.equals(row.getProfileId())) {
                signUps.add(new Referrals.SignUp(row.getProfileId(), referrer));
            }
        }
        Referrals.Chains chains = Referrals.chains(signUps, sent);
        ReferralSpread.Builder out = ReferralSpread.newBuilder()
                .setReferred(chains.referrerOf().size())
                .setMaxDepth(Math.max(0, chains.maxDepth()))
                .addAllByDepth(chains.byDepth())
                .setUnrooted(chains.unrooted());
        // who brought the most: sign-ups brought, and every profile down the chains
        Map<String, List<String>> brought = new HashMap<>();
        chains.referrerOf()
                .forEach((profile, referrer) -> brought.computeIfAbsent(referrer, x -> new ArrayList<>())
                        .add(profile));
        List<String[]> top = new ArrayList<>();
        for (String referrer : brought.keySet()) {
            long reached = 0;
            java.util.ArrayDeque<String> next = new java.util.ArrayDeque<>(brought.get(referrer));
            Set<String> seen = new HashSet<>();
            while (!next.isEmpty()) {
                String p = next.poll();
                if (seen.add(p)) {
                    reached++;
                    next.addAll(brought.getOrDefault(p, List.of()));
                }
            }
            top.add(new String[] {referrer, String.valueOf(reached)});
        }
        top.sort((a, b) -> {
            int c = Long.compare(Long.parseLong(b[1]), Long.parseLong(a[1]));
            c = c != 0
                    ? c
                    : Integer.compare(
                            brought.get(b[0]).size(), brought.get(a[0]).size());
            return c != 0 ? c : a[0].compareTo(b[0]);
        });
        for (String[] t : top.subList(0, Math.min(20, top.size()))) {
            out.addTopReferrers(Referrer.newBuilder()
                    .setProfileId(t[0])
                    .setDepth(chains.depth().getOrDefault(t[0], 0))
                    .setBrought(brought.get(t[0]).size())
                    .setReached(Long.parseLong(t[1])));
        }
        Map<String, List<String>> cohorts = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            if (core[i]) {
                cohorts.computeIfAbsent("core", c -> new ArrayList<>())
                        .add(rows.get(i).getProfileId());
            } else if (high[i]) {
                cohorts.computeIfAbsent("high_potential", c -> new ArrayList<>())
                        .add(rows.get(i).getProfileId());
            }
        }
        for (int d = 0; d <= chains.maxDepth(); d++) {
            List<String> at = chains.atDepth(d);
            if (!at.isEmpty()) {
                cohorts.put("depth_" + d, at);
            }
        }
        cohorts.forEach((name, members) -> {
            Referrals.Cohort c = chains.cohort(name, members);
            out.addCohorts(Cohort.newBuilder()
                    .setCohort(c.cohort())
                    .setUsers(c.users())
                    .setInviters(c.inviters())
                    .setInvites(c.invites())
                    .setConverted(c.converted())
                    .setInvitesPerUser(c.invitesPerUser())
                    .setConversion(c.conversion())
                    .setK(c.k())
                    .setKLow(c.kLow())
                    .setKHigh(c.kHigh())
                    .setKPerInviter(c.inviters() == 0 ? 0 : (double) c.converted() / c.inviters()));
        });
        return out.build();
    }

    /** The tiers as audiences: the core as a rule, high potential static (set anew), broad the rest. */
    private Uni<AnalyzeReverseFunnelResponse> saveTiers(AnalyzeReverseFunnelRequest r, Funnel funnel, String by) {
        String tenant = r.getTenant();
        String coreId = segmentId(r.getSaveAs(), "core");
        String highId = segmentId(r.getSaveAs(), "high_potential");
        String broadId = segmentId(r.getSaveAs(), "broad");
        String coreRule = r.getCoreSegmentId().isEmpty()
                ? ADVOCATES
                : JSON.createObjectNode().put("segment", r.getCoreSegmentId()).toString();
        String broadRule = "{\"all\": [{\"not\": {\"segment\": \"" + coreId + "\"}}, {\"not\": {\"segment\": \""
                + highId + "\"}}]}";
        AnalyzeReverseFunnelResponse.Builder out = funnel.response();
        Map<String, Segment.Kind> kinds =
                Map.of(coreId, Segment.Kind.RULE, highId, Segment.Kind.STATIC, broadId, Segment.Kind.RULE);
        // an audience of these ids the funnel did not save is never taken over (nothing written)
        Uni<Void> checked = segments.list(tenant)
                .invoke(existing -> {
                    for (Segment s : existing) {
                        Segment.Kind kind = kinds.get(s.id());
                        if (kind != null
                                && (s.kind() != kind || !s.description().startsWith(TIER_MARK))) {
                            throw Errors.invalid(
                                    "save_as",
                                    "audience " + s.id()
                                            + " exists and is not a saved funnel tier: choose another save_as");
                        }
                    }
                })
                .replaceWithVoid();
        return checked.chain(none -> upsert(
                        tenant,
                        coreId,
                        r.getSaveAs() + " core",
                        "reverse funnel: the core",
                        Segment.Kind.RULE,
                        coreRule,
                        by))
                .chain(ok -> upsert(
                        tenant,
                        highId,
                        r.getSaveAs() + " high potential",
                        "reverse funnel: the profiles most like the core (look-alike, set by the last analysis)",
                        Segment.Kind.STATIC,
                        null,
                        by))
                .chain(ok -> queries.setStatic(
                        tenant, highId, new LinkedHashSet<>(funnel.highPotential()), StaticMode.STATIC_MODE_REPLACE))
                .chain(ok -> upsert(
                        tenant,
                        broadId,
                        r.getSaveAs() + " broad",
                        "reverse funnel: neither core nor high potential",
                        Segment.Kind.RULE,
                        broadRule,
                        by))
                .map(ok -> {
                    String[] ids = {coreId, highId, broadId};
                    for (int t = 0; t < out.getTiersCount(); t++) {
                        out.setTiers(t, out.getTiers(t).toBuilder().setSegmentId(ids[t]));
                    }
                    return out.build();
                });
    }
}
