package io.strata.insight.grpc;

import static io.strata.insight.grpc.InsightGrpcService.bounded;
import static io.strata.insight.grpc.InsightGrpcService.cohort;
import static io.strata.insight.grpc.InsightGrpcService.level;
import static io.strata.insight.grpc.InsightGrpcService.limit;
import static io.strata.insight.grpc.InsightGrpcService.noAudience;
import static io.strata.insight.grpc.InsightGrpcService.optional;
import static io.strata.insight.grpc.InsightGrpcService.part;
import static io.strata.insight.grpc.InsightGrpcService.period;
import static io.strata.insight.grpc.InsightGrpcService.ranged;
import static io.strata.insight.grpc.InsightGrpcService.required;
import static io.strata.insight.grpc.InsightGrpcService.tgiRow;
import static io.strata.insight.grpc.InsightGrpcService.timestamp;

import com.google.protobuf.Timestamp;
import io.smallrye.mutiny.Uni;
import io.strata.insight.association.Baskets;
import io.strata.insight.feed.FeedLoop;
import io.strata.insight.funnel.Funnel;
import io.strata.insight.funnel.Step;
import io.strata.insight.grow.Grow;
import io.strata.insight.query.ActivityQuery;
import io.strata.insight.query.Dimensions;
import io.strata.insight.query.FeatureIndex;
import io.strata.insight.query.FunnelQuery;
import io.strata.insight.query.Insights;
import io.strata.insight.query.RetentionQuery;
import io.strata.insight.repository.CostRepository;
import io.strata.insight.retention.Retention;
import io.strata.insight.service.FeatureIndexes;
import io.strata.insight.store.EventStore;
import io.strata.insight.tgi.Tgi;
import io.strata.platform.errors.Errors;
import io.strata.proto.insight.v1.ActivityPartial;
import io.strata.proto.insight.v1.ActivityPeriod;
import io.strata.proto.insight.v1.Basket;
import io.strata.proto.insight.v1.BasketsPartial;
import io.strata.proto.insight.v1.CategoryFigures;
import io.strata.proto.insight.v1.ChannelAcquisition;
import io.strata.proto.insight.v1.ChannelEconomics;
import io.strata.proto.insight.v1.ComputePartialResponse;
import io.strata.proto.insight.v1.ContentEconomics;
import io.strata.proto.insight.v1.CreatorReach;
import io.strata.proto.insight.v1.EconomicsPartial;
import io.strata.proto.insight.v1.EventCount;
import io.strata.proto.insight.v1.FeatureCounts;
import io.strata.proto.insight.v1.FunnelExclusion;
import io.strata.proto.insight.v1.FunnelGroupCells;
import io.strata.proto.insight.v1.FunnelPartial;
import io.strata.proto.insight.v1.FunnelStepCells;
import io.strata.proto.insight.v1.GetActivityRequest;
import io.strata.proto.insight.v1.GetActivityResponse;
import io.strata.proto.insight.v1.GetAssociationRulesRequest;
import io.strata.proto.insight.v1.GetEconomicsRequest;
import io.strata.proto.insight.v1.GetEconomicsResponse;
import io.strata.proto.insight.v1.GetFunnelRequest;
import io.strata.proto.insight.v1.GetFunnelResponse;
import io.strata.proto.insight.v1.GetGrowRequest;
import io.strata.proto.insight.v1.GetGrowResponse;
import io.strata.proto.insight.v1.GetInsightStatusResponse;
import io.strata.proto.insight.v1.GetRetentionRequest;
import io.strata.proto.insight.v1.GetRetentionResponse;
import io.strata.proto.insight.v1.GetTgiRequest;
import io.strata.proto.insight.v1.GetTgiResponse;
import io.strata.proto.insight.v1.GrowPartial;
import io.strata.proto.insight.v1.InsightReplicaState;
import io.strata.proto.insight.v1.RetentionCohort;
import io.strata.proto.insight.v1.RetentionTable;
import io.strata.proto.insight.v1.StatusPartial;
import io.strata.proto.insight.v1.TgiPartial;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.roaringbitmap.RoaringBitmap;

/**
 * The analyses that add up over the feed's partitions (TGI, association rules, funnels, retention,
 * GROW, content and channel economics, activity, the store's status), in three parts: the request
 * checked ({@code ask}), a partial answer over some partitions of this replica's store ({@code partial}: counts and sums per feature, cohort and category), and the
 * answer finished from the partials of every partition ({@code finish}: indexes, intervals and
 * tests, rates, the decomposition). Alone, a replica finishes its own single partial; with peers,
 * {@link io.strata.insight.service.ReplicaQueries} gathers theirs.
 */
@ApplicationScoped
public class Partials {

    private final EventStore store;
    private final FeatureIndexes indexes;
    private final FeedLoop feed;
    private final io.strata.insight.client.Replicas replicas;

    public Partials(
            EventStore store, FeatureIndexes indexes, FeedLoop feed, io.strata.insight.client.Replicas replicas) {
        this.store = store;
        this.indexes = indexes;
        this.feed = feed;
        this.replicas = replicas;
    }

    /** This replica as its peers see it. */
    public InsightReplicaState state() {
        return InsightReplicaState.newBuilder()
                .setReplicaId(replicas.id())
                .addAllLivePartitions(feed.live())
                .setFeedLagRecords(feed.lag())
                .build();
    }

    @FunctionalInterface
    interface Work {
        ComputePartialResponse.Builder run(Insights insights, Connection connection) throws SQLException;
    }

    /** Work over the partitions' part of the store (null: all of it), on a worker thread. */
    private Uni<ComputePartialResponse> over(List<Integer> partitions, Work work) {
        return InsightGrpcService.blocking(() -> InsightGrpcService.once(() -> {
            try (Connection connection = store.openQuery(partitions)) {
                return work.run(new Insights(connection), connection)
                        .setReplica(state())
                        .build();
            }
        }));
    }

    private static boolean known(List<ComputePartialResponse> partials, String audience) {
        return partials.stream().anyMatch(p -> p.getAudiencesKnownList().contains(audience));
    }

    // ---- TGI ----

    record TgiAsk(
            String tenant, String audience, String base, Set<String> dimensions, Tgi.Settings settings, int limit) {}

    static TgiAsk ask(GetTgiRequest request) {
        String audience = required("audience", request.getAudience());
        String base = request.getBase().isBlank() ? "all" : request.getBase();
        if (!base.equals("all") && !base.startsWith("segment:") && !base.startsWith("buyers:")) {
            throw Errors.invalid("base", "all, segment:<id> or buyers:<category>, was '" + base + "'");
        }
        if ((base.startsWith("segment:") || base.startsWith("buyers:")) && base.indexOf(':') == base.length() - 1) {
            throw Errors.invalid("base", "names no audience or category: '" + base + "'");
        }
        Set<String> dimensions = new LinkedHashSet<>();
        for (String d : request.getDimensionsList()) {
            if (Dimensions.named(d) == null) {
                throw Errors.invalid("dimensions", "unknown dimension '" + d + "'; one of " + Dimensions.names());
            }
            dimensions.add(d);
        }
        int minBase = request.getMinBase() == 0 ? 50 : request.getMinBase();
        int flagBelow = request.getFlagBelow() == 0 ? Math.max(200, minBase) : request.getFlagBelow();
        if (minBase < 1) {
            throw Errors.invalid("min_base", "at least 1, was " + request.getMinBase());
        }
        if (flagBelow < minBase) {
            throw Errors.invalid("flag_below", "at least min_base (" + minBase + "), was " + flagBelow);
        }
        double confidence = request.getConfidence() == 0 ? 0.95 : request.getConfidence();
        if (!(confidence > 0 && confidence < 1)) {
            throw Errors.invalid("confidence", "between 0 and 1 exclusive, was " + request.getConfidence());
        }
        int limit = limit("limit", request.getLimit(), 100);
        return new TgiAsk(
                request.getTenant(),
                audience,
                base,
                dimensions,
                new Tgi.Settings(minBase, flagBelow, confidence),
                limit);
    }

    /** The audience's, the base's and their overlap's counts per feature on these partitions. */
    Uni<ComputePartialResponse> partial(TgiAsk ask, List<Integer> partitions) {
        return over(partitions, (insights, connection) -> {
            ComputePartialResponse.Builder out = ComputePartialResponse.newBuilder();
            FeatureIndex index = indexes.get(ask.tenant(), partitions, connection);
            FeatureIndex.Lookup lookup = index.lookup();
            List<String> members = insights.members(ask.tenant(), ask.audience());
            if (!members.isEmpty()) {
                out.addAudiencesKnown(ask.audience());
            }
            RoaringBitmap audience = lookup.bitmap(members);
            RoaringBitmap base;
            if (ask.base().equals("all")) {
                base = index.all().clone();
            } else if (ask.base().startsWith("segment:")) {
                String id = ask.base().substring("segment:".length());
                List<String> baseMembers = insights.members(ask.tenant(), id);
                if (!baseMembers.isEmpty()) {
                    out.addAudiencesKnown(id);
                }
                base = lookup.bitmap(baseMembers);
            } else {
                RoaringBitmap buyers = index.bitmap("category", ask.base().substring("buyers:".length()));
                base = buyers == null ? new RoaringBitmap() : buyers;
            }
            TgiPartial.Builder tgi = TgiPartial.newBuilder()
                    .setAudience(audience.getLongCardinality())
                    .setBase(base.getLongCardinality())
                    .setBoth(RoaringBitmap.andCardinality(audience, base))
                    .setIndexBuiltAt(timestamp(index.builtAt()));
            for (Tgi.Counts c : index.counts(audience, base, ask.dimensions())) {
                tgi.addFeatures(FeatureCounts.newBuilder()
                        .setDimension(c.dimension())
                        .setValue(c.value())
                        .setAudienceWith(c.audienceWith())
                        .setBaseWith(c.baseWith())
                        .setBothWith(c.bothWith()));
            }
            return out.setTgi(tgi);
        });
    }

    static GetTgiResponse finish(TgiAsk ask, List<ComputePartialResponse> partials) {
        if (!known(partials, ask.audience())) {
            throw noAudience("audience", ask.audience());
        }
        if (ask.base().startsWith("segment:")) {
            String id = ask.base().substring("segment:".length());
            if (!known(partials, id)) {
                throw noAudience("base", id);
            }
        }
        long audience = 0;
        long base = 0;
        long both = 0;
        Timestamp builtAt = null;
        Map<List<String>, long[]> features = new LinkedHashMap<>();
        for (ComputePartialResponse p : partials) {
            TgiPartial t = p.getTgi();
            audience += t.getAudience();
            base += t.getBase();
            both += t.getBoth();
            if (builtAt == null || t.getIndexBuiltAt().getSeconds() < builtAt.getSeconds()) {
                builtAt = t.getIndexBuiltAt();
            }
            for (FeatureCounts f : t.getFeaturesList()) {
                long[] sums = features.computeIfAbsent(List.of(f.getDimension(), f.getValue()), k -> new long[3]);
                sums[0] += f.getAudienceWith();
                sums[1] += f.getBaseWith();
                sums[2] += f.getBothWith();
            }
        }
        if (ask.base().startsWith("buyers:") && base == 0) {
            throw Errors.notFound(
                    "no profile bought category '" + ask.base().substring("buyers:".length()) + "' (base)");
        }
        List<Tgi.Counts> counts = new ArrayList<>(features.size());
        for (Map.Entry<List<String>, long[]> f : features.entrySet()) {
            long[] s = f.getValue();
            counts.add(new Tgi.Counts(f.getKey().get(0), f.getKey().get(1), s[0], audience, s[1], base, s[2], both));
        }
        List<Tgi.Row> rows = Tgi.compute(counts, ask.settings());
        GetTgiResponse.Builder out = GetTgiResponse.newBuilder()
                .setAudienceSize(audience)
                .setBaseSize(base)
                .setFeatures(rows.size());
        if (builtAt != null) {
            out.setIndexBuiltAt(builtAt);
        }
        rows.stream().limit(ask.limit()).forEach(r -> out.addRows(tgiRow(r)));
        return out.build();
    }

    // ---- retention ----

    record RetentionAsk(
            String tenant,
            String start,
            String returning,
            Retention.Settings settings,
            Insights.Period period,
            ZoneId zone,
            String audience,
            List<String> breakdown) {}

    static RetentionAsk ask(GetRetentionRequest request) {
        String start = request.getStartEvent().isBlank() ? "Order Completed" : request.getStartEvent();
        String returning = request.getReturnEvent().isBlank() ? start : request.getReturnEvent();
        Retention.Period unit = unit(request.getPeriod());
        int periods = ranged("periods", request.getPeriods(), 12, 1, 400);
        Retention.Mode mode = switch (request.getMode().isBlank() ? "first_time" : request.getMode()) {
            case "first_time" -> Retention.Mode.FIRST_TIME;
            case "recurring" -> Retention.Mode.RECURRING;
            default -> throw Errors.invalid("mode", "first_time or recurring, was '" + request.getMode() + "'");
        };
        int minReturns = request.getMinReturns() == 0 ? 2 : request.getMinReturns();
        if (minReturns < 1) {
            throw Errors.invalid("min_returns", "at least 1, was " + request.getMinReturns());
        }
        ZoneId zone = zone(request.getTimeZone());
        Insights.Period period = period(
                "from", request.hasFrom() ? request.getFrom() : null, "to", request.hasTo() ? request.getTo() : null);
        return new RetentionAsk(
                request.getTenant(),
                start,
                returning,
                new Retention.Settings(unit, periods, mode, minReturns),
                period,
                zone,
                optional(request.getAudience()),
                List.copyOf(new LinkedHashSet<>(request.getBreakdownAudiencesList())));
    }

    /** A period of retention or activity: "day", "week" (the default) or "month". */
    static Retention.Period unit(String period) {
        return switch (period.isBlank() ? "week" : period) {
            case "day" -> Retention.Period.DAY;
            case "week" -> Retention.Period.WEEK;
            case "month" -> Retention.Period.MONTH;
            default -> throw Errors.invalid("period", "day, week or month, was '" + period + "'");
        };
    }

    /** The zone days are counted in (default UTC). */
    static ZoneId zone(String timeZone) {
        try {
            return timeZone.isBlank() ? ZoneOffset.UTC : ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw Errors.invalid("time_zone", "not a time zone: '" + timeZone + "'");
        }
    }

    /** A zone the store's engine cannot count days in is refused, naming time_zone. */
    private static void requireZone(Connection connection, ZoneId zone) throws SQLException {
        if (!new RetentionQuery(connection).knows(zone)) {
            throw Errors.invalid("time_zone", "a time zone the analytical store does not know: '" + zone.getId() + "'");
        }
    }

    /** The cohorts of every group (everyone, or each audience of the breakdown and those in none). */
    Uni<ComputePartialResponse> partial(RetentionAsk ask, List<Integer> partitions) {
        return over(partitions, (insights, connection) -> {
            ComputePartialResponse.Builder out = ComputePartialResponse.newBuilder();
            if (ask.audience() != null && insights.hasMembers(ask.tenant(), ask.audience())) {
                out.addAudiencesKnown(ask.audience());
            }
            List<String> within = ask.audience() == null ? List.of() : List.of(ask.audience());
            Map<String, RetentionQuery.Members> groups = new LinkedHashMap<>();
            if (ask.breakdown().isEmpty()) {
                groups.put("", new RetentionQuery.Members(within, List.of()));
            } else {
                for (String b : ask.breakdown()) {
                    List<String> both = new ArrayList<>(within);
                    both.add(b);
                    groups.put(b, new RetentionQuery.Members(both, List.of()));
                }
                groups.put(InsightGrpcService.NONE, new RetentionQuery.Members(within, ask.breakdown()));
            }
            requireZone(connection, ask.zone());
            RetentionQuery engine = new RetentionQuery(connection);
            GetRetentionResponse.Builder tables = GetRetentionResponse.newBuilder();
            for (Map.Entry<String, RetentionQuery.Members> group : groups.entrySet()) {
                List<Retention.Cohort> cohorts =
                        ask.audience() != null && !out.getAudiencesKnownList().contains(ask.audience())
                                ? List.of()
                                : engine.cohorts(
                                        ask.tenant(),
                                        ask.start(),
                                        ask.returning(),
                                        ask.settings(),
                                        ask.period(),
                                        ask.zone(),
                                        group.getValue());
                RetentionTable.Builder table = RetentionTable.newBuilder().setGroup(group.getKey());
                cohorts.forEach(c -> table.addCohorts(cohort(c)));
                tables.addTables(table);
            }
            return out.setRetention(tables);
        });
    }

    static GetRetentionResponse finish(RetentionAsk ask, List<ComputePartialResponse> partials) {
        if (ask.audience() != null && !known(partials, ask.audience())) {
            throw noAudience("audience", ask.audience());
        }
        int periods = ask.settings().periods();
        // per group, per cohort start: the sums
        Map<String, TreeMap<String, Retention.Cohort>> groups = new LinkedHashMap<>();
        for (ComputePartialResponse p : partials) {
            for (RetentionTable table : p.getRetention().getTablesList()) {
                TreeMap<String, Retention.Cohort> cohorts =
                        groups.computeIfAbsent(table.getGroup(), g -> new TreeMap<>());
                for (RetentionCohort c : table.getCohortsList()) {
                    cohorts.merge(c.getStart(), fromProto(c, periods), Partials::add);
                }
            }
        }
        GetRetentionResponse.Builder out = GetRetentionResponse.newBuilder();
        groups.forEach((group, cohorts) -> {
            List<Retention.Cohort> rows = List.copyOf(cohorts.values());
            RetentionTable.Builder table = RetentionTable.newBuilder().setGroup(group);
            rows.forEach(c -> table.addCohorts(cohort(c)));
            table.setOverall(cohort(Retention.overall(rows, periods)));
            out.addTables(table);
        });
        return out.build();
    }

    private static Retention.Cohort fromProto(RetentionCohort c, int periods) {
        long[] on = new long[periods];
        long[] onOrAfter = new long[periods];
        long[] atLeast = new long[periods];
        double[] revenue = new double[periods];
        for (int i = 0; i < periods; i++) {
            on[i] = i < c.getReturnedOnCount() ? c.getReturnedOn(i) : 0;
            onOrAfter[i] = i < c.getReturnedOnOrAfterCount() ? c.getReturnedOnOrAfter(i) : 0;
            atLeast[i] = i < c.getReturnedAtLeastCount() ? c.getReturnedAtLeast(i) : 0;
            revenue[i] = i < c.getRevenueCount() ? c.getRevenue(i) : 0;
        }
        return new Retention.Cohort(
                c.getStart().isEmpty() ? null : LocalDate.parse(c.getStart()),
                c.getSize(),
                on,
                onOrAfter,
                atLeast,
                revenue);
    }

    private static Retention.Cohort add(Retention.Cohort a, Retention.Cohort b) {
        int n = a.returnedOn().length;
        long[] on = new long[n];
        long[] onOrAfter = new long[n];
        long[] atLeast = new long[n];
        double[] revenue = new double[n];
        for (int i = 0; i < n; i++) {
            on[i] = a.returnedOn()[i] + b.returnedOn()[i];
            onOrAfter[i] = a.returnedOnOrAfter()[i] + b.returnedOnOrAfter()[i];
            atLeast[i] = a.returnedAtLeast()[i] + b.returnedAtLeast()[i];
            revenue[i] = a.revenue()[i] + b.revenue()[i];
        }
        return new Retention.Cohort(a.start(), a.size() + b.size(), on, onOrAfter, atLeast, revenue);
    }

    // ---- GROW ----

    record GrowAsk(
            String tenant, Insights.Period before, Insights.Period after, Insights.Level level, String audience) {}

    static GrowAsk ask(GetGrowRequest request) {
        Insights.Period before = bounded(
                "before_from",
                request.hasBeforeFrom() ? request.getBeforeFrom() : null,
                "before_to",
                request.hasBeforeTo() ? request.getBeforeTo() : null);
        Insights.Period after = bounded(
                "after_from",
                request.hasAfterFrom() ? request.getAfterFrom() : null,
                "after_to",
                request.hasAfterTo() ? request.getAfterTo() : null);
        if (after.from().isBefore(before.to())) {
            throw Errors.invalid("after_from", "the later period starts when the earlier one ends or after");
        }
        return new GrowAsk(
                request.getTenant(), before, after, level(request.getLevel()), optional(request.getAudience()));
    }

    /** Buyers, orders, units and GMV per category in each period. */
    Uni<ComputePartialResponse> partial(GrowAsk ask, List<Integer> partitions) {
        return over(partitions, (insights, connection) -> {
            ComputePartialResponse.Builder out = ComputePartialResponse.newBuilder();
            GrowPartial.Builder grow = GrowPartial.newBuilder();
            if (ask.audience() != null) {
                if (!insights.hasMembers(ask.tenant(), ask.audience())) {
                    return out.setGrow(grow);
                }
                out.addAudiencesKnown(ask.audience());
            }
            insights.figures(ask.tenant(), ask.level(), ask.audience(), ask.before())
                    .forEach((category, f) -> grow.addBefore(figures(category, f)));
            insights.figures(ask.tenant(), ask.level(), ask.audience(), ask.after())
                    .forEach((category, f) -> grow.addAfter(figures(category, f)));
            return out.setGrow(grow);
        });
    }

    private static CategoryFigures figures(String category, Grow.Figures f) {
        return CategoryFigures.newBuilder()
                .setCategory(category)
                .setBuyers(f.buyers())
                .setOrders(f.orders())
                .setUnits(f.units())
                .setGmv(f.gmv())
                .build();
    }

    static GetGrowResponse finish(GrowAsk ask, List<ComputePartialResponse> partials) {
        if (ask.audience() != null && !known(partials, ask.audience())) {
            throw noAudience("audience", ask.audience());
        }
        Map<String, Grow.Figures> before = new TreeMap<>();
        Map<String, Grow.Figures> after = new TreeMap<>();
        for (ComputePartialResponse p : partials) {
            p.getGrow().getBeforeList().forEach(f -> before.merge(f.getCategory(), figures(f), Partials::add));
            p.getGrow().getAfterList().forEach(f -> after.merge(f.getCategory(), figures(f), Partials::add));
        }
        Grow.Result result = Grow.decompose(before, after);
        GetGrowResponse.Builder out = GetGrowResponse.newBuilder().setTotal(part(result.total()));
        result.categories().forEach(p -> out.addCategories(part(p)));
        return out.build();
    }

    private static Grow.Figures figures(CategoryFigures f) {
        return new Grow.Figures(f.getBuyers(), f.getOrders(), f.getUnits(), f.getGmv());
    }

    private static Grow.Figures add(Grow.Figures a, Grow.Figures b) {
        return new Grow.Figures(
                a.buyers() + b.buyers(), a.orders() + b.orders(), a.units() + b.units(), a.gmv() + b.gmv());
    }

    // ---- content and channel economics ----

    record EconomicsAsk(String tenant, Insights.Period period, int attributionDays) {

        /** The days whose costs count: those from the period's first (UTC) up to, not with, its end's. */
        LocalDate firstDay() {
            return period.from().atOffset(ZoneOffset.UTC).toLocalDate();
        }

        LocalDate endDay() {
            return period.to().atOffset(ZoneOffset.UTC).toLocalDate();
        }
    }

    static EconomicsAsk ask(GetEconomicsRequest request) {
        Insights.Period period = bounded(
                "from", request.hasFrom() ? request.getFrom() : null, "to", request.hasTo() ? request.getTo() : null);
        return new EconomicsAsk(
                request.getTenant(), period, ranged("attribution_days", request.getAttributionDays(), 7, 1, 90));
    }

    /** Per acquisition channel and per creator, what the partitions' profiles brought. */
    Uni<ComputePartialResponse> partial(EconomicsAsk ask, List<Integer> partitions) {
        return over(partitions, (insights, connection) -> {
            EconomicsPartial.Builder economics = EconomicsPartial.newBuilder();
            for (Insights.ChannelFigures f : insights.channels(
                    ask.tenant(), ask.period().from(), ask.period().to())) {
                economics.addChannels(ChannelAcquisition.newBuilder()
                        .setChannel(f.channel())
                        .setAcquired(f.acquired())
                        .setBuyers(f.buyers())
                        .setRevenue(f.revenue()));
            }
            for (Insights.ContentFigures f : insights.contents(
                    ask.tenant(), ask.period().from(), ask.period().to(), ask.attributionDays())) {
                economics.addCreators(CreatorReach.newBuilder()
                        .setCreator(f.creator())
                        .addAllChannels(f.channels())
                        .setViewers(f.viewers())
                        .setOrders(f.orders())
                        .setBuyers(f.buyers())
                        .setRevenue(f.revenue()));
            }
            return ComputePartialResponse.newBuilder().setEconomics(economics);
        });
    }

    /**
     * The partials added up (a profile's events are on one partition, so its acquisition and its
     * views count once), weighed against the period's costs: every channel and creator that
     * brought something or cost something, by name.
     */
    static GetEconomicsResponse finish(List<ComputePartialResponse> partials, CostRepository.Spend spend) {
        Map<String, ChannelAcquisition> channels = new TreeMap<>();
        Map<String, CreatorReach> creators = new TreeMap<>();
        for (ComputePartialResponse p : partials) {
            for (ChannelAcquisition c : p.getEconomics().getChannelsList()) {
                channels.merge(
                        c.getChannel(),
                        c,
                        (a, b) -> a.toBuilder()
                                .setAcquired(a.getAcquired() + b.getAcquired())
                                .setBuyers(a.getBuyers() + b.getBuyers())
                                .setRevenue(a.getRevenue() + b.getRevenue())
                                .build());
            }
            for (CreatorReach c : p.getEconomics().getCreatorsList()) {
                creators.merge(c.getCreator(), c, (a, b) -> {
                    Set<String> on = new java.util.TreeSet<>(a.getChannelsList());
                    on.addAll(b.getChannelsList());
                    return a.toBuilder()
                            .clearChannels()
                            .addAllChannels(on)
                            .setViewers(a.getViewers() + b.getViewers())
                            .setOrders(a.getOrders() + b.getOrders())
                            .setBuyers(a.getBuyers() + b.getBuyers())
                            .setRevenue(a.getRevenue() + b.getRevenue())
                            .build();
                });
            }
        }
        spend.channels()
                .keySet()
                .forEach(c -> channels.computeIfAbsent(
                        c, k -> ChannelAcquisition.newBuilder().setChannel(k).build()));
        spend.creators()
                .keySet()
                .forEach(c -> creators.computeIfAbsent(
                        c, k -> CreatorReach.newBuilder().setCreator(k).build()));

        GetEconomicsResponse.Builder out = GetEconomicsResponse.newBuilder();
        for (ChannelAcquisition f : channels.values()) {
            double cost = spend.channels().getOrDefault(f.getChannel(), 0.0);
            ChannelEconomics.Builder c = ChannelEconomics.newBuilder()
                    .setChannel(f.getChannel())
                    .setCost(cost)
                    .setAcquired(f.getAcquired())
                    .setBuyers(f.getBuyers())
                    .setRevenue(f.getRevenue());
            if (f.getAcquired() > 0) {
                c.setLtv(f.getRevenue() / f.getAcquired());
                c.setCac(cost / f.getAcquired());
                if (cost > 0) {
                    c.setLtvToCac(f.getRevenue() / cost);
                }
            }
            if (cost > 0) {
                c.setRoi((f.getRevenue() - cost) / cost);
            }
            out.addChannels(c);
        }
        for (CreatorReach f : creators.values()) {
            double cost = spend.creators().getOrDefault(f.getCreator(), 0.0);
            ContentEconomics.Builder c = ContentEconomics.newBuilder()
                    .setCreator(f.getCreator())
                    .addAllChannels(f.getChannelsList())
                    .setCost(cost)
                    .setViewers(f.getViewers())
                    .setOrders(f.getOrders())
                    .setBuyers(f.getBuyers())
                    .setRevenue(f.getRevenue());
            if (cost > 0) {
                c.setRoi((f.getRevenue() - cost) / cost);
            }
            if (f.getViewers() > 0) {
                c.setRevenuePerViewer(f.getRevenue() / f.getViewers());
            }
            out.addContents(c);
        }
        return out.build();
    }

    // ---- activity: events and profiles per period ----

    /** The most periods an activity answers (a year and a month of days, seven years of weeks). */
    static final int MAX_PERIODS = 400;

    /**
     * The names a partial counts per period: the partitions' most frequent over its periods. The
     * busiest names of the whole tenant (at most 20 are asked for) are among each partition's 200
     * busiest unless the partitions' naming differs wildly; and while a partition has no more names
     * than this (the usual case: a few dozen) the counts are exact. It bounds a partial at 400 × 200
     * counts whatever events a tenant sends.
     */
    static final int PARTIAL_NAMES = 200;

    record ActivityAsk(
            String tenant,
            Retention.Period unit,
            ZoneId zone,
            Insights.Period period,
            int topEvents,
            String audience,
            Long first,
            Long last) {}

    static ActivityAsk ask(GetActivityRequest request) {
        Retention.Period unit = unit(request.getPeriod());
        int topEvents = ranged("top_events", request.getTopEvents(), 5, 1, 20);
        ZoneId zone = zone(request.getTimeZone());
        Insights.Period period = period(
                "from", request.hasFrom() ? request.getFrom() : null, "to", request.hasTo() ? request.getTo() : null);
        // the periods of the range's ends: from's, and that of the last microsecond before to (the store's unit)
        Long first = period.from() == null
                ? null
                : unit.index(period.from().atZone(zone).toLocalDate());
        Long last = period.to() == null
                ? null
                : unit.index(period.to()
                        .truncatedTo(ChronoUnit.MICROS)
                        .minus(1, ChronoUnit.MICROS)
                        .atZone(zone)
                        .toLocalDate());
        if (first != null && last != null && last - first + 1 > MAX_PERIODS) {
            throw Errors.invalid(
                    "from",
                    "at most " + MAX_PERIODS + " periods: the range covers " + (last - first + 1) + " "
                            + unit.name().toLowerCase(Locale.ROOT) + "s; a shorter range or a longer period");
        }
        return new ActivityAsk(
                request.getTenant(), unit, zone, period, topEvents, optional(request.getAudience()), first, last);
    }

    /** Per period with events on these partitions: the events, the profiles and the busiest names' events. */
    Uni<ComputePartialResponse> partial(ActivityAsk ask, List<Integer> partitions) {
        return over(partitions, (insights, connection) -> {
            requireZone(connection, ask.zone());
            ComputePartialResponse.Builder out = ComputePartialResponse.newBuilder();
            ActivityPartial.Builder activity = ActivityPartial.newBuilder();
            if (ask.audience() != null) {
                if (!insights.hasMembers(ask.tenant(), ask.audience())) {
                    return out.setActivity(activity);
                }
                out.addAudiencesKnown(ask.audience());
            }
            RetentionQuery.Members members = ask.audience() == null
                    ? RetentionQuery.Members.ALL
                    : new RetentionQuery.Members(List.of(ask.audience()), List.of());
            for (ActivityQuery.Row row : new ActivityQuery(connection)
                    .periods(ask.tenant(), ask.unit(), ask.zone(), ask.period(), members, MAX_PERIODS, PARTIAL_NAMES)) {
                ActivityPeriod.Builder p = ActivityPeriod.newBuilder()
                        .setStart(ask.unit().start(row.index()).toString())
                        .setEvents(row.events())
                        .setProfiles(row.profiles());
                row.byName()
                        .forEach((name, events) -> p.addByEvent(
                                EventCount.newBuilder().setName(name).setEvents(events)));
                activity.addPeriods(p);
            }
            return out.setActivity(activity);
        });
    }

    /**
     * The partials added up per period. Distinct profiles add up too: the feed is keyed by tenant and
     * profile and a merge moves the merged profile's events to the survivor's partition, so each
     * profile's events lie on one partition, and partials over disjoint partitions never count a
     * profile twice. Each partial holds its latest {@link #MAX_PERIODS} periods with events, so every
     * period among the latest {@link #MAX_PERIODS} of all is whole. The names shown are chosen here,
     * from the sums, then counted in every period (0 where there were none).
     */
    static GetActivityResponse finish(ActivityAsk ask, List<ComputePartialResponse> partials) {
        if (ask.audience() != null && !known(partials, ask.audience())) {
            throw noAudience("audience", ask.audience());
        }
        TreeMap<Long, long[]> totals = new TreeMap<>();
        Map<Long, Map<String, Long>> byName = new TreeMap<>();
        for (ComputePartialResponse p : partials) {
            for (ActivityPeriod a : p.getActivity().getPeriodsList()) {
                long index = ask.unit().index(LocalDate.parse(a.getStart()));
                long[] sums = totals.computeIfAbsent(index, k -> new long[2]);
                sums[0] += a.getEvents();
                sums[1] += a.getProfiles();
                Map<String, Long> names = byName.computeIfAbsent(index, k -> new TreeMap<>());
                a.getByEventList().forEach(e -> names.merge(e.getName(), e.getEvents(), Long::sum));
            }
        }
        GetActivityResponse.Builder out = GetActivityResponse.newBuilder();
        if (totals.isEmpty() && (ask.first() == null || ask.last() == null)) {
            return out.build();
        }
        long last = ask.last() != null ? ask.last() : totals.lastKey();
        long first = Math.max(ask.first() != null ? ask.first() : totals.firstKey(), last - MAX_PERIODS + 1);
        Map<String, Long> overall = new TreeMap<>();
        byName.forEach((index, names) -> {
            if (index >= first && index <= last) {
                names.forEach((name, events) -> overall.merge(name, events, Long::sum));
            }
        });
        List<String> top = overall.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(ask.topEvents())
                .map(Map.Entry::getKey)
                .toList();
        out.addAllTopEvents(top);
        for (long index = first; index <= last; index++) {
            long[] sums = totals.getOrDefault(index, new long[2]);
            Map<String, Long> names = byName.getOrDefault(index, Map.of());
            ActivityPeriod.Builder period = ActivityPeriod.newBuilder()
                    .setStart(ask.unit().start(index).toString())
                    .setEvents(sums[0])
                    .setProfiles(sums[1]);
            for (String name : top) {
                period.addByEvent(EventCount.newBuilder().setName(name).setEvents(names.getOrDefault(name, 0L)));
            }
            out.addPeriods(period);
        }
        return out.build();
    }

    // ---- the store's status ----

    /** The tenant's events and profiles on these partitions, and the feed's state here. */
    Uni<ComputePartialResponse> status(String tenant, List<Integer> partitions) {
        return over(partitions, (insights, connection) -> {
            long[] volume = insights.volume(tenant);
            StatusPartial.Builder status = StatusPartial.newBuilder()
                    .setEvents(volume[0])
                    .setProfiles(volume[1])
                    .setStaged(store.stagedCount())
                    .setFeedOk(feed.problem().isEmpty());
            Instant last = feed.lastFlush();
            if (last != null) {
                status.setLastFlush(timestamp(last));
            }
            return ComputePartialResponse.newBuilder().setStatus(status);
        });
    }

    static GetInsightStatusResponse finishStatus(List<ComputePartialResponse> partials) {
        long events = 0;
        long profiles = 0;
        long staged = 0;
        long lag = 0;
        boolean ok = true;
        Timestamp last = null;
        for (ComputePartialResponse p : partials) {
            StatusPartial s = p.getStatus();
            events += s.getEvents();
            profiles += s.getProfiles();
            staged += s.getStaged();
            long behind = p.getReplica().getFeedLagRecords();
            lag = lag < 0 || behind < 0 ? -1 : lag + behind;
            ok &= s.getFeedOk();
            // the store is as fresh as its stalest replica
            if (s.hasLastFlush() && (last == null || s.getLastFlush().getSeconds() < last.getSeconds())) {
                last = s.getLastFlush();
            }
        }
        GetInsightStatusResponse.Builder out = GetInsightStatusResponse.newBuilder()
                .setEvents(events)
                .setProfiles(profiles)
                .setLag(lag)
                .setStaged(staged)
                .setCaughtUp(lag == 0 && staged == 0 && ok);
        if (last != null) {
            out.setLastFlush(last);
        }
        return out.build();
    }

    // ---- association rules: the baskets gathered, mined once ----

    record AssociationAsk(
            String tenant,
            Insights.Level level,
            int windowDays,
            double support,
            double confidence,
            int maxLength,
            int limit,
            Insights.Period period,
            String audience,
            Set<String> cart) {}

    static AssociationAsk ask(GetAssociationRulesRequest request) {
        Insights.Level level = level(request.getLevel());
        String basket = request.getBasket().isBlank() ? "order" : request.getBasket();
        if (!basket.equals("order") && !basket.equals("consumer")) {
            throw Errors.invalid("basket", "order or consumer, was '" + basket + "'");
        }
        int window = request.getWindowDays();
        if (basket.equals("consumer")) {
            window = ranged("window_days", window, 90, 1, 3650);
        } else if (window != 0) {
            throw Errors.invalid("window_days", "only for basket consumer");
        }
        double support = request.getMinSupport() == 0 ? 0.01 : request.getMinSupport();
        if (!(support > 0 && support <= 1)) {
            throw Errors.invalid("min_support", "above 0 and at most 1, was " + request.getMinSupport());
        }
        double confidence = request.getMinConfidence() == 0 ? 0.2 : request.getMinConfidence();
        if (!(confidence > 0 && confidence <= 1)) {
            throw Errors.invalid("min_confidence", "above 0 and at most 1, was " + request.getMinConfidence());
        }
        int maxLength = ranged("max_length", request.getMaxLength(), 4, 2, 10);
        int limit = limit("limit", request.getLimit(), 50);
        Insights.Period period = period(
                "from", request.hasFrom() ? request.getFrom() : null, "to", request.hasTo() ? request.getTo() : null);
        return new AssociationAsk(
                request.getTenant(),
                level,
                basket.equals("consumer") ? window : 0,
                support,
                confidence,
                maxLength,
                limit,
                period,
                optional(request.getAudience()),
                Set.copyOf(request.getItemsList()));
    }

    /** The partitions' baskets. */
    Uni<ComputePartialResponse> partial(AssociationAsk ask, List<Integer> partitions) {
        return over(partitions, (insights, connection) -> {
            ComputePartialResponse.Builder out = ComputePartialResponse.newBuilder();
            BasketsPartial.Builder baskets = BasketsPartial.newBuilder();
            if (ask.audience() != null) {
                if (!insights.hasMembers(ask.tenant(), ask.audience())) {
                    return out.setBaskets(baskets);
                }
                out.addAudiencesKnown(ask.audience());
            }
            Baskets found = insights.baskets(ask.tenant(), ask.level(), ask.windowDays(), ask.audience(), ask.period());
            baskets.addAllItems(found.itemNames());
            for (int[] b : found.baskets()) {
                Basket.Builder one = Basket.newBuilder();
                for (int item : b) {
                    one.addItems(item);
                }
                baskets.addBaskets(one);
            }
            return out.setBaskets(baskets);
        });
    }

    /** Every partition's baskets as one set, its items named anew. */
    static Baskets baskets(AssociationAsk ask, List<ComputePartialResponse> partials) {
        if (ask.audience() != null && !known(partials, ask.audience())) {
            throw noAudience("audience", ask.audience());
        }
        Baskets.Builder all = Baskets.builder();
        for (ComputePartialResponse p : partials) {
            List<String> names = p.getBaskets().getItemsList();
            for (Basket b : p.getBaskets().getBasketsList()) {
                List<String> items = new ArrayList<>(b.getItemsCount());
                for (int item : b.getItemsList()) {
                    items.add(names.get(item));
                }
                all.add(items);
            }
        }
        return all.build();
    }

    // ---- funnels: each group's cells added up ----

    record FunnelAsk(
            String tenant,
            Funnel.Settings settings,
            String property,
            List<String> breakdownAudiences,
            Insights.Period period,
            String audience) {}

    static FunnelAsk ask(GetFunnelRequest request) {
        List<Step> steps = new ArrayList<>();
        if (!request.getPreset().isBlank()) {
            if (request.getStepsCount() > 0) {
                throw Errors.invalid("preset", "steps or a preset, not both");
            }
            List<Step> preset = Funnel.presets().get(request.getPreset());
            if (preset == null) {
                throw Errors.invalid(
                        "preset",
                        "unknown preset '" + request.getPreset() + "'; one of "
                                + Funnel.presets().keySet());
            }
            steps.addAll(preset);
        } else {
            for (int i = 0; i < request.getStepsCount(); i++) {
                steps.add(InsightGrpcService.step("steps[" + i + "]", request.getSteps(i)));
            }
        }
        if (steps.size() < 2 || steps.size() > 20) {
            throw Errors.invalid("steps", "a funnel has 2 to 20 steps, was " + steps.size());
        }
        Funnel.Order order = switch (request.getOrder().isBlank() ? "ordered" : request.getOrder()) {
            case "ordered" -> Funnel.Order.ORDERED;
            case "strict" -> Funnel.Order.STRICT;
            case "any" -> Funnel.Order.ANY;
            default -> throw Errors.invalid("order", "ordered, strict or any, was '" + request.getOrder() + "'");
        };
        int windowDays = ranged("window_days", request.getWindowDays(), 14, 1, 3650);
        List<Funnel.Exclusion> exclusions = new ArrayList<>();
        for (int i = 0; i < request.getExclusionsCount(); i++) {
            FunnelExclusion e = request.getExclusions(i);
            if (e.getAfterStep() < 0 || e.getAfterStep() >= steps.size()) {
                throw Errors.invalid(
                        "exclusions[" + i + "].after_step", "0 to " + (steps.size() - 1) + ", was " + e.getAfterStep());
            }
            exclusions.add(new Funnel.Exclusion(
                    InsightGrpcService.step("exclusions[" + i + "].event", e.getEvent()), e.getAfterStep()));
        }
        String property = optional(request.getBreakdownProperty());
        if (property != null && request.getBreakdownAudiencesCount() > 0) {
            throw Errors.invalid("breakdown_property", "a breakdown by a property or by audiences, not both");
        }
        if (property != null) {
            InsightGrpcService.property(property, "breakdown_property");
        }
        List<String> breakdownAudiences = List.copyOf(new LinkedHashSet<>(request.getBreakdownAudiencesList()));
        Funnel.Settings settings = new Funnel.Settings(steps, order, Duration.ofDays(windowDays), exclusions);
        Insights.Period period = period(
                "from", request.hasFrom() ? request.getFrom() : null, "to", request.hasTo() ? request.getTo() : null);
        String audience = optional(request.getAudience());
        return new FunnelAsk(request.getTenant(), settings, property, breakdownAudiences, period, audience);
    }

    /** Each group's cells on these partitions. */
    Uni<ComputePartialResponse> partial(FunnelAsk ask, List<Integer> partitions) {
        return over(partitions, (insights, connection) -> {
            ComputePartialResponse.Builder out = ComputePartialResponse.newBuilder();
            FunnelPartial.Builder funnel = FunnelPartial.newBuilder();
            if (ask.audience() != null) {
                if (!insights.hasMembers(ask.tenant(), ask.audience())) {
                    return out.setFunnel(funnel);
                }
                out.addAudiencesKnown(ask.audience());
            }
            Map<String, Funnel.Cells> cells;
            if (FunnelQuery.covers(ask.settings()) && ask.breakdownAudiences().isEmpty()) {
                cells = new FunnelQuery(connection)
                        .cells(ask.tenant(), ask.settings(), ask.property(), ask.audience(), ask.period());
            } else {
                var events = insights.funnelEvents(
                        ask.tenant(), ask.settings(), ask.property(), ask.audience(), ask.period());
                cells = Funnel.cells(events, ask.settings(), InsightGrpcService.breakdown(insights, ask));
            }
            cells.forEach((group, c) -> {
                FunnelGroupCells.Builder g = FunnelGroupCells.newBuilder().setGroup(group);
                for (int k = 0; k < c.people().length; k++) {
                    FunnelStepCells.Builder step = FunnelStepCells.newBuilder().setPeople(c.people()[k]);
                    c.gaps()
                            .get(k)
                            .forEach((gap, count) -> step.addGapMillis(gap).addGapCounts(count));
                    g.addSteps(step);
                }
                funnel.addGroups(g);
            });
            return out.setFunnel(funnel);
        });
    }

    static GetFunnelResponse finish(FunnelAsk ask, List<ComputePartialResponse> partials) {
        if (ask.audience() != null && !known(partials, ask.audience())) {
            throw noAudience("audience", ask.audience());
        }
        int n = ask.settings().steps().size();
        Map<String, Funnel.Cells> groups = new TreeMap<>();
        for (ComputePartialResponse p : partials) {
            for (FunnelGroupCells g : p.getFunnel().getGroupsList()) {
                Funnel.Cells cells = Funnel.Cells.empty(n);
                for (int k = 0; k < n && k < g.getStepsCount(); k++) {
                    FunnelStepCells step = g.getSteps(k);
                    cells.people()[k] = step.getPeople();
                    for (int i = 0; i < step.getGapMillisCount(); i++) {
                        cells.gaps().get(k).merge(step.getGapMillis(i), step.getGapCounts(i), Long::sum);
                    }
                }
                groups.computeIfAbsent(g.getGroup(), x -> Funnel.Cells.empty(n)).add(cells);
            }
        }
        Map<String, List<Funnel.StepResult>> results = new LinkedHashMap<>();
        groups.forEach((group, cells) ->
                results.put(group, cells.results(ask.settings().steps())));
        return InsightGrpcService.funnelResponse(results);
    }
}
