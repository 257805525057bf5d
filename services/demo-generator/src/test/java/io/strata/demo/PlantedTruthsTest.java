package io.strata.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every truth of truths.json holds on the generated files themselves, computed here from
 * events.jsonl, orders.csv and consumers.csv. Tolerances are confidence intervals (4 standard
 * errors) from the data, not fixed margins.
 */
class PlantedTruthsTest {

    private static final double Z = 4;
    private static GeneratedData data;

    @BeforeAll
    static void generate() throws Exception {
        data = GeneratedData.get();
    }

    @Test
    void everyLineIsASegmentCallIngestionAccepts() {
        Set<String> types = Set.of("identify", "track", "page");
        Set<String> messageIds = new HashSet<>();
        long start = OffsetDateTime.parse(
                        data.truths.path("generator").path("start").asText())
                .toInstant()
                .toEpochMilli();
        for (ObjectNode event : data.events) {
            assertTrue(types.contains(event.path("type").asText()), event::toString);
            assertTrue(messageIds.add(event.path("messageId").asText()), () -> "duplicate messageId " + event);
            assertTrue(event.path("timestamp").asText().endsWith("+08:00"), event::toString);
            long at = GeneratedData.epochMillis(event);
            assertTrue(at >= start && at < data.end(), () -> "outside the window: " + event);
            assertFalse(
                    event.path("userId").asText("").isEmpty()
                            && event.path("anonymousId").asText("").isEmpty(),
                    event::toString);
            if (event.path("type").asText().equals("track")) {
                assertFalse(event.path("event").asText("").isBlank(), event::toString);
            }
            assertTrue(event.path("context").isObject(), event::toString);
            for (JsonNode id : event.path("context").path("externalIds")) {
                assertTrue(Set.of("wechat_union_id", "wechat_open_id", "member_id")
                        .contains(id.path("type").asText()));
                assertEquals("users", id.path("collection").asText());
                assertEquals("none", id.path("encoding").asText());
            }
        }
        assertEquals(data.truths.path("counts").path("events").asLong(), data.events.size());
    }

    @Test
    void anonymousHistoriesAreJoinedByIdentify() {
        long anonymous = data.events.stream()
                .filter(e -> e.path("userId").isMissingNode())
                .count();
        assertTrue(anonymous > 1000, "anonymous events before sign-in: " + anonymous);
        for (ObjectNode event : data.events) {
            assertNotNull(data.userOf(event), () -> "an anonymous event no identify joins: " + event);
        }
        Map<String, Integer> devicesPerUser = new HashMap<>();
        data.userOfAnonymousId.values().forEach(u -> devicesPerUser.merge(u, 1, Integer::sum));
        assertTrue(devicesPerUser.values().stream().filter(n -> n >= 2).count() > 500, "users on several devices");
        JsonNode identify = data.events.stream()
                .filter(e -> e.path("type").asText().equals("identify")
                        && e.path("traits").has("wechatUnionId"))
                .findFirst()
                .orElseThrow();
        String union = identify.path("traits").path("wechatUnionId").asText();
        assertTrue(union.startsWith("o") && union.length() == 28, union);
        boolean inContext = false;
        for (JsonNode id : identify.path("context").path("externalIds")) {
            inContext |= id.path("type").asText().equals("wechat_union_id")
                    && id.path("id").asText().equals(union);
        }
        assertTrue(inContext, "unionId mirrored in context.externalIds");
    }

    @Test
    void crowdRulesReproduceTheMembership() {
        LocalDate reference = data.reference();
        Map<String, Long> counts = new TreeMap<>();
        for (CSVRecord row : data.consumers.values()) {
            JsonNode t = data.traits.get(row.get("user_id"));
            Person person = new Person(
                    t.path("name").asText(),
                    "",
                    Person.Gender.valueOf(t.path("gender").asText()),
                    LocalDate.parse(t.path("birthday").asText()),
                    t.path("address").path("city").asText(),
                    t.path("cityTier").asInt(),
                    Person.Occupation.valueOf(t.path("occupation").asText()),
                    t.path("incomeLevel").asInt(),
                    t.path("married").asBoolean(),
                    t.path("kids").asInt());
            Crowd crowd = CrowdRules.of(person, reference);
            assertEquals(row.get("crowd"), crowd.name(), row::toString);
            counts.merge(crowd.name(), 1L, Long::sum);
        }
        for (JsonNode rule : data.truths.path("crowds").path("rules")) {
            long count = rule.path("count").asLong();
            assertEquals(count, counts.getOrDefault(rule.path("crowd").asText(), 0L), rule::toString);
            assertTrue(count >= 0.02 * GeneratedData.CONSUMERS, () -> "every crowd is sizeable: " + rule);
        }
    }

    @Test
    void archetypesFollowTheMicroGroupsAndShapeBrowsing() {
        JsonNode custom = data.truths.path("custom_crowds");
        Map<String, Long> counts = new TreeMap<>();
        Map<String, String> groupArchetype = new HashMap<>();
        for (CSVRecord row : data.consumers.values()) {
            String group = row.get("gender") + "|" + row.get("city_tier") + "|" + row.get("occupation") + "|"
                    + row.get("income_level");
            String archetype = row.get("archetype");
            // one archetype per micro-group: the base dimensions alone decide it
            assertEquals(groupArchetype.computeIfAbsent(group, g -> archetype), archetype, group);
            counts.merge(archetype, 1L, Long::sum);
        }
        assertEquals(groupArchetype.size(), custom.path("micro_groups").asInt());
        assertTrue(groupArchetype.size() >= 100, "100+ micro-groups: " + groupArchetype.size());
        assertEquals(Archetype.values().length, custom.path("count").asInt());
        Map<String, Set<String>> favourites = new HashMap<>();
        for (JsonNode a : custom.path("archetypes")) {
            assertEquals(
                    a.path("count").asLong(),
                    counts.getOrDefault(a.path("archetype").asText(), 0L),
                    a::toString);
            assertTrue(a.path("count").asLong() >= 0.05 * GeneratedData.CONSUMERS, a::toString);
            Set<String> f = new HashSet<>();
            a.path("favourite_categories").forEach(c -> f.add(c.asText()));
            favourites.put(a.path("archetype").asText(), f);
        }
        // each archetype's consumers view its favourites several times as often as the others do
        Map<String, long[]> views = new HashMap<>();
        for (ObjectNode event : data.events) {
            if (event.path("event").asText().equals("Product Viewed")) {
                CSVRecord consumer = data.consumers.get(data.userOf(event));
                if (consumer == null) {
                    continue;
                }
                String category = event.path("properties").path("category").asText();
                for (Map.Entry<String, Set<String>> a : favourites.entrySet()) {
                    long[] v = views.computeIfAbsent(a.getKey(), k -> new long[4]);
                    int own = consumer.get("archetype").equals(a.getKey()) ? 0 : 2;
                    v[own]++;
                    v[own + 1] += a.getValue().contains(category) ? 1 : 0;
                }
            }
        }
        views.forEach((archetype, v) -> {
            double own = (double) v[1] / v[0];
            double others = (double) v[3] / v[2];
            assertTrue(own > 3 * others, () -> archetype + ": " + own + " against " + others);
        });
    }

    @Test
    void plantedCategoryPairsShowTheirLift() {
        Map<String, Set<String>> baskets = new HashMap<>();
        for (CSVRecord line : data.orderLines) {
            baskets.computeIfAbsent(line.get("order_id"), o -> new HashSet<>()).add(line.get("category"));
        }
        long n = baskets.size();
        assertEquals(data.truths.path("association").path("orders").asLong(), n);
        for (JsonNode pair : data.truths.path("association").path("planted_pairs")) {
            String a = pair.path("a").asText();
            String b = pair.path("b").asText();
            long na = baskets.values().stream().filter(s -> s.contains(a)).count();
            long nb = baskets.values().stream().filter(s -> s.contains(b)).count();
            long nab = baskets.values().stream()
                    .filter(s -> s.contains(a) && s.contains(b))
                    .count();
            double observed = (double) nab * n / ((double) na * nb);
            double planted = pair.path("planted_lift").asDouble();
            double seLog = Math.sqrt(1.0 / nab + 1.0 / na + 1.0 / nb);
            assertTrue(
                    Math.abs(Math.log(observed / planted)) < Z * seLog,
                    () -> a + "+" + b + ": observed lift " + observed + ", planted " + planted);
            assertTrue(planted > 2 && observed > 2, a + "+" + b);
            assertEquals(pair.path("observed_lift").asDouble(), observed, 1e-5);
        }
        // a pair nobody planted stays near independence
        long skin =
                baskets.values().stream().filter(s -> s.contains("skincare")).count();
        long coffee =
                baskets.values().stream().filter(s -> s.contains("coffee")).count();
        long both = baskets.values().stream()
                .filter(s -> s.contains("skincare") && s.contains("coffee"))
                .count();
        assertTrue((double) both * n / ((double) skin * coffee) < 1.5, "skincare+coffee is not planted");
    }

    @Test
    void plantedCrowdsOverIndexOnTheirContent() {
        Map<String, Set<String>> seen = contentFeatures();
        Map<String, List<String>> members = new HashMap<>();
        data.consumers
                .values()
                .forEach(r -> members.computeIfAbsent(r.get("crowd"), c -> new ArrayList<>())
                        .add(r.get("user_id")));
        int population = data.consumers.size();
        for (JsonNode plant : data.truths.path("tgi").path("planted")) {
            String feature =
                    plant.path("dimension").asText() + "=" + plant.path("value").asText();
            List<String> crowd = members.get(plant.path("crowd").asText());
            double[] tgi = tgi(seen, crowd, feature, population);
            double planted = plant.path("planted_tgi").asDouble();
            assertTrue(Math.abs(tgi[0] - planted) < Z * tgi[1], () -> plant + ": observed " + tgi[0] + " ± " + tgi[1]);
            if (plant.path("multiplier").asDouble() > 1) {
                assertTrue(tgi[0] > 115 && (tgi[0] - 100) > 3 * tgi[1], () -> plant + ": observed " + tgi[0]);
            } else {
                assertTrue(tgi[0] < 75 && (100 - tgi[0]) > 3 * tgi[1], () -> plant + ": observed " + tgi[0]);
            }
            assertEquals(plant.path("observed_tgi").asDouble(), tgi[0], 1e-3);
        }
        int checked = 0;
        for (JsonNode neutral : data.truths.path("tgi").path("neutral_features")) {
            String feature = neutral.path("dimension").asText() + "="
                    + neutral.path("value").asText();
            for (List<String> crowd : members.values()) {
                double[] tgi = tgi(seen, crowd, feature, population);
                assertTrue(Math.abs(tgi[0] - 100) < 4.5 * tgi[1], () -> feature + ": TGI " + tgi[0] + " ± " + tgi[1]);
                checked++;
            }
        }
        assertTrue(checked > 100);
    }

    /** Users and the content features (dimension=value) they have seen. */
    private static Map<String, Set<String>> contentFeatures() {
        Map<String, Set<String>> seen = new HashMap<>();
        for (ObjectNode event : data.events) {
            if (event.path("event").asText().equals("Content Viewed")) {
                Set<String> f = seen.computeIfAbsent(data.userOf(event), u -> new HashSet<>());
                JsonNode p = event.path("properties");
                f.add("channel=" + p.path("channel").asText());
                f.add("topic=" + p.path("topic").asText());
                f.add("creator=" + p.path("creator").asText());
            }
        }
        return seen;
    }

    /** TGI of a feature in a crowd, and its standard error. */
    private static double[] tgi(Map<String, Set<String>> seen, List<String> crowd, String feature, int population) {
        long inCrowd = crowd.stream()
                .filter(u -> seen.getOrDefault(u, Set.of()).contains(feature))
                .count();
        long all = seen.values().stream().filter(s -> s.contains(feature)).count();
        double base = (double) all / population;
        double share = (double) inCrowd / crowd.size();
        double se = Math.sqrt(Math.max(share, base) * (1 - Math.max(share, base)) / crowd.size()) / base * 100;
        return new double[] {100 * share / base, se};
    }

    @Test
    void theChurningCohortIsWhomTheChurnWarningFinds() {
        long end = data.end();
        Map<String, int[]> visits = new HashMap<>();
        for (ObjectNode event : data.events) {
            if (event.path("type").asText().equals("page")) {
                long at = GeneratedData.epochMillis(event);
                int window = at >= end - 30 * TimeFrame.DAY ? 1 : at >= end - 60 * TimeFrame.DAY ? 0 : -1;
                if (window >= 0) {
                    visits.computeIfAbsent(data.userOf(event), u -> new int[2])[window]++;
                }
            }
        }
        Set<String> warned = new HashSet<>();
        visits.forEach((user, v) -> {
            if (v[0] > 0 && 2 * v[1] <= v[0]) {
                warned.add(user);
            }
        });
        Set<String> planted = new HashSet<>();
        data.consumers.values().stream()
                .filter(r -> r.get("churning").equals("true"))
                .forEach(r -> planted.add(r.get("user_id")));
        assertEquals(planted, warned);
        assertEquals(data.truths.path("churn").path("planted").asLong(), planted.size());
        assertTrue(planted.size() > 0.05 * GeneratedData.CONSUMERS, "churners: " + planted.size());
        // and their visits fell by more than half, not just by half
        for (String user : planted) {
            int[] v = visits.get(user);
            assertTrue(2 * v[1] < v[0], user);
        }
    }

    @Test
    void repeatPurchasesFollowTheBgNbdProcess() {
        JsonNode p = data.truths.path("clv").path("bgnbd");
        ClvModel.BgNbd model = new ClvModel.BgNbd(
                p.path("r").asDouble(),
                p.path("alpha").asDouble(),
                p.path("a").asDouble(),
                p.path("b").asDouble());
        Map<String, Set<String>> ordersOf = new HashMap<>();
        Map<String, Long> firstOrder = new HashMap<>();
        for (CSVRecord line : data.orderLines) {
            String user = line.get("user_id");
            ordersOf.computeIfAbsent(user, u -> new HashSet<>()).add(line.get("order_id"));
            long at = OffsetDateTime.parse(line.get("timestamp")).toInstant().toEpochMilli();
            firstOrder.merge(user, at, Math::min);
        }
        double sum = 0;
        double sumSq = 0;
        double observed = 0;
        double expected = 0;
        for (Map.Entry<String, Set<String>> e : ordersOf.entrySet()) {
            double weeks = (data.end() - firstOrder.get(e.getKey())) / (7.0 * TimeFrame.DAY);
            int repeats = e.getValue().size() - 1;
            double exp = model.expectedRepeats(weeks);
            observed += repeats;
            expected += exp;
            sum += repeats - exp;
            sumSq += (repeats - exp) * (repeats - exp);
        }
        int n = ordersOf.size();
        double se = Math.sqrt((sumSq / n - (sum / n) * (sum / n)) / n);
        double diff = (observed - expected) / n;
        assertTrue(
                Math.abs(diff) < Z * se,
                "repeat purchases per buyer: observed " + observed / n + ", expected " + expected / n + " (se " + se
                        + ")");
        assertEquals(data.truths.path("clv").path("buyers").asLong(), n);
    }

    @Test
    void spendPerOrderFollowsTheGammaGammaProcess() {
        JsonNode p = data.truths.path("clv").path("gamma_gamma");
        double expected = p.path("p").asDouble()
                * p.path("gamma").asDouble()
                / (p.path("q").asDouble() - 1);
        Map<String, BigDecimal> revenue = new HashMap<>();
        Map<String, String> buyerOf = new HashMap<>();
        for (CSVRecord line : data.orderLines) {
            BigDecimal amount = new BigDecimal(line.get("price")).multiply(new BigDecimal(line.get("quantity")));
            revenue.merge(line.get("order_id"), amount, BigDecimal::add);
            buyerOf.put(line.get("order_id"), line.get("user_id"));
        }
        Map<String, double[]> perBuyer = new HashMap<>();
        revenue.forEach((order, amount) -> {
            double[] s = perBuyer.computeIfAbsent(buyerOf.get(order), b -> new double[2]);
            s[0] += amount.doubleValue();
            s[1]++;
        });
        double sum = 0;
        double sumSq = 0;
        for (double[] s : perBuyer.values()) {
            double average = s[0] / s[1];
            sum += average;
            sumSq += average * average;
        }
        int n = perBuyer.size();
        double mean = sum / n;
        double se = Math.sqrt((sumSq / n - mean * mean) / n);
        assertTrue(
                Math.abs(mean - expected) < Z * se,
                "mean spend " + mean + ", expected " + expected + " (se " + se + ")");
    }

    @Test
    void ordersCsvAndOrderEventsTellTheSameOrders() {
        Map<String, BigDecimal> csv = new HashMap<>();
        for (CSVRecord line : data.orderLines) {
            csv.merge(
                    line.get("order_id"),
                    new BigDecimal(line.get("price")).multiply(new BigDecimal(line.get("quantity"))),
                    BigDecimal::add);
            assertEquals("CNY", line.get("currency"));
        }
        Map<String, BigDecimal> events = new HashMap<>();
        for (ObjectNode event : data.events) {
            if (event.path("event").asText().equals("Order Completed")) {
                JsonNode p = event.path("properties");
                assertEquals(
                        "import-order-" + p.path("order_id").asText(),
                        event.path("messageId").asText());
                assertEquals("CNY", p.path("currency").asText());
                BigDecimal sum = BigDecimal.ZERO;
                for (JsonNode product : p.path("products")) {
                    for (String field : List.of("product_id", "sku", "name", "category")) {
                        assertFalse(product.path(field).asText("").isEmpty(), field);
                    }
                    sum = sum.add(product.path("price")
                            .decimalValue()
                            .multiply(product.path("quantity").decimalValue()));
                }
                assertEquals(0, sum.compareTo(p.path("revenue").decimalValue()), event::toString);
                events.put(p.path("order_id").asText(), p.path("revenue").decimalValue());
            }
        }
        assertEquals(csv.keySet(), events.keySet());
        csv.forEach((order, amount) -> assertEquals(0, amount.compareTo(events.get(order)), order));
        Set<String> products = new HashSet<>();
        data.orderLines.forEach(l -> products.add(l.get("product_id")));
        assertTrue(products.size() > 400, "products sold: " + products.size());
    }

    @Test
    void referralChainsStartAtCoreAdvocates() {
        Map<String, String> referrerOf = new HashMap<>();
        Map<String, String> codeOf = new HashMap<>();
        Set<String> invitesSent = new HashSet<>();
        for (ObjectNode event : data.events) {
            String name = event.path("event").asText();
            if (name.equals("Signed Up") && event.path("properties").has("referrer")) {
                referrerOf.put(
                        event.path("userId").asText(),
                        event.path("properties").path("referrer").asText());
                codeOf.put(
                        event.path("userId").asText(),
                        event.path("properties").path("invite_code").asText());
            } else if (name.equals("Invite Sent")) {
                invitesSent.add(event.path("userId").asText() + "/"
                        + event.path("properties").path("invite_code").asText());
            }
        }
        assertTrue(referrerOf.size() > 0.08 * GeneratedData.CONSUMERS, "invited: " + referrerOf.size());
        Map<Integer, Integer> depths = new TreeMap<>();
        for (Map.Entry<String, String> e : referrerOf.entrySet()) {
            String user = e.getKey();
            assertTrue(invitesSent.contains(e.getValue() + "/" + codeOf.get(user)), "the referrer sent the invite");
            int depth = 0;
            String root = user;
            while (referrerOf.containsKey(root)) {
                root = referrerOf.get(root);
                depth++;
                assertTrue(depth <= 2, "chains are at most two invitations long");
            }
            CSVRecord rootRow = data.consumers.get(root);
            assertEquals("true", rootRow.get("core"), "chain of " + user + " starts at " + root);
            assertEquals(String.valueOf(depth), data.consumers.get(user).get("referral_depth"));
            depths.merge(depth, 1, Integer::sum);
        }
        assertTrue(depths.getOrDefault(2, 0) > 0, "chains of two invitations exist");
        Set<String> highPotential = new HashSet<>();
        data.consumers.values().stream()
                .filter(r -> r.get("high_potential").equals("true"))
                .forEach(r -> highPotential.add(r.get("user_id")));
        assertEquals(highPotential, referrerOf.keySet());
        // the invited resemble the core: same crowd as their referrer far more often than by chance
        JsonNode hp = data.truths.path("reverse_funnel").path("high_potential");
        assertTrue(hp.path("same_crowd_as_referrer").asDouble()
                > 2 * hp.path("same_crowd_by_chance").asDouble());
    }

    @Test
    void junkIdentifiersAppearAtThePlantedShare() {
        JsonNode junk = data.truths.path("junk_identifiers");
        check(
                junk.path("phone"),
                data.traits.values().stream().map(t -> t.path("phone").asText()).toList());
        check(
                junk.path("email"),
                data.traits.values().stream().map(t -> t.path("email").asText()).toList());
        List<String> devices = new ArrayList<>();
        for (Set<String> ids : data.deviceIds.values()) {
            Set<String> values = new HashSet<>();
            junk.path("device_id").path("values").forEach(v -> values.add(v.asText()));
            devices.add(ids.stream().filter(values::contains).findFirst().orElse("real"));
        }
        check(junk.path("device_id"), devices);
    }

    private static void check(JsonNode truth, List<String> values) {
        Set<String> junk = new HashSet<>();
        truth.path("values").forEach(v -> junk.add(v.asText()));
        long count = values.stream().filter(junk::contains).count();
        double planted = truth.path("planted_share").asDouble();
        double se = Math.sqrt(planted * (1 - planted) / values.size());
        assertEquals(data.consumers.size(), values.size());
        assertTrue(Math.abs((double) count / values.size() - planted) < Z * se, truth + ": " + count);
        assertEquals(truth.path("consumers").asLong(), count);
    }
}
