package io.strata.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.ConditionParser;
import io.strata.segmentation.rules.Evaluator;
import io.strata.segmentation.rules.FieldCatalog;
import io.strata.segmentation.rules.FieldType;
import io.strata.segmentation.rules.ProfileFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The audiences {@code ./strata demo} defines, evaluated by segmentation-service's own evaluator
 * on the generated consumers' traits (as their profiles carry them): each audience with a planted
 * truth holds exactly the consumers the generator put there (every consumer in exactly the one
 * standard crowd it was planted in, or the rest), so a size that differs on the stack
 * points at the pipeline, not at the definitions.
 */
class DemoSegmentsTest {

    @TempDir
    Path tmp;

    @Test
    void theDemoAudiencesSelectExactlyThePlantedConsumers() throws Exception {
        assertEquals(
                0,
                new CommandLine(new StrataTools())
                        .execute("generate", "--seed", "11", "--consumers", "3000", "--out", tmp.toString()));
        JsonNode answers =
                new ObjectMapper().readTree(tmp.resolve("truths.json").toFile());
        List<DemoReport.DemoSegment> segments = DemoReport.demoSegments(answers);
        ConditionParser parser = new ConditionParser(new FieldCatalog(
                Map.of(
                        "gender", FieldType.STRING,
                        "birthday", FieldType.DATE,
                        "kids", FieldType.NUMBER,
                        "cityTier", FieldType.NUMBER,
                        "incomeLevel", FieldType.NUMBER,
                        "occupation", FieldType.STRING),
                400));
        Map<String, Condition> rules = new HashMap<>();
        for (DemoReport.DemoSegment segment : segments) {
            rules.put(segment.id(), parser.parse(new ObjectMapper().readTree(segment.definition())));
        }
        Map<String, Long> sizes = new HashMap<>();
        Map<String, Set<String>> byCrowd = new HashMap<>();
        Map<String, String> crowdOfSegment = new HashMap<>();
        for (DemoReport.StandardCrowd crowd : DemoReport.standardCrowds(
                LocalDate.parse(answers.path("crowds").path("age_on").asText()))) {
            crowdOfSegment.put(crowd.id(), crowd.key());
        }
        assertEquals(9, crowdOfSegment.size(), "the eight standard crowds and the rest");
        try (var parser2 = CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(Files.newBufferedReader(tmp.resolve("consumers.csv")))) {
            for (CSVRecord consumer : parser2) {
                ProfileFacts facts = facts(consumer);
                Set<String> in = new HashSet<>();
                for (DemoReport.DemoSegment segment : segments) {
                    Evaluator.Context context =
                            new Evaluator.Context(Instant.now(), ZoneId.of("Asia/Shanghai"), in::contains);
                    if (Evaluator.matches(rules.get(segment.id()), facts, context)) {
                        in.add(segment.id());
                        sizes.merge(segment.id(), 1L, Long::sum);
                    }
                }
                for (Map.Entry<String, String> crowd : crowdOfSegment.entrySet()) {
                    boolean planted = consumer.get("crowd").equals(crowd.getValue());
                    assertEquals(
                            planted,
                            in.contains(crowd.getKey()),
                            consumer.get("user_id") + " of crowd " + consumer.get("crowd") + ", born "
                                    + consumer.get("birthday") + ", in " + in);
                }
                byCrowd.computeIfAbsent(consumer.get("crowd"), c -> new HashSet<>())
                        .add(consumer.get("user_id"));
            }
        }
        int checked = 0;
        for (DemoReport.DemoSegment segment : segments) {
            if (segment.truth() >= 0) {
                assertEquals(segment.truth(), sizes.getOrDefault(segment.id(), 0L), segment.id());
                checked++;
            }
        }
        assertEquals(11, checked, "buyers, members, the eight crowds and the rest have a planted truth");
        assertTrue(sizes.getOrDefault("demo-gen-z", 0L) > 0, "the demo brand has Gen Z consumers");
    }

    /** A consumer as its profile carries it: the identify call's traits, orders and sign-ups counted. */
    private static ProfileFacts facts(CSVRecord consumer) {
        return new ProfileFacts() {
            @Override
            public Object value(String field) {
                return switch (field) {
                    case "traits.gender" -> consumer.get("gender");
                    case "traits.birthday" -> LocalDate.parse(consumer.get("birthday"));
                    case "traits.kids" -> Double.parseDouble(consumer.get("kids"));
                    case "traits.cityTier" -> Double.parseDouble(consumer.get("city_tier"));
                    case "traits.incomeLevel" -> Double.parseDouble(consumer.get("income_level"));
                    case "traits.occupation" -> consumer.get("occupation");
                    case "orders.count" -> Double.parseDouble(consumer.get("orders"));
                    case "events.Signed Up.count" -> Boolean.parseBoolean(consumer.get("member")) ? 1.0 : 0.0;
                    default -> null;
                };
            }

            @Override
            public List<EventFact> events(String name) {
                return List.of();
            }
        };
    }
}
