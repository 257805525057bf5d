package io.strata.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The report {@code ./strata demo} ends with: what the tenant's profiles add up to, read through
 * the gateway as a signed-in user, next to what the generator planted.
 */
@Command(
        name = "demo-report",
        mixinStandardHelpOptions = true,
        description = "Print the stratification report of a tenant, read through the gateway.")
public final class DemoReport implements Callable<Integer> {

    @Option(
            names = "--gateway",
            defaultValue = "http://127.0.0.1:8080",
            description = "the gateway (default ${DEFAULT-VALUE})")
    URI gateway;

    @Option(
            names = "--token",
            defaultValue = "${env:STRATA_TOKEN}",
            description = "a bearer token of a user of the tenant (default: the environment's STRATA_TOKEN,"
                    + " which keeps it off the command line)")
    String token;

    @Option(names = "--truths", description = "the generator's truths.json, to set what was planted beside what exists")
    Path truths;

    private final ObjectMapper json = new ObjectMapper();
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        if (token == null || token.isBlank()) {
            System.err.println("demo-report: --token is required (or STRATA_TOKEN in the environment)");
            return 2;
        }
        if (truths != null && !Files.isRegularFile(truths)) {
            System.err.println("demo-report: --truths: no such file: " + truths);
            return 2;
        }
        HttpResponse<String> response;
        try {
            response = http.send(
                    HttpRequest.newBuilder(gateway.resolve("/api/v1/profiles/summary?topEvents=8"))
                            .header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(60))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            System.err.println("demo-report: the gateway at " + gateway + " does not answer: " + e.getMessage());
            return 1;
        }
        if (response.statusCode() != 200) {
            System.err.println("demo-report: the gateway answered " + response.statusCode() + ": " + response.body());
            return 1;
        }
        JsonNode summary = json.readTree(response.body());
        out.println();
        out.println("What Strata holds now (GET /api/v1/profiles/summary)");
        long profiles = summary.path("profiles").asLong();
        row(
                "profiles",
                "%,d  (%,d known: signed in at least once · %,d anonymous)",
                profiles,
                summary.path("knownProfiles").asLong(),
                summary.path("anonymousProfiles").asLong());
        List<String> ids = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : summary.path("identities").properties()) {
            ids.add(String.format(
                    Locale.ROOT, "%s %,d", e.getKey(), e.getValue().asLong()));
        }
        row("identifiers", "%s", String.join(" · ", ids));
        row(
                "merged",
                "%,d profiles joined into others by identity resolution",
                summary.path("merges").asLong());
        row(
                "events",
                "%,d  from %s to %s",
                summary.path("events").asLong(),
                day(summary.path("firstSeen")),
                day(summary.path("lastSeen")));
        boolean first = true;
        for (JsonNode e : summary.path("topEvents")) {
            row(
                    first ? "top events" : "",
                    "%-18s %,9d events  %,7d profiles (%.0f%%)",
                    e.path("name").asText(),
                    e.path("events").asLong(),
                    e.path("profiles").asLong(),
                    profiles == 0 ? 0.0 : 100.0 * e.path("profiles").asLong() / profiles);
            first = false;
        }
        if (truths != null) {
            planted(json.readTree(truths.toFile()));
        }
        return 0;
    }

    /** What the generator planted (truths.json): what later analyses must recover from the data. */
    private void planted(JsonNode answers) {
        out.println();
        out.println("What the demo brand was generated with (" + truths + ")");
        JsonNode generator = answers.path("generator");
        row(
                "brand",
                "seed %d · %,d consumers · %d months to %s",
                generator.path("seed").asLong(),
                generator.path("consumers").asLong(),
                generator.path("months").asInt(),
                generator.path("reference_date").asText());
        List<String> crowds = new ArrayList<>();
        for (JsonNode crowd : answers.path("crowds").path("rules")) {
            crowds.add(String.format(
                    Locale.ROOT,
                    "%s %,d",
                    crowd.path("zh").asText(),
                    crowd.path("count").asLong()));
        }
        row("crowds", "%s", String.join(" · ", crowds));
        List<String> pairs = new ArrayList<>();
        for (JsonNode pair : answers.path("association").path("planted_pairs")) {
            pairs.add(String.format(
                    Locale.ROOT,
                    "%s+%s lift %.1f",
                    pair.path("a").asText(),
                    pair.path("b").asText(),
                    pair.path("planted_lift").asDouble()));
        }
        row("bought with", "%s", String.join(" · ", pairs));
        boolean first = true;
        for (JsonNode tgi : answers.path("tgi").path("planted")) {
            row(
                    first ? "TGI" : "",
                    "%-22s %-8s %-16s %3.0f",
                    tgi.path("crowd").asText(),
                    tgi.path("dimension").asText(),
                    tgi.path("value").asText(),
                    tgi.path("planted_tgi").asDouble());
            first = false;
        }
        JsonNode funnel = answers.path("reverse_funnel");
        row(
                "churning",
                "%,d consumers (visits in the last 30 days at most half of the 30 before)",
                answers.path("churn").path("planted").asLong());
        row(
                "core crowd",
                "%,d advocates; their referrals reach %,d high-potential consumers",
                funnel.path("core").path("count").asLong(),
                funnel.path("high_potential").path("count").asLong());
        JsonNode bgnbd = answers.path("clv").path("bgnbd");
        JsonNode gg = answers.path("clv").path("gamma_gamma");
        row(
                "CLV",
                "BG/NBD r %.2f α %.1f a %.2f b %.1f · Gamma-Gamma p %.1f q %.1f γ %.0f",
                bgnbd.path("r").asDouble(),
                bgnbd.path("alpha").asDouble(),
                bgnbd.path("a").asDouble(),
                bgnbd.path("b").asDouble(),
                gg.path("p").asDouble(),
                gg.path("q").asDouble(),
                gg.path("gamma").asDouble());
    }

    private static String day(JsonNode time) {
        return time.isTextual() && time.asText().length() >= 10 ? time.asText().substring(0, 10) : "-";
    }

    private void row(String label, String format, Object... args) {
        out.printf(Locale.ROOT, "  %-13s %s%n", label, String.format(Locale.ROOT, format, args));
    }
}
