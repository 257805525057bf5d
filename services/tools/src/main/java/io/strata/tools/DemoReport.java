package io.strata.tools;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The report {@code ./strata demo} ends with: what the tenant's profiles add up to, read through
 * the gateway as a signed-in user, next to what the generator planted.
 */
@Command(name = "demo-report", mixinStandardHelpOptions = true,
        description = "Print the stratification report of a tenant, read through the gateway.")
public final class DemoReport implements Callable<Integer> {

    @Option(names = "--gateway", defaultValue = "http://127.0.0.1:8080", description = "the gateway (default ${DEFAULT-VALUE})")
    URI gateway;

    @Option(names = "--token", required = true, description = "a bearer token of a user of the tenant")
    String token;

    @Option(names = "--truths", description = "the generator's truths.json, to set what was planted beside what exists")
    Path truths;

    private final ObjectMapper json = new ObjectMapper();
    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(gateway.resolve("/api/v1/profiles/summary?topEvents=8"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            System.err.println("demo-report: the gateway answered " + response.statusCode() + ": " + response.body());
            return 1;
        }
        JsonNode summary = json.readTree(response.body());
        out.println();
        out.println("What Strata holds now (GET /api/v1/profiles/summary)");
        long profiles = summary.path("profiles").asLong();
        row("profiles", "%,d  (%,d known: signed in at least once · %,d anonymous)", profiles,
                summary.path("knownProfiles").asLong(), summary.path("anonymousProfiles").asLong());
        List<String> ids = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : summary.path("identities").properties()) {
            ids.add(String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue().asLong()));
        }
        row("identifiers", "%s", String.join(" · ", ids));
        row("merged", "%,d profiles joined into others by identity resolution", summary.path("merges").asLong());
        row("events", "%,d  from %s to %s", summary.path("events").asLong(), day(summary.path("firstSeen")),
                day(summary.path("lastSeen")));
        boolean first = true;
        for (JsonNode e : summary.path("topEvents")) {
            row(first ? "top events" : "", "%-18s %,9d events  %,7d profiles (%.0f%%)", e.path("name").asText(),
                    e.path("events").asLong(), e.path("profiles").asLong(),
                    profiles == 0 ? 0.0 : 100.0 * e.path("profiles").asLong() / profiles);
            first = false;
        }
        if (truths != null && Files.isRegularFile(truths)) {
            planted(json.readTree(truths.toFile()));
        }
        return 0;
    }

    /** The generator's answer file, as far as it tells counts: what later analyses must recover. */
    private void planted(JsonNode truths) {
        out.println();
        out.println("What the demo brand was generated with (" + truths + ")");
        for (Map.Entry<String, JsonNode> e : truths.properties()) {
            String value = describe(e.getValue());
            if (value != null) {
                row(e.getKey(), "%s", value);
            }
        }
    }

    /** A short line for a node of the truths file, or null when it has no short form. */
    private static String describe(JsonNode node) {
        if (node.isValueNode()) {
            return node.asText();
        }
        if (node.isArray()) {
            return String.format(Locale.ROOT, "%,d entries", node.size());
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            JsonNode v = e.getValue();
            if (v.isNumber() || v.isTextual() || v.isBoolean()) {
                parts.add(e.getKey() + " " + (v.isIntegralNumber() ? String.format(Locale.ROOT, "%,d", v.asLong())
                        : v.isNumber() ? String.format(Locale.ROOT, "%.3g", v.asDouble()) : v.asText()));
            } else if (v.isArray()) {
                parts.add(e.getKey() + " (" + v.size() + ")");
            } else if (v.isObject() && v.has("count")) {
                parts.add(e.getKey() + " " + String.format(Locale.ROOT, "%,d", v.path("count").asLong()));
            }
            if (parts.size() == 8) {
                parts.add("…");
                break;
            }
        }
        return parts.isEmpty() ? null : String.join(" · ", parts);
    }

    private static String day(JsonNode time) {
        return time.isTextual() && time.asText().length() >= 10 ? time.asText().substring(0, 10) : "-";
    }

    private void row(String label, String format, Object... args) {
        out.printf(Locale.ROOT, "  %-13s " + format + "%n", prepend(label, args));
    }

    private static Object[] prepend(String label, Object[] args) {
        Object[] all = new Object[args.length + 1];
        all[0] = label;
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }
}
