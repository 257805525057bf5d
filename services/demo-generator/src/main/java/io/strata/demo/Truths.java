package io.strata.demo;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.strata.demo.BasketModel.Bundle;
import io.strata.demo.ContentModel.Feature;
import io.strata.demo.ContentModel.Plant;
import io.strata.demo.History.Line;
import io.strata.demo.History.Order;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What was planted, and what the generated data shows of it, counted while generating: fixed-size
 * accumulators only, so the answer file costs the same memory for any number of consumers.
 */
final class Truths {

    static final String SCHEMA = "strata-demo-truths/1";

    private static final int CROWDS = Crowd.values().length;
    private static final int CATEGORIES = Catalog.CATEGORIES.size();
    private static final int FEATURES = ContentModel.FEATURES.size();

    private final DemoGenerator.Options options;
    private final TimeFrame time;

    long consumers;
    long events;
    final Map<String, Long> eventsByName = new TreeMap<>();
    final long[] crowd = new long[CROWDS];
    final long[] coreByCrowd = new long[CROWDS];
    final long[] invitedByCrowd = new long[CROWDS];
    final long[][] hasFeature = new long[CROWDS][FEATURES];
    long core;
    long invited1;
    long invited2;
    long sameCrowdAsReferrer;
    long members;
    long orders;
    long orderLines;
    final long[] ordersWith = new long[CATEGORIES];
    final long[][] ordersWithBoth = new long[CATEGORIES][CATEGORIES];
    long churnPlanted;
    long churnWarning;
    long churnBoth;
    final long[] aipl = new long[AiplCount.STAGES.length];
    long buyers;
    long repeats;
    double expectedRepeats;
    double buyerAverageSpend;
    long revenueFen;
    long junkPhone;
    long junkEmail;
    long junkDevice;
    final long[] archetype = new long[Archetype.values().length];
    final java.util.Set<String> microGroups = new java.util.TreeSet<>();
    final long[] archetypeGroups = new long[Archetype.values().length];

    Truths(DemoGenerator.Options options, TimeFrame time) {
        this.options = options;
        this.time = time;
    }

    void event(SegmentEvent event) {
        events++;
        eventsByName.merge(event.type.equals("track") ? event.name : event.type, 1L, Long::sum);
    }

    void add(History h) {
        consumers++;
        int c = h.profile.crowd().ordinal();
        crowd[c]++;
        if (h.profile.core()) {
            core++;
            coreByCrowd[c]++;
        }
        if (h.profile.depth() > 0) {
            invitedByCrowd[c]++;
            if (h.profile.depth() == 1) {
                invited1++;
            } else {
                invited2++;
            }
            if (h.referrerCrowd == h.profile.crowd()) {
                sameCrowdAsReferrer++;
            }
        }
        h.features.stream().forEach(f -> hasFeature[c][f]++);
        Person person = h.profile.person();
        Archetype a = Archetype.of(options.seed(), person);
        archetype[a.ordinal()]++;
        if (microGroups.add(
                person.gender() + "|" + person.cityTier() + "|" + person.occupation() + "|" + person.incomeLevel())) {
            archetypeGroups[a.ordinal()]++;
        }
        if (h.member) {
            members++;
        }
        churnPlanted += h.plantedChurn ? 1 : 0;
        churnWarning += h.churnWarning() ? 1 : 0;
        churnBoth += h.plantedChurn && h.churnWarning() ? 1 : 0;
        int stage = AiplCount.stage(h.events, time.end());
        if (stage >= 0) {
            aipl[stage]++;
        }
        junkPhone += h.ids.junkPhone() ? 1 : 0;
        junkEmail += h.ids.junkEmail() ? 1 : 0;
        junkDevice += h.ids.junkDevice() ? 1 : 0;
        if (h.buyer()) {
            buyers++;
            repeats += h.orders.size() - 1;
            expectedRepeats += ClvModel.BG_NBD.expectedRepeats(h.weeksSinceFirstPurchase);
            long spend = 0;
            for (Order order : h.orders) {
                spend += order.revenueFen();
                basket(order);
            }
            revenueFen += spend;
            buyerAverageSpend += spend / 100.0 / h.orders.size();
        }
    }

    private void basket(Order order) {
        orders++;
        orderLines += order.lines().size();
        boolean[] in = new boolean[CATEGORIES];
        for (Line line : order.lines()) {
            in[line.product().category().index()] = true;
        }
        for (int a = 0; a < CATEGORIES; a++) {
            if (in[a]) {
                ordersWith[a]++;
                for (int b = 0; b < CATEGORIES; b++) {
                    if (in[b] && b != a) {
                        ordersWithBoth[a][b]++;
                    }
                }
            }
        }
    }

    void write(OutputStream out) throws IOException {
        try (JsonGenerator json = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("schema", SCHEMA);
            generator(json);
            counts(json);
            crowds(json);
            customCrowds(json);
            association(json);
            tgi(json);
            churn(json);
            aipl(json);
            reverseFunnel(json);
            clv(json);
            junk(json);
            json.writeEndObject();
        }
    }

    private void generator(JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("generator");
        json.writeNumberField("seed", options.seed());
        json.writeNumberField("consumers", options.consumers());
        json.writeNumberField("months", options.months());
        json.writeStringField("start", EventWriter.timestamp(time.start()));
        json.writeStringField("end", EventWriter.timestamp(time.end()));
        json.writeStringField("reference_date", time.reference().toString());
        json.writeEndObject();
        json.writeObjectFieldStart("files");
        json.writeStringField("events", DemoGenerator.EVENTS);
        json.writeStringField("orders", DemoGenerator.ORDERS);
        json.writeStringField("consumers", DemoGenerator.CONSUMERS);
        json.writeEndObject();
    }

    private void counts(JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("counts");
        json.writeNumberField("consumers", consumers);
        json.writeNumberField("events", events);
        json.writeNumberField("orders", orders);
        json.writeNumberField("order_lines", orderLines);
        json.writeNumberField("buyers", buyers);
        json.writeNumberField("members", members);
        json.writeObjectFieldStart("events_by_name");
        for (Map.Entry<String, Long> e : eventsByName.entrySet()) {
            json.writeNumberField(e.getKey(), e.getValue());
        }
        json.writeEndObject();
        json.writeEndObject();
    }

    private void customCrowds(JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("custom_crowds");
        json.writeStringField(
                "rule",
                "each micro-group of the base dimensions takes an archetype by a hash of its values; its consumers"
                        + " browse the archetype's favourite categories with the affinity, by popularity otherwise");
        json.writeStringField("per_consumer", DemoGenerator.CONSUMERS + ": column archetype");
        json.writeArrayFieldStart("base_dimensions");
        for (String dimension : Archetype.BASE_DIMENSIONS) {
            json.writeString(dimension);
        }
        json.writeEndArray();
        json.writeArrayFieldStart("events");
        for (String event : Archetype.EVENTS) {
            json.writeString(event);
        }
        json.writeEndArray();
        json.writeStringField("property", "category");
        json.writeNumberField("affinity", Archetype.AFFINITY);
        json.writeNumberField("micro_groups", microGroups.size());
        json.writeNumberField("count", Archetype.values().length);
        json.writeArrayFieldStart("archetypes");
        for (Archetype a : Archetype.values()) {
            json.writeStartObject();
            json.writeStringField("archetype", a.name());
            json.writeStringField("zh", a.zh);
            json.writeStringField("en", a.en);
            json.writeArrayFieldStart("favourite_categories");
            for (int category : a.favourites) {
                json.writeString(Catalog.CATEGORIES.get(category).id());
            }
            json.writeEndArray();
            json.writeNumberField("micro_groups", archetypeGroups[a.ordinal()]);
            json.writeNumberField("count", archetype[a.ordinal()]);
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private void crowds(JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("crowds");
        json.writeStringField("age_on", time.reference().toString());
        json.writeStringField("per_consumer", DemoGenerator.CONSUMERS + ": column crowd");
        json.writeArrayFieldStart("rules");
        for (CrowdRules.Rule rule : CrowdRules.RULES) {
            json.writeStartObject();
            json.writeStringField("crowd", rule.crowd().name());
            json.writeStringField("zh", rule.crowd().zh);
            json.writeStringField("en", rule.crowd().en);
            json.writeStringField("rule", rule.text());
            json.writeNumberField("count", crowd[rule.crowd().ordinal()]);
            json.writeNumberField("share", round(share(crowd[rule.crowd().ordinal()], consumers)));
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private void association(JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("association");
        json.writeStringField("basket", "order");
        json.writeStringField("item", "products[].category");
        json.writeNumberField("orders", orders);
        json.writeNumberField("second_category_probability", BasketModel.SECOND);
        json.writeArrayFieldStart("planted_pairs");
        for (Bundle bundle : BasketModel.BUNDLES) {
            int a = bundle.a().index();
            int b = bundle.b().index();
            json.writeStartObject();
            json.writeStringField("a", bundle.a().id());
            json.writeStringField("b", bundle.b().id());
            json.writeNumberField("bundle_share", bundle.probability());
            json.writeNumberField("planted_lift", round(BasketModel.lift(a, b)));
            json.writeNumberField("planted_support", round(BasketModel.probability(a, b)));
            json.writeNumberField("orders_with_a", ordersWith[a]);
            json.writeNumberField("orders_with_b", ordersWith[b]);
            json.writeNumberField("orders_with_both", ordersWithBoth[a][b]);
            json.writeNumberField("observed_support", round(share(ordersWithBoth[a][b], orders)));
            json.writeNumberField("observed_confidence_a_to_b", round(share(ordersWithBoth[a][b], ordersWith[a])));
            json.writeNumberField("observed_lift", round(lift(a, b)));
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private double lift(int a, int b) {
        return orders == 0 || ordersWith[a] == 0 || ordersWith[b] == 0
                ? Double.NaN
                : (double) ordersWithBoth[a][b] * orders / ((double) ordersWith[a] * ordersWith[b]);
    }

    private void tgi(JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("tgi");
        json.writeStringField("population", "all consumers");
        json.writeStringField(
                "has_feature",
                "at least one Content Viewed whose properties.<dimension> is the value"
                        + " (anonymous events count for the user their anonymousId was later identified as)");
        json.writeStringField(
                "planted_tgi",
                "100 * P(feature | crowd) / mean over the population of P(feature | consumer's crowd),"
                        + " with the crowd sizes generated");
        json.writeArrayFieldStart("planted");
        for (Plant plant : ContentModel.PLANTS) {
            Feature f = ContentModel.feature(plant.dimension(), plant.value());
            int c = plant.crowd().ordinal();
            long population = 0;
            long populationWith = 0;
            for (int k = 0; k < CROWDS; k++) {
                population += crowd[k];
                populationWith += hasFeature[k][f.index()];
            }
            double crowdShare = share(hasFeature[c][f.index()], crowd[c]);
            double baseShare = share(populationWith, population);
            json.writeStartObject();
            json.writeStringField("crowd", plant.crowd().name());
            json.writeStringField("dimension", plant.dimension().name());
            json.writeStringField("value", plant.value());
            json.writeNumberField("multiplier", plant.multiplier());
            json.writeNumberField("planted_tgi", round(ContentModel.expectedTgi(plant.crowd(), f.index(), crowd)));
            json.writeNumberField("observed_tgi", round(100 * crowdShare / baseShare));
            json.writeNumberField("crowd_size", crowd[c]);
            json.writeNumberField("crowd_with_feature", hasFeature[c][f.index()]);
            json.writeNumberField("population", population);
            json.writeNumberField("population_with_feature", populationWith);
            double se = Math.sqrt(baseShare * (1 - baseShare) / Math.max(1, crowd[c]));
            json.writeNumberField("z", round(se == 0 ? 0 : (crowdShare - baseShare) / se));
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("neutral_features");
        for (Feature f : ContentModel.FEATURES) {
            if (ContentModel.neutral(f)) {
                json.writeStartObject();
                json.writeStringField("dimension", f.dimension().name());
                json.writeStringField("value", f.value());
                json.writeEndObject();
            }
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private void aipl(JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("aipl");
        json.writeStringField(
                "rule",
                "the highest stage a consumer's generated events qualify for at the end, with the domain guide's"
                        + " default windows (A passive 15 d, I active 15 d, P purchase 30 months, L purchases on"
                        + " 3+ days or a review or share in 365 d); days in UTC");
        json.writeStringField("end", EventWriter.timestamp(time.end()));
        json.writeObjectFieldStart("counts");
        for (int i = 0; i < AiplCount.STAGES.length; i++) {
            json.writeNumberField(AiplCount.STAGES[i], aipl[i]);
        }
        json.writeEndObject();
        json.writeEndObject();
    }

    private void churn(JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("churn");
        json.writeStringField("visits", "page calls");
        json.writeStringField(
                "rule", "visits in [end - 30 d, end) <= 50 % of visits in [end - 60 d, end - 30 d), which are > 0");
        json.writeStringField("previous_window_start", EventWriter.timestamp(time.end() - 60 * TimeFrame.DAY));
        json.writeStringField("last_window_start", EventWriter.timestamp(time.end() - 30 * TimeFrame.DAY));
        json.writeStringField("end", EventWriter.timestamp(time.end()));
        json.writeNumberField("planted_share_of_eligible", ConsumerGenerator.CHURN);
        json.writeStringField("eligible", "signed in before the previous window");
        json.writeNumberField("planted", churnPlanted);
        json.writeNumberField("observed_by_rule", churnWarning);
        json.writeNumberField("planted_and_observed", churnBoth);
        json.writeStringField("per_consumer", DemoGenerator.CONSUMERS + ": column churning");
        json.writeEndObject();
    }

    private void reverseFunnel(JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("reverse_funnel");
        json.writeObjectFieldStart("core");
        json.writeStringField(
                "rule", "not invited by anyone, then by chance with a probability that depends on the crowd");
        json.writeNumberField("count", core);
        json.writeObjectFieldStart("probability_by_crowd");
        for (Crowd c : Crowd.values()) {
            json.writeNumberField(c.name(), Population.coreProbability(c));
        }
        json.writeEndObject();
        crowdCounts(json, "by_crowd", coreByCrowd);
        json.writeEndObject();
        json.writeObjectFieldStart("high_potential");
        json.writeStringField("rule", "consumers reached by referral chains that start at core advocates");
        json.writeNumberField("count", invited1 + invited2);
        json.writeNumberField("invited_by_core", invited1);
        json.writeNumberField("invited_by_invited", invited2);
        crowdCounts(json, "by_crowd", invitedByCrowd);
        json.writeNumberField("lookalike_copy_probability", PersonSampler.LOOKALIKE);
        json.writeNumberField("same_crowd_as_referrer", round(share(sameCrowdAsReferrer, invited1 + invited2)));
        double chance = 0;
        for (int c = 0; c < CROWDS; c++) {
            chance += share(crowd[c], consumers) * share(crowd[c], consumers);
        }
        json.writeNumberField("same_crowd_by_chance", round(chance));
        json.writeEndObject();
        json.writeStringField(
                "chains",
                "Signed Up carries properties.referrer (the inviter's userId) and invite_code;"
                        + " the inviter's Invite Sent carries the same invite_code");
        json.writeNumberField("max_depth", 2);
        json.writeNumberField("viral_coefficient", round(share(invited1, core)));
        json.writeStringField(
                "per_consumer",
                DemoGenerator.CONSUMERS + ": columns core, high_potential, referral_depth, referrer_id");
        json.writeEndObject();
    }

    private void crowdCounts(JsonGenerator json, String field, long[] counts) throws IOException {
        json.writeObjectFieldStart(field);
        for (Crowd c : Crowd.values()) {
            json.writeNumberField(c.name(), counts[c.ordinal()]);
        }
        json.writeEndObject();
    }

    private void clv(JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("clv");
        json.writeStringField("time_unit", "week");
        json.writeObjectFieldStart("bgnbd");
        json.writeNumberField("r", ClvModel.BG_NBD.r());
        json.writeNumberField("alpha", ClvModel.BG_NBD.alpha());
        json.writeNumberField("a", ClvModel.BG_NBD.a());
        json.writeNumberField("b", ClvModel.BG_NBD.b());
        json.writeEndObject();
        json.writeObjectFieldStart("gamma_gamma");
        json.writeNumberField("p", ClvModel.GAMMA_GAMMA.p());
        json.writeNumberField("q", ClvModel.GAMMA_GAMMA.q());
        json.writeNumberField("gamma", ClvModel.GAMMA_GAMMA.gamma());
        json.writeEndObject();
        json.writeNumberField("buyers", buyers);
        json.writeStringField(
                "first_purchase",
                "a buyer's first order is the BG/NBD trial (time 0); repeat purchases are the orders after it");
        json.writeNumberField("expected_repeat_purchases_per_buyer", round(expectedRepeats / Math.max(1, buyers)));
        json.writeNumberField("observed_repeat_purchases_per_buyer", round(share(repeats, buyers)));
        json.writeNumberField("expected_spend_per_order", round(ClvModel.GAMMA_GAMMA.meanSpend()));
        json.writeNumberField("observed_mean_of_buyer_average_spend", round(buyerAverageSpend / Math.max(1, buyers)));
        json.writeNumberField("observed_spend_per_order", round(orders == 0 ? 0 : revenueFen / 100.0 / orders));
        json.writeStringField("currency", "CNY");
        json.writeEndObject();
    }

    private void junk(JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("junk_identifiers");
        junk(
                json,
                "phone",
                "identify traits.phone, orders.csv phone",
                Identifiers.JUNK_PHONE,
                junkPhone,
                Identifiers.JUNK_PHONES);
        junk(
                json,
                "email",
                "identify traits.email, orders.csv email",
                Identifiers.JUNK_EMAIL,
                junkEmail,
                Identifiers.JUNK_EMAILS);
        junk(
                json,
                "device_id",
                "context.device.id of the consumer's first device",
                Identifiers.JUNK_DEVICE,
                junkDevice,
                Identifiers.JUNK_DEVICE_IDS);
        json.writeEndObject();
    }

    private void junk(JsonGenerator json, String field, String where, double planted, long count, List<String> values)
            throws IOException {
        json.writeObjectFieldStart(field);
        json.writeStringField("where", where);
        json.writeNumberField("planted_share", planted);
        json.writeNumberField("consumers", count);
        json.writeNumberField("observed_share", round(share(count, consumers)));
        json.writeArrayFieldStart("values");
        for (String v : values) {
            json.writeString(v);
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static double share(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    /** Six significant decimals: enough for any check, and no noise in the file. */
    private static double round(double value) {
        return Double.isFinite(value) ? Math.round(value * 1e6) / 1e6 : 0;
    }
}
