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

    @Option(
            names = "--consumers",
            description = "the generator's consumers.csv: every consumer it planted on several devices must be one"
                    + " profile, and no two consumers one profile")
    Path consumers;

    /** Profiles the churn warning found (the model run's count). */
    private long atRisk = -1;

    /** Lookups in flight at once in the multi-device check. */
    static final int LOOKUPS_IN_FLIGHT = 8;

    /** Attempts of a lookup the gateway's rate limit refused (it says when to come back). */
    static final int LOOKUP_ATTEMPTS = 20;

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
        int status = 0;
        try {
            tags(http, profiles);
            if (consumers != null && !multiDevice(http)) {
                status = 1;
            }
        } catch (IOException | IllegalStateException e) {
            System.err.println("demo-report: " + e.getMessage());
            return 1;
        }
        if (truths != null) {
            JsonNode answers = json.readTree(truths.toFile());
            try {
                if (!segments(http, answers)) {
                    status = 1;
                }
                // the demo's journeys waited on a clock held at the brand's first day: the history is
                // in, so their timers fire up to the morning after its last, before the churn
                // warning the model run raises starts the win-back
                DemoJourneys.Api journeys = new DemoJourneys.Api(gateway, token);
                var replay = DemoJourneys.advance(journeys, answers);
                if (!models(http, answers)) {
                    status = 1;
                }
                if (!insight(http, answers)) {
                    status = 1;
                }
                if (!crowds(http, answers)) {
                    status = 1;
                }
                if (consumers != null
                        && replay.isPresent()
                        && !DemoJourneys.report(
                                journeys,
                                answers,
                                consumers.resolveSibling(
                                        answers.path("files").path("orders").asText("orders.csv")),
                                atRisk,
                                replay.get(),
                                out)) {
                    status = 1;
                }
            } catch (IOException | IllegalStateException e) {
                System.err.println("demo-report: " + e.getMessage());
                return 1;
            }
            planted(answers);
        }
        return status;
    }

    private JsonNode get(HttpClient http, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(gateway.resolve(path))
                        .header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofSeconds(120))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    "GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return json.readTree(response.body());
    }

    /** The tag catalog and how much of it holds on the tenant's profiles. */
    private void tags(HttpClient http, long profiles) throws IOException, InterruptedException {
        JsonNode catalog = get(http, "/api/v1/tags").path("definitions");
        JsonNode counts = get(http, "/api/v1/tags/counts");
        Map<String, JsonNode> byKey = new java.util.HashMap<>();
        long values = 0;
        for (JsonNode count : counts.path("tags")) {
            byKey.put(count.path("key").asText(), count);
            values += count.path("profiles").asLong();
        }
        Map<String, Integer> kinds = new java.util.TreeMap<>();
        Map<String, int[]> groups = new java.util.LinkedHashMap<>();
        List<String> empty = new ArrayList<>();
        int rules = 0;
        int holding = 0;
        for (JsonNode d : catalog) {
            String kind = d.path("kind").asText();
            kinds.merge(kind, 1, Integer::sum);
            if (!kind.equals("rule")) {
                continue;
            }
            rules++;
            String category = d.path("category").asText();
            String group = category.contains("/") ? category.substring(0, category.indexOf('/')) : category;
            int[] g = groups.computeIfAbsent(group, k -> new int[2]);
            g[1]++;
            if (byKey.containsKey(d.path("key").asText())) {
                holding++;
                g[0]++;
            } else {
                empty.add(d.path("key").asText());
            }
        }
        out.println();
        out.println("Tags (GET /api/v1/tags, /api/v1/tags/counts)");
        List<String> kindText = new ArrayList<>();
        kinds.forEach((kind, n) -> kindText.add(n + " " + kind));
        row("catalog", "%d tags: %s", catalog.size(), String.join(" · ", kindText));
        row(
                "coverage",
                "%d of %d rule tags hold on some profile; %.1f tags per profile",
                holding,
                rules,
                profiles == 0 ? 0.0 : (double) values / profiles);
        List<String> groupText = new ArrayList<>();
        groups.forEach((group, g) -> groupText.add(group + " " + g[0] + "/" + g[1]));
        row("by group", "%s", String.join(" · ", groupText));
        if (!empty.isEmpty()) {
            row("on nobody", "%s", String.join(", ", empty));
        }
        for (String key :
                List.of("gender", "age_band", "purchase_stage", "engagement_level", "strategic_crowd_standard")) {
            JsonNode count = byKey.get(key);
            if (count == null) {
                continue;
            }
            List<Map.Entry<String, JsonNode>> shares =
                    new ArrayList<>(count.path("values").properties());
            shares.sort(
                    (a, b) -> Long.compare(b.getValue().asLong(), a.getValue().asLong()));
            List<String> text = new ArrayList<>();
            for (var e : shares) {
                text.add(String.format(
                        Locale.ROOT,
                        "%s %.0f%%",
                        e.getKey(),
                        profiles == 0 ? 0.0 : 100.0 * e.getValue().asLong() / profiles));
            }
            row(key, "%s", String.join(" · ", text));
        }
    }

    /**
     * Every consumer the generator planted on two or more devices is one profile: each device id
     * finds the profile of the consumer's user id, and no two consumers share one.
     */
    private boolean multiDevice(HttpClient http) throws IOException, InterruptedException {
        List<String[]> planted = new ArrayList<>();
        {
            for (var record : consumerRows()) {
                String[] devices = record.get("device_ids").isBlank()
                        ? new String[0]
                        : record.get("device_ids").split(" ");
                if (devices.length >= 2) {
                    String[] ids = new String[devices.length + 1];
                    ids[0] = record.get("user_id");
                    System.arraycopy(devices, 0, ids, 1, devices.length);
                    planted.add(ids);
                }
            }
        }
        // one lookup per consumer (by user id: the profile lists its identifiers), and one per device
        // id missing from it, to tell a device joined elsewhere (split) from a junk one (no profile)
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(LOOKUPS_IN_FLIGHT);
        List<java.util.concurrent.CompletableFuture<JsonNode>> users = new ArrayList<>();
        for (String[] consumer : planted) {
            users.add(lookup(http, inFlight, "userId", consumer[0]));
        }
        int whole = 0;
        int split = 0;
        int junk = 0;
        int shared = 0;
        java.util.Map<String, Integer> owners = new java.util.HashMap<>();
        List<String> examples = new ArrayList<>();
        for (int c = 0; c < planted.size(); c++) {
            JsonNode profile = join(users.get(c));
            String id = profile == null ? null : profile.path("id").asText();
            java.util.Set<String> devices = new java.util.HashSet<>();
            if (profile != null) {
                for (JsonNode identity : profile.path("identities")) {
                    if (identity.path("type").asText().equals("deviceId")) {
                        devices.add(identity.path("value").asText());
                    }
                }
            }
            boolean one = id != null;
            for (int i = 1; i < planted.get(c).length; i++) {
                String device = planted.get(c)[i];
                if (devices.contains(device)) {
                    continue;
                }
                if (join(lookup(http, inFlight, "deviceId", device)) == null) {
                    junk++; // a junk device id is no identifier: nothing was joined by it
                } else {
                    one = false;
                }
            }
            if (one) {
                whole++;
            } else {
                split++;
                if (examples.size() < 3) {
                    examples.add(planted.get(c)[0]);
                }
            }
            if (id != null && owners.put(id, c) != null) {
                shared++;
            }
        }
        boolean ok = split == 0 && shared == 0;
        out.println();
        out.println("Identity resolution, checked against " + consumers.getFileName()
                + " (GET /api/v1/profiles?userId=, ?deviceId=)");
        row(
                "multi-device",
                "%s %,d consumers planted on 2+ devices: %,d one profile each, %,d split%s; %,d sharing a profile"
                        + " with another; %,d junk device ids left out",
                ok ? "✓" : "✗",
                planted.size(),
                whole,
                split,
                examples.isEmpty() ? "" : " (e.g. " + String.join(", ", examples) + ")",
                shared,
                junk);
        return ok;
    }

    /** A demo audience: its definition, and the planted count it must reach (negative: none known). */
    public record DemoSegment(String id, String name, String definition, long truth, String truthLabel) {}

    /**
     * The audiences the report defines on the demo brand, in order (a crowd's rule refers to the
     * crowds before it); public for the end-to-end tests that show the demo brand.
     */
    public static List<DemoSegment> demoSegments(JsonNode answers) {
        java.time.LocalDate reference =
                java.time.LocalDate.parse(answers.path("crowds").path("age_on").asText());
        Map<String, Long> crowds = new java.util.HashMap<>();
        for (JsonNode crowd : answers.path("crowds").path("rules")) {
            crowds.put(crowd.path("crowd").asText(), crowd.path("count").asLong());
        }
        List<DemoSegment> out = new ArrayList<>();
        out.add(new DemoSegment(
                "demo-buyers",
                "Buyers",
                "{\"field\": \"orders.count\", \"op\": \"gte\", \"value\": 1}",
                answers.path("counts").path("buyers").asLong(-1),
                "buyers"));
        out.add(new DemoSegment(
                "demo-members",
                "Members",
                "{\"field\": \"events.Signed Up.count\", \"op\": \"gte\", \"value\": 1}",
                answers.path("counts").path("members").asLong(-1),
                "members"));
        // the eight standard crowds in the generator's order: each excludes the crowds before it
        List<String> earlier = new ArrayList<>();
        for (StandardCrowd crowd : standardCrowds(reference)) {
            List<String> parts = new ArrayList<>(crowd.rule());
            for (String before : earlier) {
                parts.add("{\"not\": {\"segment\": \"" + before + "\"}}");
            }
            out.add(new DemoSegment(
                    crowd.id(),
                    crowd.name(),
                    "{\"all\": [" + String.join(", ", parts) + "]}",
                    crowds.getOrDefault(crowd.key(), -1L),
                    "crowd " + crowd.key()));
            earlier.add(crowd.id());
        }
        out.add(new DemoSegment(
                "demo-big-orders-90d",
                "Two orders of ¥200+ in 90 days",
                "{\"event\": \"Order Completed\", \"times\": {\"op\": \"at_least\", \"value\": 2},"
                        + " \"within_days\": 90, \"where\": [{\"property\": \"revenue\", \"op\": \"gte\","
                        + " \"value\": 200}]}",
                -1,
                ""));
        return out;
    }

    /** A standard strategic crowd: its key in the truths file, its audience and its own rule's parts. */
    record StandardCrowd(String key, String id, String name, List<String> rule) {}

    /**
     * The eight standard crowds of the domain guide over the demo consumers' traits, as the
     * generator plants them (ages on the reference date), and the rest: consumers (who have a
     * birthday) in none of them.
     */
    static List<StandardCrowd> standardCrowds(java.time.LocalDate reference) {
        String urban = "{\"field\": \"traits.cityTier\", \"op\": \"lte\", \"value\": 3}";
        String smallTown = "{\"field\": \"traits.cityTier\", \"op\": \"in\", \"value\": [4, 5]}";
        List<StandardCrowd> crowds = List.of(
                new StandardCrowd(
                        "REFINED_MUMS",
                        "demo-refined-mums",
                        "精致妈妈 Refined mums",
                        List.of(
                                "{\"field\": \"traits.gender\", \"op\": \"eq\", \"value\": \"female\"}",
                                "{\"field\": \"traits.kids\", \"op\": \"gt\", \"value\": 0}",
                                ages(reference, 23, 45),
                                urban,
                                "{\"field\": \"traits.incomeLevel\", \"op\": \"gte\", \"value\": 2}")),
                new StandardCrowd(
                        "SMALL_TOWN_YOUTH",
                        "demo-small-town-youth",
                        "小镇青年 Small-town youth",
                        List.of(ages(reference, 18, 30), smallTown)),
                new StandardCrowd(
                        "GEN_Z",
                        "demo-gen-z",
                        "Z世代 Gen Z",
                        List.of("{\"field\": \"traits.birthday\", \"op\": \"gte\", \"value\": \"1995-01-01\"}")),
                new StandardCrowd(
                        "NEW_WHITE_COLLAR",
                        "demo-new-white-collar",
                        "新锐白领 New white-collar",
                        List.of(
                                ageAtMost(reference, 42),
                                urban,
                                "{\"field\": \"traits.occupation\", \"op\": \"in\", \"value\":"
                                        + " [\"white_collar\", \"civil_servant\", \"freelancer\"]}",
                                "{\"field\": \"traits.incomeLevel\", \"op\": \"gte\", \"value\": 3}")),
                new StandardCrowd(
                        "SENIOR_MIDDLE_CLASS",
                        "demo-senior-middle-class",
                        "资深中产 Senior middle class",
                        List.of(
                                ages(reference, 35, 55),
                                urban,
                                "{\"field\": \"traits.incomeLevel\", \"op\": \"gte\", \"value\": 4}")),
                new StandardCrowd(
                        "URBAN_BLUE_COLLAR",
                        "demo-urban-blue-collar",
                        "都市蓝领 Urban blue-collar",
                        List.of(
                                ages(reference, 18, 50),
                                urban,
                                "{\"field\": \"traits.occupation\", \"op\": \"in\", \"value\":"
                                        + " [\"blue_collar\", \"self_employed\"]}")),
                new StandardCrowd(
                        "URBAN_SILVER",
                        "demo-urban-silver",
                        "都市银发 Urban silver",
                        List.of(ageAtLeast(reference, 50), urban)),
                new StandardCrowd(
                        "SMALL_TOWN_MIDDLE_AGED",
                        "demo-small-town-middle-aged",
                        "小镇中老年 Small-town middle-aged and elderly",
                        List.of(ageAtLeast(reference, 31), smallTown)),
                new StandardCrowd(
                        "OTHER",
                        "demo-other-crowd",
                        "其他 None of the eight",
                        List.of("{\"field\": \"traits.birthday\", \"op\": \"exists\"}")));
        return crowds;
    }

    /**
     * Audiences defined on the demo brand through the gateway (made or brought up to date, active),
     * awaited until live over the whole feed, their sizes set beside what the generator planted:
     * buyers, members, the eight standard strategic crowds and the rest written as rules over the
     * consumers' traits (the generator's rules are tried in order, so a later crowd excludes the
     * earlier ones: a segment of segments), and an event-window rule.
     */
    private boolean segments(HttpClient http, JsonNode answers) throws IOException, InterruptedException {
        List<DemoSegment> demo = demoSegments(answers);
        for (DemoSegment segment : demo) {
            define(http, segment);
        }
        out.println();
        out.println("Audiences on the demo brand (/api/v1/segments), beside what was planted");
        boolean ok = true;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        for (DemoSegment segment : demo) {
            JsonNode live = get(http, "/api/v1/segments/" + segment.id());
            while (!isLive(live) && System.nanoTime() < deadline) {
                Thread.sleep(500);
                live = get(http, "/api/v1/segments/" + segment.id());
            }
            long size = live.path("size").asLong();
            String check;
            if (!isLive(live)) {
                check = "✗ not live after 5 minutes (" + live.path("freshness") + ")";
                ok = false;
            } else if (segment.truth() < 0) {
                check = "";
            } else if (size == segment.truth()) {
                check = String.format(Locale.ROOT, "✓ %s %,d", segment.truthLabel(), segment.truth());
            } else {
                check = String.format(Locale.ROOT, "✗ %s %,d planted", segment.truthLabel(), segment.truth());
                ok = false;
            }
            row(
                    segment == demo.get(0) ? "audiences" : "",
                    "%-22s %,7d  %s  %s",
                    segment.id(),
                    size,
                    segment.name(),
                    check);
        }
        return ok;
    }

    /**
     * The models run as of the end of the demo's history (POST /api/v1/models/runs), each output
     * beside what was planted: the churn warning must find exactly the cohort the generator's rule
     * finds; the CLV fit is shown beside the planted parameters.
     */
    private boolean models(HttpClient http, JsonNode answers) throws IOException, InterruptedException {
        String end = answers.path("churn").path("end").asText();
        if (end.isEmpty()) {
            throw new IllegalStateException("truths.json has no churn.end: the run's instant is not known");
        }
        String body = json.createObjectNode().put("asOf", end).toString();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        HttpResponse<String> started = send(http, "POST", "/api/v1/models/runs", body);
        // another run of the tenant (the daily one) is running: wait for it, then start ours
        while (started.statusCode() == 409 && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            started = send(http, "POST", "/api/v1/models/runs", body);
        }
        if (started.statusCode() != 202) {
            throw new IllegalStateException(
                    "POST /api/v1/models/runs answered " + started.statusCode() + ": " + started.body());
        }
        String id = json.readTree(started.body()).path("id").asText();
        JsonNode run = get(http, "/api/v1/models/runs/" + id);
        while ("running".equals(run.path("status").asText()) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            run = get(http, "/api/v1/models/runs/" + id);
        }
        out.println();
        out.println("Model audiences as of " + end + " (POST /api/v1/models/runs, GET /api/v1/models/runs/" + id + ")");
        if (!"done".equals(run.path("status").asText())) {
            row("run", "✗ %s %s", run.path("status").asText(), run.path("error").asText(""));
            return false;
        }
        row(
                "run",
                "%,d profiles in %,d ms · settings version %s · %,d tag values changed",
                run.path("profiles").asLong(),
                run.path("durationMs").asLong(),
                run.path("settingsVersion").asText("0"),
                run.path("tagsChanged").asLong());
        JsonNode counts = run.path("counts");
        classes("RFM groups", counts.path("rfm_group"));
        classes("lifecycle", counts.path("lifecycle_stage"));
        classes("AIPL", counts.path("aipl_stage"));
        JsonNode direct = answers.path("aipl").path("counts");
        boolean aiplOk = !direct.isMissingNode();
        for (Map.Entry<String, JsonNode> e : direct.properties()) {
            aiplOk &= counts.path("aipl_stage").path("counts").path(e.getKey()).asLong(-1)
                    == e.getValue().asLong();
        }
        row(
                "",
                "%s a direct count over the generated events: %s",
                aiplOk ? "✓" : "✗",
                direct.isMissingNode() ? "none in truths.json" : direct.toString());
        java.time.Instant to = java.time.OffsetDateTime.parse(end).toInstant();
        JsonNode flows = get(http, "/api/v1/models/aipl/flows?from=" + to.minus(Duration.ofDays(30)) + "&to=" + to);
        row(
                "FAST (30 d)",
                "Fertility %,d · Advancing %.1f%% · Superiority %,d members · Thriving %.1f%%",
                flows.path("fertility").asLong(),
                100 * flows.path("advancing").asDouble(),
                flows.path("superiority").asLong(),
                100 * flows.path("thriving").asDouble());

        boolean ok = aiplOk;
        atRisk = counts.path("churn_risk").path("counts").path("true").asLong();
        long planted = answers.path("churn").path("observed_by_rule").asLong(-1);
        String check = atRisk == planted
                ? String.format(Locale.ROOT, "✓ the generator's rule finds %,d", planted)
                : String.format(Locale.ROOT, "✗ the generator's rule finds %,d", planted);
        ok &= atRisk == planted;
        row("churn warning", "%,d at risk (visits in the last 30 days ≤ 50 %% of the 30 before)  %s", atRisk, check);

        JsonNode clv = run.path("clv");
        JsonNode bg = answers.path("clv").path("bgnbd");
        JsonNode gg = answers.path("clv").path("gamma_gamma");
        if (!clv.path("fitted").asBoolean(false)) {
            row("CLV", "✗ not fitted: %s", clv.path("reason").asText());
            ok = false;
        } else {
            // each parameter within three standard errors of the planted one (the fit's own errors)
            ok &= parameters(
                    "CLV BG/NBD",
                    clv,
                    clv.path("bgnbdStandardErrors"),
                    bg,
                    new String[] {"r", "alpha", "a", "b"},
                    String.format(
                            Locale.ROOT, "%,d buyers", clv.path("customers").asLong()));
            ok &= parameters(
                    "CLV Gamma-Gamma",
                    clv,
                    clv.path("gammaGammaStandardErrors"),
                    gg,
                    new String[] {"p", "q", "gamma"},
                    String.format(
                            Locale.ROOT,
                            "%,d repeat buyers",
                            clv.path("repeatBuyers").asLong()));
            classes("CLV tiers", counts.path("clv_tier"));
            row(
                    "",
                    "high from %.2f CNY, mid from %.2f CNY (12 months ahead)",
                    clv.path("highCut").asDouble(),
                    clv.path("midCut").asDouble());
        }
        return ok;
    }

    /**
     * Fitted parameters beside the planted ones, each with its standard error: ✓ when every one is
     * within three standard errors of what was planted.
     */
    private boolean parameters(
            String label, JsonNode fit, JsonNode errors, JsonNode planted, String[] names, String population) {
        boolean ok = true;
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            double value = fit.path(names[i]).asDouble();
            double se = errors.path(i).isNumber() ? errors.path(i).asDouble() : Double.NaN;
            double truth = planted.path(names[i]).asDouble();
            boolean within = Double.isFinite(se) && Math.abs(value - truth) <= 3 * se;
            ok &= within;
            parts.add(String.format(
                    Locale.ROOT, "%s %.3f ± %.3f (planted %.3f %s)", names[i], value, se, truth, within ? "✓" : "✗"));
        }
        row(label, "%s · %s", String.join(" · ", parts), population);
        return ok;
    }

    /** One model tag's classes and their counts, in the order the run gives them. */
    private void classes(String label, JsonNode tag) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : tag.path("counts").properties()) {
            parts.add(String.format(
                    Locale.ROOT, "%s %,d", e.getKey(), e.getValue().asLong()));
        }
        row(label, "%s", String.join(" · ", parts));
    }

    /** Age from {@code min} to {@code max} years on the reference day, as a range of birthdays. */
    private static String ages(java.time.LocalDate reference, int min, int max) {
        return "{\"field\": \"traits.birthday\", \"op\": \"between\", \"value\": [\""
                + reference.minusYears(max + 1).plusDays(1) + "\", \"" + reference.minusYears(min) + "\"]}";
    }

    /** Aged at least {@code min} on the reference date. */
    private static String ageAtLeast(java.time.LocalDate reference, int min) {
        return "{\"field\": \"traits.birthday\", \"op\": \"lte\", \"value\": \"" + reference.minusYears(min) + "\"}";
    }

    /** Aged at most {@code max} on the reference date. */
    private static String ageAtMost(java.time.LocalDate reference, int max) {
        return "{\"field\": \"traits.birthday\", \"op\": \"gte\", \"value\": \""
                + reference.minusYears(max + 1).plusDays(1) + "\"}";
    }

    /** Whether an audience (GET /api/v1/segments/{id}) is active and evaluated over the whole feed. */
    public static boolean isLive(JsonNode segment) {
        JsonNode freshness = segment.path("freshness");
        return "active".equals(segment.path("state").asText())
                && freshness.path("complete").asBoolean(false)
                && freshness.path("feedLagRecords").asLong(0) == 0
                && freshness.hasNonNull("lastFullEvaluationAt");
    }

    /**
     * Defines one of {@link #demoSegments} through the gateway as the report does (made, or brought
     * to this definition, active), without printing a report: for the end-to-end tests that show
     * the demo brand.
     */
    public static void defineAudience(URI gateway, String token, DemoSegment segment)
            throws IOException, InterruptedException {
        DemoReport report = new DemoReport();
        report.gateway = gateway;
        report.token = token;
        report.define(
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build(),
                segment);
    }

    /** Creates the audience active, or brings an existing one to this definition and activates it. */
    private void define(HttpClient http, DemoSegment segment) throws IOException, InterruptedException {
        com.fasterxml.jackson.databind.node.ObjectNode body = json.createObjectNode();
        body.put("id", segment.id());
        body.put("name", segment.name());
        body.put("description", "defined by ./strata demo");
        body.put("kind", "rule");
        body.set("definition", json.readTree(segment.definition()));
        body.put("state", "active");
        HttpResponse<String> created = send(http, "POST", "/api/v1/segments", body.toString());
        if (created.statusCode() == 201) {
            return;
        }
        if (created.statusCode() != 409) {
            throw new IllegalStateException("POST /api/v1/segments " + segment.id() + " answered "
                    + created.statusCode() + ": " + created.body());
        }
        JsonNode existing = get(http, "/api/v1/segments/" + segment.id());
        if (!existing.path("definition").equals(body.get("definition"))) {
            body.remove(List.of("id", "kind", "state"));
            HttpResponse<String> updated = send(http, "PUT", "/api/v1/segments/" + segment.id(), body.toString());
            if (updated.statusCode() != 200) {
                throw new IllegalStateException("PUT /api/v1/segments/" + segment.id() + " answered "
                        + updated.statusCode() + ": " + updated.body());
            }
        }
        if (!"active".equals(existing.path("state").asText())) {
            HttpResponse<String> state =
                    send(http, "POST", "/api/v1/segments/" + segment.id() + "/state", "{\"state\": \"active\"}");
            if (state.statusCode() != 200) {
                throw new IllegalStateException("POST /api/v1/segments/" + segment.id() + "/state answered "
                        + state.statusCode() + ": " + state.body());
            }
        }
    }

    /**
     * Custom strategic crowds and the reverse funnel of the demo brand (POST /api/v1/crowds/custom,
     * /api/v1/reverse-funnel), both saved as audiences, beside what was planted: the archetypes of
     * the micro-groups (ARI over the consumers of consumers.csv), the core advocates and the
     * consumers their invitations reached (by user id), the viral coefficient.
     */
    private boolean crowds(HttpClient http, JsonNode answers) throws IOException, InterruptedException {
        JsonNode planted = answers.path("custom_crowds");
        if (planted.isMissingNode()) {
            return true;
        }
        boolean ok = trends(http, answers);
        // every event of the history counts, however long ago it ended
        long days = java.time.temporal.ChronoUnit.DAYS.between(
                        java.time.OffsetDateTime.parse(
                                answers.path("generator").path("start").asText()),
                        java.time.OffsetDateTime.now())
                + 1;
        com.fasterxml.jackson.databind.node.ObjectNode ask = json.createObjectNode();
        planted.path("base_dimensions").forEach(d -> ask.withArray("dimensions").add(d.asText()));
        planted.path("events").forEach(e -> ask.withArray("events").add(e.asText()));
        ask.put("property", planted.path("property").asText());
        ask.put("withinDays", days);
        ask.put("saveAs", "demo custom crowd");
        HttpResponse<String> response = send(http, "POST", "/api/v1/crowds/custom", ask.toString());
        out.println();
        out.println("Custom strategic crowds over " + String.join(" × ", names(planted.path("base_dimensions")))
                + " (POST /api/v1/crowds/custom), beside the planted archetypes");
        if (response.statusCode() != 200) {
            row("custom", "✗ answered %d: %s", response.statusCode(), response.body());
            return false;
        }
        JsonNode found = json.readTree(response.body());
        int chosen = found.path("chosen").asInt();
        int count = planted.path("count").asInt();
        row(
                "micro-groups",
                "%,d (%,d planted) of %,d consumers; %,d with ≥ 20 members clustered (Hellinger, Ward)",
                found.path("microGroups").asLong(),
                planted.path("micro_groups").asLong(),
                found.path("consumers").asLong(),
                found.path("clustered").asLong());
        JsonNode score = found.path("scores").path(Math.max(0, chosen - 1));
        boolean sameCount = chosen == count;
        ok &= sameCount;
        row(
                "crowds chosen",
                "%s %d by silhouette %.3f and gap %.3f (planted %d)",
                sameCount ? "✓" : "✗",
                chosen,
                score.path("silhouette").asDouble(),
                score.path("gap").asDouble(),
                count);
        // each consumer's crowd through its micro-group's values, against its planted archetype
        Map<String, Integer> crowdOf = new java.util.HashMap<>();
        for (JsonNode crowd : found.path("crowds")) {
            for (JsonNode group : crowd.path("microGroups")) {
                crowdOf.put(group.asText(), crowd.path("number").asInt());
            }
        }
        List<String> archetypes = new ArrayList<>();
        List<int[]> pairs = new ArrayList<>();
        Map<Integer, Map<String, Integer>> overlap = new java.util.HashMap<>();
        if (consumers != null) {
            {
                for (var record : consumerRows()) {
                    String key = record.get("gender") + "|" + record.get("city_tier") + "|" + record.get("occupation")
                            + "|" + record.get("income_level");
                    Integer crowd = crowdOf.get(key);
                    String archetype = record.get("archetype");
                    if (crowd == null) {
                        continue; // a consumer without a counted view
                    }
                    if (!archetypes.contains(archetype)) {
                        archetypes.add(archetype);
                    }
                    pairs.add(new int[] {archetypes.indexOf(archetype), crowd});
                    overlap.computeIfAbsent(crowd, c -> new java.util.TreeMap<>())
                            .merge(archetype, 1, Integer::sum);
                }
            }
            int[] a = new int[pairs.size()];
            int[] b = new int[pairs.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = pairs.get(i)[0];
                b[i] = pairs.get(i)[1];
            }
            double ari = a.length == 0 ? 0 : io.strata.segmentation.crowds.AdjustedRand.index(a, b);
            boolean recovered = ari >= 0.9;
            ok &= recovered;
            row(
                    "recovered",
                    "%s adjusted Rand index %.3f against the planted archetypes over %,d consumers (≥ 0.9)",
                    recovered ? "✓" : "✗",
                    ari,
                    a.length);
        }
        for (JsonNode crowd : found.path("crowds")) {
            int number = crowd.path("number").asInt();
            Map<String, Integer> mix = overlap.getOrDefault(number, Map.of());
            String majority = mix.entrySet().stream()
                    .max(Map.Entry.comparingByValue())
                    .map(e -> String.format(
                            Locale.ROOT,
                            "%s %.0f%%",
                            e.getKey(),
                            100.0
                                    * e.getValue()
                                    / mix.values().stream()
                                            .mapToInt(Integer::intValue)
                                            .sum()))
                    .orElse("");
            row(
                    number == 1 ? "crowds" : "",
                    "%d: %,6d (%4.1f%%) prefers %-44s %s → %s",
                    number,
                    crowd.path("members").asLong(),
                    100 * crowd.path("penetration").asDouble(),
                    String.join(", ", names(crowd.path("topCategories"))),
                    majority,
                    crowd.path("segmentId").asText());
        }

        // the reverse funnel from the advocates, its tiers saved
        response = send(http, "POST", "/api/v1/reverse-funnel", "{\"saveAs\": \"demo funnel\"}");
        out.println();
        out.println("The reverse funnel core → high potential → broad (POST /api/v1/reverse-funnel), beside what was"
                + " planted");
        if (response.statusCode() != 200) {
            row("funnel", "✗ answered %d: %s", response.statusCode(), response.body());
            return false;
        }
        JsonNode funnel = json.readTree(response.body());
        JsonNode truth = answers.path("reverse_funnel");
        for (JsonNode tier : funnel.path("tiers")) {
            row(
                    tier.path("tier").asText().equals("core") ? "tiers" : "",
                    "%-15s %,6d (%4.1f%%)  bought %4.1f%%  revenue %4.1f%% (¥%,.0f a member) → %s",
                    tier.path("tier").asText(),
                    tier.path("size").asLong(),
                    100 * tier.path("penetration").asDouble(),
                    100 * tier.path("conversion").asDouble(),
                    100 * tier.path("revenueShare").asDouble(),
                    tier.path("revenuePerMember").asDouble(),
                    tier.path("segmentId").asText());
        }
        JsonNode quality = funnel.path("quality");
        boolean lifted = quality.path("liftAtK").asDouble() >= 3;
        ok &= lifted;
        row(
                "look-alike",
                "%s %s: %d of %d hidden core found in the top %,d (recall %.0f%%), lift %.1f over the base rate %.2f%%",
                lifted ? "✓" : "✗",
                funnel.path("method").asText(),
                quality.path("found").asInt(),
                quality.path("hidden").asInt(),
                quality.path("k").asInt(),
                100 * quality.path("recallAtK").asDouble(),
                quality.path("liftAtK").asDouble(),
                100 * quality.path("baseRate").asDouble());
        JsonNode referrals = funnel.path("referrals");
        long invited = truth.path("high_potential").path("count").asLong();
        boolean chains = referrals.path("referred").asLong() == invited
                && referrals.path("maxDepth").asInt() == truth.path("max_depth").asInt();
        ok &= chains;
        row(
                "referrals",
                "%s %,d brought by an invitation (planted %,d), chains %d deep (planted %d), by depth %s",
                chains ? "✓" : "✗",
                referrals.path("referred").asLong(),
                invited,
                referrals.path("maxDepth").asInt(),
                truth.path("max_depth").asInt(),
                referrals.path("byDepth").toString());
        double k = truth.path("viral_coefficient").asDouble();
        for (JsonNode cohort : referrals.path("cohorts")) {
            boolean core = cohort.path("cohort").asText().equals("core");
            boolean covers = cohort.path("kLow").asDouble() <= k
                    && k <= cohort.path("kHigh").asDouble();
            if (core) {
                ok &= covers;
            }
            row(
                    cohort.path("cohort").asText().equals("core") ? "viral K" : "",
                    "%s%-15s K %.2f [%.2f, %.2f] = %.2f invites a member × %.0f%% converted%s; %.2f per inviter",
                    core ? (covers ? "✓ " : "✗ ") : "  ",
                    cohort.path("cohort").asText(),
                    cohort.path("k").asDouble(),
                    cohort.path("kLow").asDouble(),
                    cohort.path("kHigh").asDouble(),
                    cohort.path("invitesPerUser").asDouble(),
                    100 * cohort.path("conversion").asDouble(0),
                    core ? String.format(Locale.ROOT, " (planted %.2f)", k) : "",
                    cohort.path("kPerInviter").asDouble());
        }
        if (consumers != null) {
            ok &= plantedTiers(http, funnel, truth);
        }
        return ok;
    }

    /** The standard crowds' penetration this month (GET /api/v1/crowds/trends) against the planted shares. */
    private boolean trends(HttpClient http, JsonNode answers) throws IOException, InterruptedException {
        java.time.LocalDate reference =
                java.time.LocalDate.parse(answers.path("crowds").path("age_on").asText());
        Map<String, Double> planted = new java.util.HashMap<>();
        for (JsonNode crowd : answers.path("crowds").path("rules")) {
            planted.put(crowd.path("crowd").asText(), crowd.path("share").asDouble());
        }
        List<StandardCrowd> standard = standardCrowds(reference);
        List<String> ids = new ArrayList<>();
        standard.forEach(c -> ids.add(c.id()));
        JsonNode trends = get(http, "/api/v1/crowds/trends?period=month&segments=" + String.join(",", ids));
        out.println();
        out.println(
                "The standard crowds this month (GET /api/v1/crowds/trends?period=month), beside the planted shares");
        boolean ok = true;
        List<String> shares = new ArrayList<>();
        for (int i = 0; i < standard.size(); i++) {
            JsonNode points = trends.path("crowds").path(i).path("points");
            JsonNode now = points.path(points.size() - 1);
            double penetration = now.path("penetration").asDouble(Double.NaN);
            double share = planted.getOrDefault(standard.get(i).key(), Double.NaN);
            boolean same = Math.abs(penetration - share) < 0.00005;
            ok &= same;
            shares.add(String.format(
                    Locale.ROOT,
                    "%s%s %.1f%%",
                    same ? "" : "✗ ",
                    standard.get(i).name().split(" ")[0],
                    100 * penetration));
        }
        row("penetration", "%s %s", ok ? "✓" : "✗", String.join(" · ", shares));
        return ok;
    }

    /** The core and high-potential audiences against the planted consumers, by user id. */
    private boolean plantedTiers(HttpClient http, JsonNode funnel, JsonNode truth)
            throws IOException, InterruptedException {
        java.util.Set<String> core = members(http, "demo_funnel-core", funnel, "core");
        java.util.Set<String> high = members(http, "demo_funnel-high_potential", funnel, "high_potential");
        List<String[]> planted = new ArrayList<>();
        {
            for (var record : consumerRows()) {
                if (record.get("core").equals("true")
                        || record.get("high_potential").equals("true")) {
                    planted.add(new String[] {record.get("user_id"), record.get("core")});
                }
            }
        }
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(LOOKUPS_IN_FLIGHT);
        List<java.util.concurrent.CompletableFuture<JsonNode>> lookups = new ArrayList<>();
        for (String[] consumer : planted) {
            lookups.add(lookup(http, inFlight, "userId", consumer[0]));
        }
        int plantedCore = 0;
        int coreFound = 0;
        int plantedHigh = 0;
        int highFound = 0;
        for (int i = 0; i < planted.size(); i++) {
            JsonNode profile = join(lookups.get(i));
            String id = profile == null ? "" : profile.path("id").asText();
            if (planted.get(i)[1].equals("true")) {
                plantedCore++;
                coreFound += core.contains(id) ? 1 : 0;
            } else {
                plantedHigh++;
                highFound += high.contains(id) ? 1 : 0;
            }
        }
        double coreRecall = plantedCore == 0 ? 0 : (double) coreFound / plantedCore;
        double corePrecision = core.isEmpty() ? 0 : (double) coreFound / core.size();
        boolean coreOk = coreRecall >= 0.95 && corePrecision >= 0.95;
        row(
                "core",
                "%s %,d advocates (not invited; invited or shared ≥ 3): %,d of the %,d planted (%.1f%%), %.1f%% of"
                        + " them planted",
                coreOk ? "✓" : "✗",
                core.size(),
                coreFound,
                plantedCore,
                100 * coreRecall,
                100 * corePrecision);
        double highRate = high.isEmpty() ? 0 : (double) highFound / high.size();
        double base = (double) plantedHigh / Math.max(1, funnel.path("profiles").asLong() - core.size());
        row(
                "high potential",
                "  %,d look-alikes hold %,d of the %,d planted invitees (%.0f%% of them planted, %.1f× the %.0f%% of"
                        + " the rest)",
                high.size(),
                highFound,
                plantedHigh,
                100 * highRate,
                base == 0 ? 0 : highRate / base,
                100 * base);
        return coreOk;
    }

    /** An audience's members (profile ids), once it holds the tier's size (a rule audience is evaluated after its save). */
    private java.util.Set<String> members(HttpClient http, String id, JsonNode funnel, String tier)
            throws IOException, InterruptedException {
        long size = 0;
        for (JsonNode t : funnel.path("tiers")) {
            if (t.path("tier").asText().equals(tier)) {
                size = t.path("size").asLong();
            }
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (get(http, "/api/v1/segments/" + id).path("size").asLong() != size && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        HttpResponse<java.util.stream.Stream<String>> lines = http.send(
                HttpRequest.newBuilder(gateway.resolve("/api/v1/segments/" + id + "/members"))
                        .header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofSeconds(120))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        if (lines.statusCode() != 200) {
            throw new IllegalStateException("GET /api/v1/segments/" + id + "/members answered " + lines.statusCode());
        }
        java.util.Set<String> out = new java.util.HashSet<>();
        try (var stream = lines.body()) {
            for (String line : (Iterable<String>) stream::iterator) {
                if (!line.isBlank()) {
                    out.add(json.readTree(line).path("profileId").asText());
                }
            }
        }
        return out;
    }

    private List<org.apache.commons.csv.CSVRecord> consumerRows;

    /** The rows of the generator's consumers.csv, by its header (read once). */
    private List<org.apache.commons.csv.CSVRecord> consumerRows() throws IOException {
        if (consumerRows == null) {
            try (var parser = org.apache.commons.csv.CSVFormat.RFC4180
                    .builder()
                    .setHeader()
                    .setSkipHeaderRecord(true)
                    .get()
                    .parse(Files.newBufferedReader(consumers))) {
                consumerRows = parser.getRecords();
            }
        }
        return consumerRows;
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private HttpResponse<String> send(HttpClient http, String method, String path, String body)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(gateway.resolve(path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(120))
                        .method(method, HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The crowds whose preferences the report shows, with their audiences of {@link #demoSegments}. */
    public static final Map<String, String> INSIGHT_CROWDS = insightCrowds();

    private static Map<String, String> insightCrowds() {
        Map<String, String> crowds = new java.util.LinkedHashMap<>();
        crowds.put("REFINED_MUMS", "demo-refined-mums");
        crowds.put("GEN_Z", "demo-gen-z");
        return java.util.Collections.unmodifiableMap(crowds);
    }

    /**
     * What insight-service finds in the demo brand, beside what was planted: for two crowds, their
     * top content features by TGI against every profile, each planted TGI inside its reported
     * interval; the categories bought together, each planted pair's lift as the generator counted
     * it. Waits (5 minutes at most) until the store has read the feed and the crowds' members.
     */
    private boolean insight(HttpClient http, JsonNode answers) throws IOException, InterruptedException {
        out.println();
        out.println("What the crowds prefer and what is bought together (/api/v1/insight), beside what was planted");
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        Map<String, JsonNode> tgis = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, String> crowd : INSIGHT_CROWDS.entrySet()) {
            long size = get(http, "/api/v1/segments/" + crowd.getValue())
                    .path("size")
                    .asLong();
            String question = "{\"audience\": \"" + crowd.getValue()
                    + "\", \"base\": \"all\", \"dimensions\": [\"channel\", \"topic\", \"creator\"], \"limit\": 1000}";
            JsonNode answer = null;
            while (System.nanoTime() < deadline) {
                JsonNode status = get(http, "/api/v1/insight/status");
                if (status.path("caughtUp").asBoolean()) {
                    HttpResponse<String> response = send(http, "POST", "/api/v1/insight/tgi", question);
                    if (response.statusCode() == 200) {
                        answer = json.readTree(response.body());
                        if (answer.path("audienceSize").asLong() == size) {
                            break;
                        }
                    } else if (response.statusCode() != 404) {
                        throw new IllegalStateException(
                                "POST /api/v1/insight/tgi answered " + response.statusCode() + ": " + response.body());
                    }
                }
                answer = null;
                Thread.sleep(1000);
            }
            if (answer == null) {
                row("insight", "✗ the store holds no %,d members of %s after 5 minutes", size, crowd.getValue());
                return false;
            }
            tgis.put(crowd.getKey(), answer);
        }
        boolean ok = true;
        for (Map.Entry<String, JsonNode> entry : tgis.entrySet()) {
            JsonNode answer = entry.getValue();
            List<String> top = new ArrayList<>();
            for (JsonNode r : answer.path("rows")) {
                if (top.size() == 4) {
                    break;
                }
                top.add(String.format(
                        Locale.ROOT,
                        "%s %.0f",
                        r.path("value").asText(),
                        r.path("index").asDouble()));
            }
            row(
                    entry.getKey().equals(INSIGHT_CROWDS.keySet().iterator().next()) ? "TGI" : "",
                    "%-13s %,6d of %,d · top: %s",
                    entry.getKey(),
                    answer.path("audienceSize").asLong(),
                    answer.path("baseSize").asLong(),
                    String.join(" · ", top));
            for (JsonNode plant : answers.path("tgi").path("planted")) {
                if (!plant.path("crowd").asText().equals(entry.getKey())) {
                    continue;
                }
                JsonNode found = null;
                for (JsonNode r : answer.path("rows")) {
                    if (r.path("dimension")
                                    .asText()
                                    .equals(plant.path("dimension").asText())
                            && r.path("value")
                                    .asText()
                                    .equals(plant.path("value").asText())) {
                        found = r;
                    }
                }
                double planted = plant.path("planted_tgi").asDouble();
                String check;
                if (found == null || !found.has("lower")) {
                    check = "✗ no index";
                    ok = false;
                } else if (found.path("lower").asDouble() <= planted
                        && planted <= found.path("upper").asDouble()) {
                    check = String.format(Locale.ROOT, "✓ planted %.0f inside", planted);
                } else {
                    check = String.format(Locale.ROOT, "✗ planted %.0f outside", planted);
                    ok = false;
                }
                row(
                        "",
                        "  %-8s %-16s %5.0f [%3.0f–%3.0f] q %-8s %s",
                        plant.path("dimension").asText(),
                        plant.path("value").asText(),
                        found == null ? Double.NaN : found.path("index").asDouble(),
                        found == null ? Double.NaN : found.path("lower").asDouble(),
                        found == null ? Double.NaN : found.path("upper").asDouble(),
                        found == null ? "" : qValue(found.path("q").asDouble()),
                        check);
            }
        }
        HttpResponse<String> response = send(
                http,
                "POST",
                "/api/v1/insight/association-rules",
                "{\"level\": \"category\", \"basket\": \"order\", \"minSupport\": 0.01, \"minConfidence\": 0.1,"
                        + " \"maxLength\": 2, \"limit\": 1000}");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("POST /api/v1/insight/association-rules answered " + response.statusCode()
                    + ": " + response.body());
        }
        JsonNode rules = json.readTree(response.body());
        long orders = answers.path("association").path("orders").asLong();
        long baskets = rules.path("baskets").asLong();
        row(
                "bought with",
                "%,d orders as baskets, %s rules at support 1%% · confidence 10%%  %s",
                baskets,
                rules.path("rulesTotal").asText(),
                baskets == orders ? "✓ every order" : String.format(Locale.ROOT, "✗ %,d orders planted", orders));
        ok &= baskets == orders;
        for (JsonNode pair : answers.path("association").path("planted_pairs")) {
            JsonNode found = null;
            for (JsonNode r : rules.path("rules")) {
                if (r.path("antecedent").path(0).asText().equals(pair.path("a").asText())
                        && r.path("consequent")
                                .path(0)
                                .asText()
                                .equals(pair.path("b").asText())) {
                    found = r;
                }
            }
            double observed = pair.path("observed_lift").asDouble();
            String check;
            if (found == null) {
                check = "✗ no rule";
                ok = false;
            } else if (Math.abs(found.path("lift").asDouble() - observed) < 1e-3) {
                check = String.format(
                        Locale.ROOT,
                        "✓ as generated (planted %.2f)",
                        pair.path("planted_lift").asDouble());
            } else {
                check = String.format(Locale.ROOT, "✗ %.3f generated", observed);
                ok = false;
            }
            row(
                    "",
                    "  %-24s lift %5.2f · confidence %3.0f%% · support %.3f  %s",
                    pair.path("a").asText() + " → " + pair.path("b").asText(),
                    found == null ? Double.NaN : found.path("lift").asDouble(),
                    found == null ? Double.NaN : 100 * found.path("confidence").asDouble(),
                    found == null ? Double.NaN : found.path("support").asDouble(),
                    check);
        }
        return ok;
    }

    /** A q-value as the report prints it: below what a double holds, as such. */
    static String qValue(double q) {
        return q < Double.MIN_NORMAL ? "<1e-300" : String.format(Locale.ROOT, "%.0e", q);
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

    /** The profile owning the identifier (null: none), through the gateway; a 429 is retried after its Retry-After. */
    private java.util.concurrent.CompletableFuture<JsonNode> lookup(
            HttpClient http, java.util.concurrent.Semaphore inFlight, String parameter, String value) {
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return attempt(
                        http,
                        parameter + "=" + java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8),
                        1)
                .whenComplete((profile, e) -> inFlight.release());
    }

    private java.util.concurrent.CompletableFuture<JsonNode> attempt(HttpClient http, String query, int attempt) {
        return http.sendAsync(
                        HttpRequest.newBuilder(gateway.resolve("/api/v1/profiles?" + query))
                                .header("Authorization", "Bearer " + token)
                                .timeout(Duration.ofSeconds(60))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .thenCompose(response -> {
                    if (response.statusCode() == 429 && attempt < LOOKUP_ATTEMPTS) {
                        long wait = response.headers()
                                .firstValueAsLong("Retry-After")
                                .orElse(1);
                        return java.util.concurrent.CompletableFuture.supplyAsync(
                                        () -> null,
                                        java.util.concurrent.CompletableFuture.delayedExecutor(
                                                Math.max(1, wait), java.util.concurrent.TimeUnit.SECONDS))
                                .thenCompose(ignored -> attempt(http, query, attempt + 1));
                    }
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException(
                                "a lookup answered " + response.statusCode() + ": " + response.body());
                    }
                    try {
                        JsonNode items = json.readTree(response.body()).path("items");
                        return java.util.concurrent.CompletableFuture.completedFuture(
                                items.isEmpty() ? null : items.get(0));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
    }

    private static JsonNode join(java.util.concurrent.CompletableFuture<JsonNode> lookup) throws InterruptedException {
        try {
            return lookup.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    private static String day(JsonNode time) {
        return time.isTextual() && time.asText().length() >= 10 ? time.asText().substring(0, 10) : "-";
    }

    private void row(String label, String format, Object... args) {
        out.printf(Locale.ROOT, "  %-13s %s%n", label, String.format(Locale.ROOT, format, args));
    }
}
