package io.strata.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * A data set generated once for the tests, and read back from its files only — the checks
 * never look inside the generator: identity is resolved from the identify calls, baskets from
 * orders.csv, crowds from the traits.
 */
final class GeneratedData {

    /** Another seed with -Dstrata.demo.test.seed=N, to see that the checks do not depend on one draw. */
    static final long SEED = Long.getLong("strata.demo.test.seed", 20_261_101L);

    static final int CONSUMERS = 5_000;

    private static GeneratedData instance;

    final Path dir;
    final JsonNode truths;
    final List<ObjectNode> events = new ArrayList<>();
    /** consumers.csv rows by user id, in file order. */
    final Map<String, CSVRecord> consumers = new LinkedHashMap<>();

    final List<CSVRecord> orderLines = new ArrayList<>();
    /** anonymousId → userId, from identify calls. */
    final Map<String, String> userOfAnonymousId = new HashMap<>();
    /** The last identify traits of each user. */
    final Map<String, JsonNode> traits = new HashMap<>();

    final Map<String, Set<String>> deviceIds = new HashMap<>();

    static synchronized GeneratedData get() throws IOException, InterruptedException {
        if (instance == null) {
            Path dir = Files.createTempDirectory("strata-demo-");
            new DemoGenerator(new DemoGenerator.Options(SEED, CONSUMERS, 12, null))
                    .writeFiles(dir, DemoGenerator.Progress.NONE);
            instance = new GeneratedData(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
        }
        return instance;
    }

    private GeneratedData(Path dir) throws IOException {
        this.dir = dir;
        ObjectMapper json = new ObjectMapper();
        this.truths = json.readTree(dir.resolve(DemoGenerator.TRUTHS).toFile());
        try (BufferedReader lines =
                Files.newBufferedReader(dir.resolve(DemoGenerator.EVENTS), StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                ObjectNode event = (ObjectNode) json.readTree(line);
                events.add(event);
                if (event.path("type").asText().equals("identify")) {
                    String user = event.path("userId").asText();
                    userOfAnonymousId.put(event.path("anonymousId").asText(), user);
                    traits.put(user, event.path("traits"));
                    deviceIds
                            .computeIfAbsent(user, u -> new HashSet<>())
                            .add(event.path("context").path("device").path("id").asText());
                }
            }
        }
        for (CSVRecord row : csv(dir.resolve(DemoGenerator.CONSUMERS))) {
            consumers.put(row.get("user_id"), row);
        }
        orderLines.addAll(csv(dir.resolve(DemoGenerator.ORDERS)));
    }

    /** The user an event belongs to: its userId, else the user its anonymousId was identified as. */
    String userOf(JsonNode event) {
        String user = event.path("userId").asText("");
        return user.isEmpty() ? userOfAnonymousId.get(event.path("anonymousId").asText()) : user;
    }

    static long epochMillis(JsonNode event) {
        return OffsetDateTime.parse(event.path("timestamp").asText())
                .toInstant()
                .toEpochMilli();
    }

    LocalDate reference() {
        return LocalDate.parse(truths.path("generator").path("reference_date").asText());
    }

    long end() {
        return OffsetDateTime.parse(truths.path("generator").path("end").asText())
                .toInstant()
                .toEpochMilli();
    }

    static List<CSVRecord> csv(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return CSVFormat.DEFAULT
                    .builder()
                    .setHeader()
                    .setSkipHeaderRecord(true)
                    .get()
                    .parse(reader)
                    .getRecords();
        }
    }

    static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
