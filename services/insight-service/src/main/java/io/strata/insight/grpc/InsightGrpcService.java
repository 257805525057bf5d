package io.strata.insight.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.strata.insight.association.AssociationRules;
import io.strata.insight.association.Baskets;
import io.strata.insight.association.Itemset;
import io.strata.insight.association.Rule;
import io.strata.insight.feed.FeedLoop;
import io.strata.insight.funnel.Funnel;
import io.strata.insight.funnel.Step;
import io.strata.insight.grow.Grow;
import io.strata.insight.query.Dimensions;
import io.strata.insight.query.FeatureIndex;
import io.strata.insight.query.FunnelQuery;
import io.strata.insight.query.Insights;
import io.strata.insight.query.RetentionQuery;
import io.strata.insight.retention.Retention;
import io.strata.insight.service.FeatureIndexes;
import io.strata.insight.store.EventStore;
import io.strata.insight.tgi.Tgi;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Caller;
import io.strata.platform.security.Roles;
import io.strata.proto.insight.v1.AssociationRule;
import io.strata.proto.insight.v1.ChannelEconomics;
import io.strata.proto.insight.v1.ContentEconomics;
import io.strata.proto.insight.v1.CostRow;
import io.strata.proto.insight.v1.FrequentItemset;
import io.strata.proto.insight.v1.FunnelExclusion;
import io.strata.proto.insight.v1.FunnelGroup;
import io.strata.proto.insight.v1.FunnelStep;
import io.strata.proto.insight.v1.FunnelStepResult;
import io.strata.proto.insight.v1.GetAssociationRulesRequest;
import io.strata.proto.insight.v1.GetAssociationRulesResponse;
import io.strata.proto.insight.v1.GetEconomicsRequest;
import io.strata.proto.insight.v1.GetEconomicsResponse;
import io.strata.proto.insight.v1.GetFunnelRequest;
import io.strata.proto.insight.v1.GetFunnelResponse;
import io.strata.proto.insight.v1.GetGrowRequest;
import io.strata.proto.insight.v1.GetGrowResponse;
import io.strata.proto.insight.v1.GetInsightStatusRequest;
import io.strata.proto.insight.v1.GetInsightStatusResponse;
import io.strata.proto.insight.v1.GetRetentionRequest;
import io.strata.proto.insight.v1.GetRetentionResponse;
import io.strata.proto.insight.v1.GetTgiRequest;
import io.strata.proto.insight.v1.GetTgiResponse;
import io.strata.proto.insight.v1.GrowPart;
import io.strata.proto.insight.v1.ImportCostsRequest;
import io.strata.proto.insight.v1.ImportCostsResponse;
import io.strata.proto.insight.v1.InsightService;
import io.strata.proto.insight.v1.PropertyFilter;
import io.strata.proto.insight.v1.RetentionCohort;
import io.strata.proto.insight.v1.RetentionTable;
import io.strata.proto.insight.v1.TgiRow;
import jakarta.annotation.security.RolesAllowed;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.roaringbitmap.RoaringBitmap;

/**
 * The analyses over gRPC (docs/insight.md), for users of a tenant through the gateway: analysts,
 * marketers and admins. Each call checks its fields (INVALID_ARGUMENT naming the first wrong one),
 * then runs on a worker thread with a store connection of its own.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class InsightGrpcService implements InsightService {

    static final int MAX_ROWS = 10_000;
    private static final String NONE = "(none)";

    private final EventStore store;
    private final FeatureIndexes indexes;
    private final FeedLoop feed;
    private final Access access;
    private final CurrentIdentityAssociation identity;

    public InsightGrpcService(
            EventStore store,
            FeatureIndexes indexes,
            FeedLoop feed,
            Access access,
            CurrentIdentityAssociation identity) {
        this.store = store;
        this.indexes = indexes;
        this.feed = feed;
        this.access = access;
        this.identity = identity;
    }

    @FunctionalInterface
    private interface Query<T> {
        T run(Insights insights, Connection connection) throws SQLException;
    }

    @Override
    public Uni<GetTgiResponse> getTgi(GetTgiRequest request) {
        return user(request.getTenant(), Roles.ANALYST, caller -> {
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
            Tgi.Settings settings = new Tgi.Settings(minBase, flagBelow, confidence);
            return query((insights, connection) -> {
                FeatureIndex index = indexes.get(request.getTenant(), connection);
                FeatureIndex.Lookup lookup = index.lookup();
                RoaringBitmap audienceBitmap =
                        lookup.bitmap(members(insights, request.getTenant(), audience, "audience"));
                RoaringBitmap baseBitmap;
                if (base.equals("all")) {
                    baseBitmap = index.all().clone();
                } else if (base.startsWith("segment:")) {
                    String id = base.substring("segment:".length());
                    baseBitmap = lookup.bitmap(members(insights, request.getTenant(), id, "base"));
                } else {
                    String category = base.substring("buyers:".length());
                    RoaringBitmap buyers = index.bitmap("category", category);
                    if (buyers == null) {
                        throw Errors.notFound("no profile bought category '" + category + "' (base)");
                    }
                    baseBitmap = buyers;
                }
                List<Tgi.Row> rows = Tgi.compute(index.counts(audienceBitmap, baseBitmap, dimensions), settings);
                GetTgiResponse.Builder out = GetTgiResponse.newBuilder()
                        .setAudienceSize(audienceBitmap.getLongCardinality())
                        .setBaseSize(baseBitmap.getLongCardinality())
                        .setFeatures(rows.size())
                        .setIndexBuiltAt(timestamp(index.builtAt()));
                rows.stream().limit(limit).forEach(r -> out.addRows(tgiRow(r)));
                return out.build();
            });
        });
    }

    @Override
    public Uni<GetAssociationRulesResponse> getAssociationRules(GetAssociationRulesRequest request) {
        return user(request.getTenant(), Roles.ANALYST, caller -> {
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
                    "from",
                    request.hasFrom() ? request.getFrom() : null,
                    "to",
                    request.hasTo() ? request.getTo() : null);
            String audience = optional(request.getAudience());
            Set<String> cart = new HashSet<>(request.getItemsList());
            int windowDays = basket.equals("consumer") ? window : 0;
            return query((insights, connection) -> {
                requireAudience(insights, request.getTenant(), audience);
                Baskets baskets = insights.baskets(request.getTenant(), level, windowDays, audience, period);
                AssociationRules.Result result =
                        AssociationRules.mine(baskets, new AssociationRules.Settings(support, confidence, maxLength));
                GetAssociationRulesResponse.Builder out = GetAssociationRulesResponse.newBuilder()
                        .setBaskets(result.baskets())
                        .setItemsets(result.itemsets().size())
                        .setRulesTotal(result.rules().size());
                Map<Integer, Long> byLength = new TreeMap<>();
                for (Rule rule : result.rules()) {
                    byLength.merge(rule.length(), 1L, Long::sum);
                }
                out.putAllRulesByLength(byLength);
                result.rules().stream()
                        .filter(rule -> cart.isEmpty() || recommends(rule, baskets, cart))
                        .limit(limit)
                        .forEach(rule -> out.addRules(rule(rule, baskets)));
                result.itemsets().stream()
                        .filter(set -> set.size() >= 2)
                        .sorted((a, b) -> Integer.compare(b.count(), a.count()))
                        .limit(limit)
                        .forEach(set -> out.addTopItemsets(itemset(set, baskets, result.baskets())));
                return out.build();
            });
        });
    }

    @Override
    public Uni<GetFunnelResponse> getFunnel(GetFunnelRequest request) {
        return user(request.getTenant(), Roles.ANALYST, caller -> {
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
                    steps.add(step("steps[" + i + "]", request.getSteps(i)));
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
                            "exclusions[" + i + "].after_step",
                            "0 to " + (steps.size() - 1) + ", was " + e.getAfterStep());
                }
                exclusions.add(
                        new Funnel.Exclusion(step("exclusions[" + i + "].event", e.getEvent()), e.getAfterStep()));
            }
            String property = optional(request.getBreakdownProperty());
            if (property != null && request.getBreakdownAudiencesCount() > 0) {
                throw Errors.invalid("breakdown_property", "a breakdown by a property or by audiences, not both");
            }
            if (property != null) {
                property(property, "breakdown_property");
            }
            List<String> breakdownAudiences = List.copyOf(new LinkedHashSet<>(request.getBreakdownAudiencesList()));
            Funnel.Settings settings = new Funnel.Settings(steps, order, Duration.ofDays(windowDays), exclusions);
            Insights.Period period = period(
                    "from",
                    request.hasFrom() ? request.getFrom() : null,
                    "to",
                    request.hasTo() ? request.getTo() : null);
            String audience = optional(request.getAudience());
            return query((insights, connection) -> {
                requireAudience(insights, request.getTenant(), audience);
                Funnel.Breakdown breakdown = Funnel.Breakdown.NONE;
                if (property != null) {
                    breakdown = Funnel.Breakdown.byProperty(property);
                } else if (!breakdownAudiences.isEmpty()) {
                    Map<String, Set<String>> of = insights.audiencesOf(request.getTenant(), breakdownAudiences);
                    breakdown = (person, first) -> {
                        Set<String> in = of.get(person);
                        return in == null ? NONE : String.join("+", new java.util.TreeSet<>(in));
                    };
                }
                // the engine computes the usual funnel without moving the events; the rest runs here
                Map<String, List<Funnel.StepResult>> funnel;
                if (FunnelQuery.covers(settings) && breakdownAudiences.isEmpty()) {
                    funnel = new FunnelQuery(connection)
                            .compute(request.getTenant(), settings, property, audience, period);
                } else {
                    var events = insights.funnelEvents(request.getTenant(), settings, property, audience, period);
                    funnel = Funnel.compute(events, settings, breakdown);
                }
                GetFunnelResponse.Builder out = GetFunnelResponse.newBuilder();
                funnel.forEach((group, results) -> {
                    FunnelGroup.Builder g = FunnelGroup.newBuilder().setGroup(group);
                    for (Funnel.StepResult r : results) {
                        g.addSteps(FunnelStepResult.newBuilder()
                                .setLabel(r.label())
                                .setPeople(r.people())
                                .setFromPrevious(r.fromPrevious())
                                .setFromFirst(r.fromFirst())
                                .setDropOff(r.dropOff())
                                .setMedianSecondsFromPrevious(seconds(r.medianTimeFromPrevious()))
                                .setMeanSecondsFromPrevious(seconds(r.meanTimeFromPrevious())));
                    }
                    out.addGroups(g);
                });
                return out.build();
            });
        });
    }

    @Override
    public Uni<GetRetentionResponse> getRetention(GetRetentionRequest request) {
        return user(request.getTenant(), Roles.ANALYST, caller -> {
            String start = request.getStartEvent().isBlank() ? "Order Completed" : request.getStartEvent();
            String returning = request.getReturnEvent().isBlank() ? start : request.getReturnEvent();
            Retention.Period unit = switch (request.getPeriod().isBlank() ? "week" : request.getPeriod()) {
                case "day" -> Retention.Period.DAY;
                case "week" -> Retention.Period.WEEK;
                case "month" -> Retention.Period.MONTH;
                default -> throw Errors.invalid("period", "day, week or month, was '" + request.getPeriod() + "'");
            };
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
            ZoneId zone;
            try {
                zone = request.getTimeZone().isBlank() ? ZoneOffset.UTC : ZoneId.of(request.getTimeZone());
            } catch (DateTimeException e) {
                throw Errors.invalid("time_zone", "not a time zone: '" + request.getTimeZone() + "'");
            }
            Retention.Settings settings = new Retention.Settings(unit, periods, mode, minReturns);
            Insights.Period period = period(
                    "from",
                    request.hasFrom() ? request.getFrom() : null,
                    "to",
                    request.hasTo() ? request.getTo() : null);
            String audience = optional(request.getAudience());
            List<String> breakdown = List.copyOf(new LinkedHashSet<>(request.getBreakdownAudiencesList()));
            ZoneId in = zone;
            return query((insights, connection) -> {
                requireAudience(insights, request.getTenant(), audience);
                // a table per group: everyone, or each audience of the breakdown and those in none of them
                List<String> within = audience == null ? List.of() : List.of(audience);
                Map<String, RetentionQuery.Members> groups = new LinkedHashMap<>();
                if (breakdown.isEmpty()) {
                    groups.put("", new RetentionQuery.Members(within, List.of()));
                } else {
                    for (String b : breakdown) {
                        List<String> both = new ArrayList<>(within);
                        both.add(b);
                        groups.put(b, new RetentionQuery.Members(both, List.of()));
                    }
                    groups.put(NONE, new RetentionQuery.Members(within, breakdown));
                }
                RetentionQuery engine = new RetentionQuery(connection);
                if (!engine.knows(in)) {
                    throw Errors.invalid(
                            "time_zone", "a time zone the analytical store does not know: '" + in.getId() + "'");
                }
                GetRetentionResponse.Builder out = GetRetentionResponse.newBuilder();
                for (Map.Entry<String, RetentionQuery.Members> group : groups.entrySet()) {
                    List<Retention.Cohort> cohorts = engine.cohorts(
                            request.getTenant(), start, returning, settings, period, in, group.getValue());
                    RetentionTable.Builder table = RetentionTable.newBuilder().setGroup(group.getKey());
                    cohorts.forEach(c -> table.addCohorts(cohort(c)));
                    table.setOverall(cohort(Retention.overall(cohorts, periods)));
                    out.addTables(table);
                }
                return out.build();
            });
        });
    }

    @Override
    public Uni<GetGrowResponse> getGrow(GetGrowRequest request) {
        return user(request.getTenant(), Roles.ANALYST, caller -> {
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
            Insights.Level level = level(request.getLevel());
            String audience = optional(request.getAudience());
            return query((insights, connection) -> {
                requireAudience(insights, request.getTenant(), audience);
                Grow.Result result = Grow.decompose(
                        insights.figures(request.getTenant(), level, audience, before),
                        insights.figures(request.getTenant(), level, audience, after));
                GetGrowResponse.Builder out = GetGrowResponse.newBuilder().setTotal(part(result.total()));
                result.categories().forEach(p -> out.addCategories(part(p)));
                return out.build();
            });
        });
    }

    static final int MAX_COST_ROWS = 100_000;

    @Override
    public Uni<ImportCostsResponse> importCosts(ImportCostsRequest request) {
        return user(request.getTenant(), Roles.MARKETER, caller -> {
            if (request.getRowsCount() == 0 || request.getRowsCount() > MAX_COST_ROWS) {
                throw Errors.invalid("rows", "1 to " + MAX_COST_ROWS + " rows, was " + request.getRowsCount());
            }
            List<EventStore.Cost> rows = new ArrayList<>(request.getRowsCount());
            for (int i = 0; i < request.getRowsCount(); i++) {
                CostRow row = request.getRows(i);
                String at = "rows[" + i + "]";
                LocalDate day;
                try {
                    day = LocalDate.parse(row.getDay());
                } catch (DateTimeException e) {
                    throw Errors.invalid(at + ".day", "an ISO date (2026-10-01), was '" + row.getDay() + "'");
                }
                String channel = row.getChannel().strip();
                if (channel.isEmpty() || channel.length() > 200) {
                    throw Errors.invalid(at + ".channel", "a channel of 1 to 200 characters is required");
                }
                if (row.getCreator().length() > 200) {
                    throw Errors.invalid(at + ".creator", "at most 200 characters");
                }
                if (!Double.isFinite(row.getCost()) || row.getCost() < 0) {
                    throw Errors.invalid(at + ".cost", "a cost of 0 or more, was " + row.getCost());
                }
                rows.add(new EventStore.Cost(day, channel, row.getCreator().strip(), row.getCost()));
            }
            return blocking(() -> ImportCostsResponse.newBuilder()
                    .setImported(rows.size())
                    .setHeld(store.importCosts(request.getTenant(), rows))
                    .build());
        });
    }

    @Override
    public Uni<GetEconomicsResponse> getEconomics(GetEconomicsRequest request) {
        return user(request.getTenant(), Roles.ANALYST, caller -> {
            Insights.Period period = bounded(
                    "from",
                    request.hasFrom() ? request.getFrom() : null,
                    "to",
                    request.hasTo() ? request.getTo() : null);
            int days = ranged("attribution_days", request.getAttributionDays(), 7, 1, 90);
            return query((insights, connection) -> {
                GetEconomicsResponse.Builder out = GetEconomicsResponse.newBuilder();
                for (Insights.ChannelFigures f : insights.channels(request.getTenant(), period.from(), period.to())) {
                    ChannelEconomics.Builder c = ChannelEconomics.newBuilder()
                            .setChannel(f.channel())
                            .setCost(f.cost())
                            .setAcquired(f.acquired())
                            .setBuyers(f.buyers())
                            .setRevenue(f.revenue());
                    if (f.acquired() > 0) {
                        c.setLtv(f.revenue() / f.acquired());
                        c.setCac(f.cost() / f.acquired());
                        if (f.cost() > 0) {
                            c.setLtvToCac(f.revenue() / f.cost());
                        }
                    }
                    if (f.cost() > 0) {
                        c.setRoi((f.revenue() - f.cost()) / f.cost());
                    }
                    out.addChannels(c);
                }
                for (Insights.ContentFigures f :
                        insights.contents(request.getTenant(), period.from(), period.to(), days)) {
                    ContentEconomics.Builder c = ContentEconomics.newBuilder()
                            .setCreator(f.creator())
                            .addAllChannels(f.channels())
                            .setCost(f.cost())
                            .setViewers(f.viewers())
                            .setOrders(f.orders())
                            .setBuyers(f.buyers())
                            .setRevenue(f.revenue());
                    if (f.cost() > 0) {
                        c.setRoi((f.revenue() - f.cost()) / f.cost());
                    }
                    if (f.viewers() > 0) {
                        c.setRevenuePerViewer(f.revenue() / f.viewers());
                    }
                    out.addContents(c);
                }
                return out.build();
            });
        });
    }

    @Override
    public Uni<GetInsightStatusResponse> getInsightStatus(GetInsightStatusRequest request) {
        return user(
                request.getTenant(),
                Roles.VIEWER,
                caller -> query((insights, connection) -> {
                    long[] volume = insights.volume(request.getTenant());
                    long lag = feed.lag();
                    long staged = store.stagedCount();
                    GetInsightStatusResponse.Builder out = GetInsightStatusResponse.newBuilder()
                            .setEvents(volume[0])
                            .setProfiles(volume[1])
                            .setLag(lag)
                            .setStaged(staged)
                            .setCaughtUp(
                                    lag == 0 && staged == 0 && feed.problem().isEmpty());
                    Instant last = feed.lastFlush();
                    if (last != null) {
                        out.setLastFlush(timestamp(last));
                    }
                    return out.build();
                }));
    }

    private <T> Uni<T> user(String tenant, String role, Function<Caller, Uni<T>> call) {
        return access.call(identity.getDeferredIdentity())
                .forUser(tenant, role)
                .chain(c -> c.within(Uni.createFrom().deferred(() -> call.apply(c))));
    }

    /** Work on the store, on a worker thread with a store connection of its own. */
    private <T> Uni<T> query(Query<T> work) {
        return blocking(() -> {
            try (Connection connection = store.openQuery()) {
                return work.run(new Insights(connection), connection);
            }
        });
    }

    @FunctionalInterface
    private interface StoreWork<T> {
        T run() throws SQLException;
    }

    /** Work on the store on a worker thread; a failure of the store is INTERNAL. */
    private static <T> Uni<T> blocking(StoreWork<T> work) {
        return Uni.createFrom()
                .item(() -> {
                    try {
                        return work.run();
                    } catch (SQLException e) {
                        throw Errors.internal("the analytical store failed: " + e.getMessage(), e);
                    }
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static List<String> members(Insights insights, String tenant, String audience, String field)
            throws SQLException {
        List<String> members = insights.members(tenant, audience);
        if (members.isEmpty()) {
            throw noAudience(field, audience);
        }
        return members;
    }

    /** An analysis filtered by an audience (none: null) needs it to have members; they are not read here. */
    private static void requireAudience(Insights insights, String tenant, String audience) throws SQLException {
        if (audience != null && !insights.hasMembers(tenant, audience)) {
            throw noAudience("audience", audience);
        }
    }

    private static StatusRuntimeException noAudience(String field, String audience) {
        return Errors.notFound(field + ": audience '" + audience
                + "' has no members in the analytical store (unknown, empty, or not yet read from the feed)");
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw Errors.invalid(field, field + " is required");
        }
        return value;
    }

    private static String optional(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** The value, or the fallback when 0, within [min, max]; INVALID_ARGUMENT naming the field otherwise. */
    private static int ranged(String field, int value, int fallback, int min, int max) {
        int v = value == 0 ? fallback : value;
        if (v < min || v > max) {
            throw Errors.invalid(field, min + " to " + max + " (0: " + fallback + "), was " + value);
        }
        return v;
    }

    private static int limit(String field, int value, int fallback) {
        if (value < 0 || value > MAX_ROWS) {
            throw Errors.invalid(field, "0 to " + MAX_ROWS + " (0: " + fallback + "), was " + value);
        }
        return value == 0 ? fallback : value;
    }

    private static Insights.Level level(String level) {
        return switch (level.isBlank() ? "category" : level) {
            case "category" -> Insights.Level.CATEGORY;
            case "product" -> Insights.Level.PRODUCT;
            default -> throw Errors.invalid("level", "category or product, was '" + level + "'");
        };
    }

    /** A property name as JSON paths take it: letters, digits, _ and -. */
    private static String property(String name, String field) {
        if (!name.matches("[A-Za-z0-9_\\-]{1,100}")) {
            throw Errors.invalid(field, "a property name (letters, digits, _ and -), was '" + name + "'");
        }
        return name;
    }

    private static Step step(String field, FunnelStep step) {
        String event = required(field + ".event", step.getEvent());
        if (step.getMaxGapSeconds() < 0) {
            throw Errors.invalid(field + ".max_gap_seconds", "not negative, was " + step.getMaxGapSeconds());
        }
        List<Step.Filter> filters = new ArrayList<>();
        for (int i = 0; i < step.getWhereCount(); i++) {
            PropertyFilter f = step.getWhere(i);
            String at = field + ".where[" + i + "]";
            property(f.getProperty(), at + ".property");
            Step.Filter.Op op;
            try {
                op = Step.Filter.Op.valueOf(f.getOp().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw Errors.invalid(at + ".op", "eq, ne, in, gt, gte, lt or lte, was '" + f.getOp() + "'");
            }
            if (f.getValuesCount() == 0 || (op != Step.Filter.Op.IN && f.getValuesCount() != 1)) {
                throw Errors.invalid(
                        at + ".values", op == Step.Filter.Op.IN ? "one value or more" : "exactly one value");
            }
            List<Object> values = new ArrayList<>(f.getValuesList());
            if (op == Step.Filter.Op.GT
                    || op == Step.Filter.Op.GTE
                    || op == Step.Filter.Op.LT
                    || op == Step.Filter.Op.LTE) {
                try {
                    values = List.of(Double.parseDouble(f.getValues(0)));
                } catch (NumberFormatException e) {
                    throw Errors.invalid(
                            at + ".values", "a number for " + f.getOp() + ", was '" + f.getValues(0) + "'");
                }
            }
            filters.add(new Step.Filter(f.getProperty(), op, values));
        }
        Step out = new Step(step.getLabel().isBlank() ? event : step.getLabel(), event, filters, null);
        return step.getMaxGapSeconds() > 0 ? out.within(Duration.ofSeconds(step.getMaxGapSeconds())) : out;
    }

    private static Insights.Period period(String fromField, Timestamp from, String toField, Timestamp to) {
        Instant start = from == null ? null : instant(fromField, from);
        Instant end = to == null ? null : instant(toField, to);
        if (start != null && end != null && !start.isBefore(end)) {
            throw Errors.invalid(fromField, "the period's start must be before its end (" + end + ")");
        }
        return new Insights.Period(start, end);
    }

    private static Insights.Period bounded(String fromField, Timestamp from, String toField, Timestamp to) {
        if (from == null) {
            throw Errors.invalid(fromField, fromField + " is required");
        }
        if (to == null) {
            throw Errors.invalid(toField, toField + " is required");
        }
        return period(fromField, from, toField, to);
    }

    /** 0001-01-01 and 9999-12-31T23:59:59Z, the range RFC 3339 writes (and the store's microseconds hold). */
    private static final long MIN_SECONDS = -62_135_596_800L;

    private static final long MAX_SECONDS = 253_402_300_799L;

    private static Instant instant(String field, Timestamp t) {
        if (t.getSeconds() < MIN_SECONDS
                || t.getSeconds() > MAX_SECONDS
                || t.getNanos() < 0
                || t.getNanos() > 999_999_999) {
            throw Errors.invalid(field, "an instant between the years 1 and 9999");
        }
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder()
                .setSeconds(at.getEpochSecond())
                .setNanos(at.getNano())
                .build();
    }

    private static long seconds(Duration d) {
        return d == null ? 0 : d.toSeconds();
    }

    private static TgiRow tgiRow(Tgi.Row r) {
        Tgi.Counts c = r.counts();
        TgiRow.Builder row = TgiRow.newBuilder()
                .setDimension(c.dimension())
                .setValue(c.value())
                .setAudienceWith(c.audienceWith())
                .setAudience(c.audience())
                .setBaseWith(c.baseWith())
                .setBase(c.base())
                .setAudienceShare(r.audienceShare())
                .setBaseShare(r.baseShare())
                .setZ(r.z())
                .setP(r.p())
                .setQ(r.q())
                .setFlag(r.flag().name().toLowerCase(Locale.ROOT));
        if (r.index() != null) {
            row.setIndex(r.index());
        }
        if (r.lower() != null) {
            row.setLower(r.lower());
        }
        if (r.upper() != null) {
            row.setUpper(r.upper());
        }
        return row.build();
    }

    /** Whether the rule's antecedent lies within the cart and its consequent adds something to it. */
    private static boolean recommends(Rule rule, Baskets baskets, Set<String> cart) {
        return Arrays.stream(rule.antecedent()).allMatch(i -> cart.contains(baskets.name(i)))
                && Arrays.stream(rule.consequent()).noneMatch(i -> cart.contains(baskets.name(i)));
    }

    private static AssociationRule rule(Rule rule, Baskets baskets) {
        AssociationRule.Builder out = AssociationRule.newBuilder()
                .setCount(rule.count())
                .setSupport(rule.support())
                .setConfidence(rule.confidence())
                .setLift(rule.lift())
                .setLeverage(rule.leverage());
        Arrays.stream(rule.antecedent()).forEach(i -> out.addAntecedent(baskets.name(i)));
        Arrays.stream(rule.consequent()).forEach(i -> out.addConsequent(baskets.name(i)));
        if (Double.isFinite(rule.conviction())) {
            out.setConviction(rule.conviction());
        }
        return out.build();
    }

    private static FrequentItemset itemset(Itemset set, Baskets baskets, int n) {
        FrequentItemset.Builder out =
                FrequentItemset.newBuilder().setCount(set.count()).setSupport((double) set.count() / n);
        Arrays.stream(set.items()).forEach(i -> out.addItems(baskets.name(i)));
        return out.build();
    }

    private static RetentionCohort cohort(Retention.Cohort c) {
        RetentionCohort.Builder out = RetentionCohort.newBuilder().setSize(c.size());
        if (c.start() != null) {
            out.setStart(c.start().toString());
        }
        Arrays.stream(c.returnedOn()).forEach(out::addReturnedOn);
        Arrays.stream(c.returnedOnOrAfter()).forEach(out::addReturnedOnOrAfter);
        Arrays.stream(c.returnedAtLeast()).forEach(out::addReturnedAtLeast);
        Arrays.stream(c.revenue()).forEach(out::addRevenue);
        return out.build();
    }

    private static GrowPart part(Grow.Part p) {
        GrowPart.Builder out = GrowPart.newBuilder()
                .setCategory(p.category())
                .setBefore(p.before())
                .setAfter(p.after())
                .setChange(p.change())
                .setGain(p.gain())
                .setRetain(p.retain())
                .setBoost(p.boost())
                .setWiden(p.widen());
        if (p.unitsPerOrder() != null) {
            out.setUnitsPerOrder(p.unitsPerOrder());
        }
        if (p.pricePerUnit() != null) {
            out.setPricePerUnit(p.pricePerUnit());
        }
        return out.build();
    }
}
