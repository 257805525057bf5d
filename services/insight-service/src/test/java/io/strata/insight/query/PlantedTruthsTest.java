package io.strata.insight.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.demo.DemoGenerator;
import io.strata.insight.association.AssociationRules;
import io.strata.insight.association.Baskets;
import io.strata.insight.association.Rule;
import io.strata.insight.store.EventStore;
import io.strata.insight.store.EventStore.Membership;
import io.strata.insight.store.EventStore.Row;
import io.strata.insight.tgi.Tgi;
import java.io.BufferedReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * The demo brand's planted truths recovered by the analyses over the store: a brand generated, its
 * events stored under their consumer (an anonymous id under the user it belongs to, as identity
 * resolution joins them), each consumer in its planted crowd as an audience. Every planted TGI lies
 * within its interval; each planted pair's lift is the one the generator counted.
 */
class PlantedTruthsTest {

    private static final String T = "demo";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static JsonNode truths;

    @BeforeAll
    static void generateAndStore() throws Exception {
        Path brand = dir.resolve("brand");
        new DemoGenerator(new DemoGenerator.Options(42, 6_000, 12, null))
                .writeFiles(brand, DemoGenerator.Progress.NONE);
        truths = JSON.readTree(brand.resolve(DemoGenerator.TRUTHS).toFile());
        Map<String, String> owner = new HashMap<>();
        try (EventStore store = EventStore.open(dir.resolve("store"));
                Reader consumers = Files.newBufferedReader(brand.resolve(DemoGenerator.CONSUMERS))) {
            for (CSVRecord c : CSVFormat.DEFAULT
                    .builder()
                    .setHeader()
                    .setSkipHeaderRecord(true)
                    .get()
                    .parse(consumers)) {
                String user = c.get("user_id");
                for (String anonymous : c.get("anonymous_ids").split(" ")) {
                    owner.put(anonymous, user);
                }
                store.membership(new Membership(T, "crowd-" + c.get("crowd"), user, true, Instant.EPOCH));
            }
            long offset = 0;
            try (BufferedReader events =
                    Files.newBufferedReader(brand.resolve(DemoGenerator.EVENTS), StandardCharsets.UTF_8)) {
                for (String line = events.readLine(); line != null; line = events.readLine()) {
                    store.append(0, offset++, row(JSON.readTree(line), owner));
                }
            }
            store.flush();
        }
    }

    private static Row row(JsonNode e, Map<String, String> owner) {
        String profile = e.hasNonNull("userId")
                ? e.get("userId").asText()
                : owner.getOrDefault(
                        e.path("anonymousId").asText(), e.path("anonymousId").asText());
        String type = e.path("type").asText();
        JsonNode properties = e.get("properties");
        JsonNode revenue = properties == null ? null : properties.get("revenue");
        return new Row(
                T,
                profile,
                "demo",
                e.path("messageId").asText(),
                type.equals("track") ? e.path("event").asText() : type,
                OffsetDateTime.parse(e.path("timestamp").asText()).toInstant(),
                revenue == null ? null : revenue.asDouble(),
                properties == null || !properties.hasNonNull("order_id")
                        ? null
                        : properties.get("order_id").asText(),
                properties == null ? null : properties.toString(),
                e.path("context").path("device").path("type").asText(null),
                e.path("context").path("campaign").path("source").asText(null),
                e.has("traits") ? e.get("traits").toString() : null);
    }

    @Test
    void everyPlantedTgiLiesWithinItsInterval() throws Exception {
        try (EventStore store = EventStore.open(dir.resolve("store"));
                Connection c = store.openQuery()) {
            Insights insights = new Insights(c);
            FeatureIndex index = FeatureIndex.build(c, T, Dimensions.ALL);
            assertEquals(truths.path("counts").path("consumers").asLong(), index.profiles());
            int checked = 0;
            for (JsonNode plant : truths.path("tgi").path("planted")) {
                String crowd = plant.path("crowd").asText();
                RoaringBitmap audience = index.lookup().bitmap(insights.members(T, "crowd-" + crowd));
                assertEquals(plant.path("crowd_size").asLong(), audience.getLongCardinality(), crowd);
                // 19 plants: at 99.9 % each, a miss would be a fault, not chance
                Tgi.Row row = Tgi.compute(
                                index.counts(
                                        audience,
                                        index.all(),
                                        Set.of(plant.path("dimension").asText())),
                                new Tgi.Settings(50, 200, 0.999))
                        .stream()
                        .filter(r ->
                                r.counts().value().equals(plant.path("value").asText()))
                        .findFirst()
                        .orElseThrow();
                String what = crowd + " " + plant.path("value").asText();
                assertEquals(
                        plant.path("crowd_with_feature").asLong(), row.counts().audienceWith(), what);
                assertEquals(
                        plant.path("population_with_feature").asLong(),
                        row.counts().baseWith(),
                        what);
                assertEquals(plant.path("observed_tgi").asDouble(), row.index(), 1e-5, what);
                double planted = plant.path("planted_tgi").asDouble();
                assertTrue(
                        row.lower() <= planted && planted <= row.upper(),
                        what + ": planted " + planted + " outside [" + row.lower() + ", " + row.upper() + "]");
                assertTrue(row.q() < 0.01, what + " is significant");
                checked++;
            }
            assertEquals(19, checked);
        }
    }

    @Test
    void eachPlantedPairHasTheLiftTheGeneratorCounted() throws Exception {
        try (EventStore store = EventStore.open(dir.resolve("store"));
                Connection c = store.openQuery()) {
            Baskets baskets = new Insights(c).baskets(T, Insights.Level.CATEGORY, 0, null, Insights.Period.ALL);
            assertEquals(truths.path("association").path("orders").asLong(), baskets.size());
            List<Rule> rules = AssociationRules.mine(baskets, new AssociationRules.Settings(0.005, 0.05, 2))
                    .rules();
            for (JsonNode pair : truths.path("association").path("planted_pairs")) {
                Rule rule = rules.stream()
                        .filter(r -> baskets.name(r.antecedent()[0])
                                        .equals(pair.path("a").asText())
                                && baskets.name(r.consequent()[0])
                                        .equals(pair.path("b").asText()))
                        .findFirst()
                        .orElse(null);
                assertNotNull(rule, pair.toString());
                assertEquals(pair.path("orders_with_both").asLong(), rule.count(), pair.toString());
                assertEquals(pair.path("observed_lift").asDouble(), rule.lift(), 1e-5, pair.toString());
                assertTrue(rule.lift() > 2, "a planted pair is bought together well above chance: " + pair);
            }
        }
    }
}
