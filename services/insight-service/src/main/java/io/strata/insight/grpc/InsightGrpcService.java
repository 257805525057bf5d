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
import io.strata.insight.client.Replicas;
import io.strata.insight.funnel.Funnel;
import io.strata.insight.funnel.Step;
import io.strata.insight.grow.Grow;
import io.strata.insight.query.FunnelQuery;
import io.strata.insight.query.Insights;
import io.strata.insight.repository.CostRepository;
import io.strata.insight.retention.Retention;
import io.strata.insight.service.ReplicaQueries;
import io.strata.insight.store.EventStore;
import io.strata.insight.tgi.Tgi;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Caller;
import io.strata.platform.security.Roles;
import io.strata.proto.insight.v1.AssociationRule;
import io.strata.proto.insight.v1.ComputePartialRequest;
import io.strata.proto.insight.v1.CostRow;
import io.strata.proto.insight.v1.FrequentItemset;
import io.strata.proto.insight.v1.FunnelGroup;
import io.strata.proto.insight.v1.FunnelStep;
import io.strata.proto.insight.v1.FunnelStepResult;
import io.strata.proto.insight.v1.GetActivityRequest;
import io.strata.proto.insight.v1.GetActivityResponse;
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
import io.strata.proto.insight.v1.TgiRow;
import jakarta.annotation.security.RolesAllowed;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The analyses over gRPC (docs/insight.md), for users of a tenant through the gateway: analysts,
 * marketers and admins (the store's status and the activity over time: every role). Each call
 * checks its fields (INVALID_ARGUMENT naming the first wrong one), then runs on a worker thread
 * with a store connection of its own.
 */
@GrpcService
@RolesAllowed(Roles.SERVICE)
public class InsightGrpcService implements InsightService {

    static final int MAX_ROWS = 10_000;
    /** The group of the people in none of a breakdown's audiences. */
    static final String NONE = "(none)";

    private final EventStore store;
    private final Access access;
    private final CurrentIdentityAssociation identity;
    private final Partials partials;
    private final ReplicaQueries queries;
    private final Replicas replicas;
    private final CostRepository costs;

    public InsightGrpcService(
            EventStore store,
            Access access,
            CurrentIdentityAssociation identity,
            Partials partials,
            ReplicaQueries queries,
            Replicas replicas,
            CostRepository costs) {
        this.store = store;
        this.access = access;
        this.identity = identity;
        this.partials = partials;
        this.queries = queries;
        this.replicas = replicas;
        this.costs = costs;
    }

    @FunctionalInterface
    private interface Query<T> {
        T run(Insights insights, Connection connection) throws SQLException;
    }

    @Override
    public Uni<GetTgiResponse> getTgi(GetTgiRequest request) {
        return user(request.getTenant(), Roles.ANALYST, caller -> {
            Partials.TgiAsk ask = Partials.ask(request);
            return queries.gather(
                            ComputePartialRequest.newBuilder().setTgi(request).build(),
                            partitions -> partials.partial(ask, partitions))
                    .map(all -> Partials.finish(ask, all));
        });
    }

    @Override
    public Uni<GetAssociationRulesResponse> getAssociationRules(GetAssociationRulesRequest request) {
        return user(request.getTenant(), Roles.ANALYST, caller -> {
            Partials.AssociationAsk ask = Partials.ask(request);
            if (replicas.alone()) {
                // the store's baskets as they are, not through a partial's message
                return query((insights, connection) -> {
                    requireAudience(insights, ask.tenant(), ask.audience());
                    return rules(
                            ask,
                            insights.baskets(
                                    ask.tenant(), ask.level(), ask.windowDays(), ask.audience(), ask.period()));
                });
            }
            return queries.gather(
                            ComputePartialRequest.newBuilder()
                                    .setAssociation(request)
                                    .build(),
                            partitions -> partials.partial(ask, partitions))
                    .map(all -> Partials.baskets(ask, all))
                    .emitOn(Infrastructure.getDefaultWorkerPool())
                    .map(baskets -> rules(ask, baskets));
        });
    }

    private static GetAssociationRulesResponse rules(Partials.AssociationAsk ask, Baskets baskets) {
        AssociationRules.Result result = AssociationRules.mine(
                baskets, new AssociationRules.Settings(ask.support(), ask.confidence(), ask.maxLength()));
        GetAssociationRulesResponse.Builder out = GetAssociationRulesResponse.newBuilder()
                .setBaskets(result.baskets())
                .setItemsets(result.itemsets().size())
                .setRulesTotal(result.rules().size());
        Map<Integer, Long> byLength = new TreeMap<>();
        for (Rule rule : result.rules()) {
            byLength.merge(rule.length(), 1L, Long::sum);
        }
        out.putAllRulesByLength(byLength);
        Set<String> cart = ask.cart();
        result.rules().stream()
                .filter(rule -> cart.isEmpty() || recommends(rule, baskets, cart))
                .limit(ask.limit())
                .forEach(rule -> out.addRules(rule(rule, baskets)));
        result.itemsets().stream()
                .filter(set -> set.size() >= 2)
                .sorted((a, b) -> Integer.compare(b.count(), a.count()))
                .limit(ask.limit())
                .forEach(set -> out.addTopItemsets(itemset(set, baskets, result.baskets())));
        return out.build();
    }

    @Override
    public Uni<GetFunnelResponse> getFunnel(GetFunnelRequest request) {
        return user(request.getTenant(), Roles.ANALYST, caller -> {
            Partials.FunnelAsk ask = Partials.ask(request);
            if (!replicas.alone()) {
                return queries.gather(
                                ComputePartialRequest.newBuilder()
                                        .setFunnel(request)
                                        .build(),
                                partitions -> partials.partial(ask, partitions))
                        .map(all -> Partials.finish(ask, all));
            }
            Funnel.Settings settings = ask.settings();
            String property = ask.property();
            List<String> breakdownAudiences = ask.breakdownAudiences();
            String audience = ask.audience();
            Insights.Period period = ask.period();
            return query((insights, connection) -> {
                requireAudience(insights, request.getTenant(), audience);
                // the engine computes the usual funnel without moving the events; the rest runs here
                Map<String, List<Funnel.StepResult>> funnel;
                if (FunnelQuery.covers(settings) && breakdownAudiences.isEmpty()) {
                    funnel = new FunnelQuery(connection)
                            .compute(request.getTenant(), settings, property, audience, period);
                } else {
                    var events = insights.funnelEvents(request.getTenant(), settings, property, audience, period);
                    funnel = Funnel.compute(events, settings, breakdown(insights, ask));
                }
                return funnelResponse(funnel);
            });
        });
    }

    /** The breakdown of a funnel: by a property of the first step's event, by audiences, or none. */
    static Funnel.Breakdown breakdown(Insights insights, Partials.FunnelAsk ask) throws SQLException {
        if (ask.property() != null) {
            return Funnel.Breakdown.byProperty(ask.property());
        }
        if (!ask.breakdownAudiences().isEmpty()) {
            Map<String, Set<String>> of = insights.audiencesOf(ask.tenant(), ask.breakdownAudiences());
            return (person, first) -> {
                Set<String> in = of.get(person);
                return in == null ? NONE : String.join("+", new java.util.TreeSet<>(in));
            };
        }
        return Funnel.Breakdown.NONE;
    }

    static GetFunnelResponse funnelResponse(Map<String, List<Funnel.StepResult>> funnel) {
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
    }

    @Override
    public Uni<GetRetentionResponse> getRetention(GetRetentionRequest request) {
        return user(request.getTenant(), Roles.ANALYST, caller -> {
            Partials.RetentionAsk ask = Partials.ask(request);
            return queries.gather(
                            ComputePartialRequest.newBuilder()
                                    .setRetention(request)
                                    .build(),
                            partitions -> partials.partial(ask, partitions))
                    .map(all -> Partials.finish(ask, all));
        });
    }

    @Override
    public Uni<GetGrowResponse> getGrow(GetGrowRequest request) {
        return user(request.getTenant(), Roles.ANALYST, caller -> {
            Partials.GrowAsk ask = Partials.ask(request);
            return queries.gather(
                            ComputePartialRequest.newBuilder().setGrow(request).build(),
                            partitions -> partials.partial(ask, partitions))
                    .map(all -> Partials.finish(ask, all));
        });
    }

    static final int MAX_COST_ROWS = 100_000;

    @Override
    public Uni<ImportCostsResponse> importCosts(ImportCostsRequest request) {
        return user(request.getTenant(), Roles.MARKETER, caller -> {
            if (request.getRowsCount() == 0 || request.getRowsCount() > MAX_COST_ROWS) {
                throw Errors.invalid("rows", "1 to " + MAX_COST_ROWS + " rows, was " + request.getRowsCount());
            }
            List<CostRepository.Cost> rows = new ArrayList<>(request.getRowsCount());
            for (int i = 0; i < request.getRowsCount(); i++) {
                CostRow row = request.getRows(i);
                String at = "rows[" + i + "]";
                LocalDate day;
                try {
                    day = LocalDate.parse(row.getDay());
                } catch (DateTimeException e) {
                    throw Errors.invalid(at + ".day", "an ISO date (2026-10-01), was '" + row.getDay() + "'");
                }
                // the years the database's dates (and the analyses' instants) hold alike
                if (day.getYear() < 1 || day.getYear() > 9999) {
                    throw Errors.invalid(at + ".day", "a day of the years 1 to 9999, was '" + row.getDay() + "'");
                }
                // the database keeps no NUL in text
                String channel = row.getChannel().strip();
                if (channel.isEmpty() || channel.length() > 200 || channel.indexOf('\0') >= 0) {
                    throw Errors.invalid(at + ".channel", "a channel of 1 to 200 characters (no NUL) is required");
                }
                if (row.getCreator().length() > 200 || row.getCreator().indexOf('\0') >= 0) {
                    throw Errors.invalid(at + ".creator", "at most 200 characters, no NUL");
                }
                if (!Double.isFinite(row.getCost()) || row.getCost() < 0) {
                    throw Errors.invalid(at + ".cost", "a cost of 0 or more, was " + row.getCost());
                }
                rows.add(new CostRepository.Cost(day, channel, row.getCreator().strip(), row.getCost()));
            }
            return costs.importCosts(request.getTenant(), rows)
                    .map(held -> ImportCostsResponse.newBuilder()
                            .setImported(rows.size())
                            .setHeld(held)
                            .build());
        });
    }

    @Override
    public Uni<GetEconomicsResponse> getEconomics(GetEconomicsRequest request) {
        return user(request.getTenant(), Roles.ANALYST, caller -> {
            Partials.EconomicsAsk ask = Partials.ask(request);
            return Uni.combine()
                    .all()
                    .unis(
                            queries.gather(
                                    ComputePartialRequest.newBuilder()
                                            .setEconomics(request)
                                            .build(),
                                    partitions -> partials.partial(ask, partitions)),
                            costs.spend(ask.tenant(), ask.firstDay(), ask.endDay()))
                    .asTuple()
                    .map(both -> Partials.finish(both.getItem1(), both.getItem2()));
        });
    }

    @Override
    public Uni<GetInsightStatusResponse> getInsightStatus(GetInsightStatusRequest request) {
        return user(
                request.getTenant(),
                Roles.VIEWER,
                caller -> queries.gather(
                                ComputePartialRequest.newBuilder()
                                        .setStatus(request)
                                        .build(),
                                partitions -> partials.status(request.getTenant(), partitions))
                        .map(Partials::finishStatus));
    }

    /** Events over time for the tenant's overview: any role may ask, as it reads only aggregate counts. */
    @Override
    public Uni<GetActivityResponse> getActivity(GetActivityRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            Partials.ActivityAsk ask = Partials.ask(request);
            return queries.gather(
                            ComputePartialRequest.newBuilder()
                                    .setActivity(request)
                                    .build(),
                            partitions -> partials.partial(ask, partitions))
                    .map(all -> Partials.finish(ask, all));
        });
    }

    private <T> Uni<T> user(String tenant, String role, Function<Caller, Uni<T>> call) {
        return access.call(identity.getDeferredIdentity())
                .forUser(tenant, role)
                .chain(c -> c.within(Uni.createFrom().deferred(() -> call.apply(c))));
    }

    /** Work on the store, on a worker thread with a store connection of its own. */
    private <T> Uni<T> query(Query<T> work) {
        return blocking(() -> once(() -> {
            try (Connection connection = store.openQuery()) {
                return work.run(new Insights(connection), connection);
            }
        }));
    }

    /**
     * Runs the work again, once, on a new view when a file the first one named was moved away
     * meanwhile (compaction, or a partition's files set aside: {@link EventStore#filesMoved}).
     */
    static <T> T once(StoreWork<T> work) throws SQLException {
        try {
            return work.run();
        } catch (SQLException e) {
            if (!EventStore.filesMoved(e)) {
                throw e;
            }
            return work.run();
        }
    }

    @FunctionalInterface
    interface StoreWork<T> {
        T run() throws SQLException;
    }

    /** Work on the store on a worker thread; a failure of the store is INTERNAL. */
    static <T> Uni<T> blocking(StoreWork<T> work) {
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

    /** An analysis filtered by an audience (none: null) needs it to have members; they are not read here. */
    private static void requireAudience(Insights insights, String tenant, String audience) throws SQLException {
        if (audience != null && !insights.hasMembers(tenant, audience)) {
            throw noAudience("audience", audience);
        }
    }

    static StatusRuntimeException noAudience(String field, String audience) {
        return Errors.notFound(field + ": audience '" + audience
                + "' has no members in the analytical store (unknown, empty, or not yet read from the feed)");
    }

    static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw Errors.invalid(field, field + " is required");
        }
        return value;
    }

    static String optional(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** The value, or the fallback when 0, within [min, max]; INVALID_ARGUMENT naming the field otherwise. */
    static int ranged(String field, int value, int fallback, int min, int max) {
        int v = value == 0 ? fallback : value;
        if (v < min || v > max) {
            throw Errors.invalid(field, min + " to " + max + " (0: " + fallback + "), was " + value);
        }
        return v;
    }

    static int limit(String field, int value, int fallback) {
        if (value < 0 || value > MAX_ROWS) {
            throw Errors.invalid(field, "0 to " + MAX_ROWS + " (0: " + fallback + "), was " + value);
        }
        return value == 0 ? fallback : value;
    }

    static Insights.Level level(String level) {
        return switch (level.isBlank() ? "category" : level) {
            case "category" -> Insights.Level.CATEGORY;
            case "product" -> Insights.Level.PRODUCT;
            default -> throw Errors.invalid("level", "category or product, was '" + level + "'");
        };
    }

    /** A property name as JSON paths take it: letters, digits, _ and -. */
    static String property(String name, String field) {
        if (!name.matches("[A-Za-z0-9_\\-]{1,100}")) {
            throw Errors.invalid(field, "a property name (letters, digits, _ and -), was '" + name + "'");
        }
        return name;
    }

    static Step step(String field, FunnelStep step) {
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

    static Insights.Period period(String fromField, Timestamp from, String toField, Timestamp to) {
        Instant start = from == null ? null : instant(fromField, from);
        Instant end = to == null ? null : instant(toField, to);
        if (start != null && end != null && !start.isBefore(end)) {
            throw Errors.invalid(fromField, "the period's start must be before its end (" + end + ")");
        }
        return new Insights.Period(start, end);
    }

    static Insights.Period bounded(String fromField, Timestamp from, String toField, Timestamp to) {
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

    static Instant instant(String field, Timestamp t) {
        if (t.getSeconds() < MIN_SECONDS
                || t.getSeconds() > MAX_SECONDS
                || t.getNanos() < 0
                || t.getNanos() > 999_999_999) {
            throw Errors.invalid(field, "an instant between the years 1 and 9999");
        }
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder()
                .setSeconds(at.getEpochSecond())
                .setNanos(at.getNano())
                .build();
    }

    private static long seconds(Duration d) {
        return d == null ? 0 : d.toSeconds();
    }

    static TgiRow tgiRow(Tgi.Row r) {
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

    static RetentionCohort cohort(Retention.Cohort c) {
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

    static GrowPart part(Grow.Part p) {
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
