package io.strata.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.demo.DemoGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo brand's two journeys — first purchase + 7 days with an A/B split and a control, and the
 * churn-warning win-back — run over its year of history on a held journey clock
 * (docs/journeys.md): {@code setup} before the history is sent (send policy, sender, templates,
 * the churn-warning audience, the clock held at the brand's first day, both journeys published),
 * {@code consents} once its profiles exist (the members' consent); the report's part
 * ({@link #advance}, {@link #report}) moves the clock to the morning after the brand's last day and
 * sets what the journeys did beside what the orders say they must have.
 */
@Command(
        name = "demo-journeys",
        mixinStandardHelpOptions = true,
        description = "Set up the demo brand's journeys (before its history is sent) or its members' consent (after).")
public final class DemoJourneys implements Callable<Integer> {

    enum Phase {
        setup,
        consents
    }

    static final String FIRST_PURCHASE = "first-purchase-7d";
    static final String WIN_BACK = "churn-win-back";
    static final String CHURN_AUDIENCE = "churn-warning";
    static final String SENDER = "【Strata】";
    static final ZoneId BRAND_ZONE = ZoneId.of("Asia/Shanghai");
    /** Where the clock goes once the history is in: the morning after the brand's last day, 10:00. */
    static final Duration MORNING = Duration.ofHours(10);
    /** One member in this many (by user id) later replied 退订 to an SMS. */
    static final int REFUSES_ONE_IN = 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The send policy: quiet hours deferred, promotions capped (docs/journeys.md). */
    static final String POLICY = """
            {"zone": "Asia/Shanghai", "deferInQuietHours": true,
             "quietHours": {"sms": {"start": "21:00", "end": "08:00"}, "push": {"start": "22:00", "end": "08:00"}},
             "caps": [{"name": "promotions", "scope": "tag", "value": "promotion", "limit": 2, "rolling": "P7D"},
                      {"name": "marketing-sms-weekly", "scope": "channel", "value": "sms", "limit": 3, "rolling": "P7D"}]}""";

    /** channel, template, body. */
    static final String[][] TEMPLATES = {
        {"sms", "fp7_coupon", SENDER + "感谢首单！7 天内再次下单立减 20 元，点此领取 s.lanxu.cn/c 回T退订"},
        {"push", "fp7_guide", "你的新品怎么用？3 分钟上手指南，为你整理好了"},
        {"sms", "winback_miss_you", SENDER + "好久不见，这季新品为你留着，点此看看 s.lanxu.cn/n 回T退订"},
        {"sms", "winback_coupon", SENDER + "老朋友专享 30 元券，7 天内有效 s.lanxu.cn/w 回T退订"}
    };

    @Option(
            names = "--gateway",
            defaultValue = "http://127.0.0.1:8080",
            description = "the gateway (default ${DEFAULT-VALUE})")
    URI gateway;

    @Option(
            names = "--token",
            defaultValue = "${env:STRATA_TOKEN}",
            description = "a bearer token of an admin of the tenant (default: the environment's STRATA_TOKEN)")
    String token;

    @Option(names = "--phase", required = true, description = "setup (before the history) or consents (after)")
    Phase phase;

    @Option(names = "--consumers", description = "the generator's consumers.csv (the consents phase)")
    Path consumers;

    @Option(
            names = "--months",
            defaultValue = "12",
            description = "months of history the generator made (default ${DEFAULT-VALUE})")
    int months;

    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (token == null || token.isBlank()) {
            System.err.println("demo-journeys: --token is required (or STRATA_TOKEN in the environment)");
            return 2;
        }
        Api api = new Api(gateway, token);
        try {
            if (phase == Phase.setup) {
                setup(api);
            } else {
                if (consumers == null || !Files.isRegularFile(consumers)) {
                    System.err.println("demo-journeys: --consumers: the generator's consumers.csv is required");
                    return 2;
                }
                consents(api, consumers);
            }
            return 0;
        } catch (IllegalStateException e) {
            System.err.println("demo-journeys: " + e.getMessage());
            return 1;
        }
    }

    /** The brand's first day, 00:00 on its clock. */
    Instant brandStart() {
        return DemoGenerator.DEFAULT_REFERENCE
                .minusMonths(months)
                .atStartOfDay(BRAND_ZONE)
                .toInstant();
    }

    private void setup(Api api) throws IOException, InterruptedException {
        api.expect("PUT", "/api/v1/send-policy", POLICY, 200);
        api.expect("PUT", "/api/v1/senders/sms/" + URLEncoder.encode(SENDER, StandardCharsets.UTF_8), "", 200);
        for (String[] t : TEMPLATES) {
            ObjectNode body = JSON.createObjectNode().put("body", t[2]).put("approved", true);
            api.expect("PUT", "/api/v1/templates/" + t[0] + "/" + t[1], body.toString(), 200);
        }
        ObjectNode audience = JSON.createObjectNode()
                .put("id", CHURN_AUDIENCE)
                .put("name", "Churn warning / 流失预警")
                .put("description", "the churn model's warning (tags.churn_risk); defined by ./strata demo")
                .put("kind", "rule")
                .put("state", "active");
        audience.set(
                "definition", JSON.readTree("{\"field\": \"tags.churn_risk\", \"op\": \"eq\", \"value\": \"true\"}"));
        HttpResponse<String> created = api.send("POST", "/api/v1/segments", audience.toString());
        if (created.statusCode() != 201 && created.statusCode() != 409) {
            throw new IllegalStateException(
                    "POST /api/v1/segments answered " + created.statusCode() + ": " + created.body());
        }
        Instant start = brandStart();
        api.expect("PUT", "/api/v1/journey-clock", "{\"heldAt\": \"" + start + "\"}", 200);
        List<String> published = new ArrayList<>();
        for (String key : List.of(FIRST_PURCHASE, WIN_BACK)) {
            published.add(key + " v" + publish(api, key));
        }
        out.printf(
                Locale.ROOT,
                "demo-journeys: %s published; the journey clock is held at the brand's first day (%s)%n",
                String.join(", ", published),
                start);
    }

    /** Publishes the journey unless its live version is this definition already; returns the live version. */
    private static int publish(Api api, String key) throws IOException, InterruptedException {
        String definition = definition(key);
        HttpResponse<String> existing = api.send("GET", "/api/v1/journeys/" + key, null);
        if (existing.statusCode() == 200) {
            JsonNode journey = JSON.readTree(existing.body()).path("journey");
            int live = journey.path("liveVersion").asInt();
            for (JsonNode v : journey.path("versions")) {
                if (v.path("version").asInt() == live
                        && JSON.readTree(v.path("definition").asText()).equals(JSON.readTree(definition))) {
                    return live;
                }
            }
        } else if (existing.statusCode() != 404) {
            throw new IllegalStateException(
                    "GET /api/v1/journeys/" + key + " answered " + existing.statusCode() + ": " + existing.body());
        }
        api.expect("PUT", "/api/v1/journeys/" + key, definition, 200);
        JsonNode done = JSON.readTree(api.expect("POST", "/api/v1/journeys/" + key + "/publish", "", 200));
        return done.path("version").asInt();
    }

    static String definition(String key) throws IOException {
        try (InputStream in = DemoJourneys.class.getResourceAsStream("/demo/journeys/" + key + ".json")) {
            if (in == null) {
                throw new IllegalStateException("no journey " + key + " among the demo's");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * The members' consent: SMS and push marketing granted when they signed up; one in
     * {@link #REFUSES_ONE_IN} replied 退订 to an SMS a day later (a reply to the brand's number, which
     * campaign-service turns into the refusal). Everyone else never consented.
     */
    private void consents(Api api, Path csv) throws IOException, InterruptedException {
        List<ObjectNode> updates = new ArrayList<>();
        List<ObjectNode> replies = new ArrayList<>();
        int members = 0;
        int refusals = 0;
        for (CSVRecord c : read(csv)) {
            if (!"true".equals(c.get("member"))) {
                continue;
            }
            members++;
            Instant signedUp = OffsetDateTime.parse(c.get("first_seen")).toInstant();
            for (String channel : List.of("sms", "push")) {
                updates.add(statement(c.get("user_id"), channel, true, "member sign-up", signedUp));
            }
            if (refuses(c.get("user_id")) && !c.get("phone").isBlank()) {
                refusals++;
                replies.add(JSON.createObjectNode()
                        .put("channel", "sms")
                        .put("from", c.get("phone"))
                        .put("sender", SENDER)
                        .put("text", "退订")
                        .put("at", signedUp.plus(Duration.ofDays(1)).toString())
                        .put("messageId", "demo-reply-" + c.get("user_id")));
            }
        }
        int applied = 0;
        for (int from = 0; from < updates.size(); from += 2_000) {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode rows = body.putArray("updates");
            updates.subList(from, Math.min(updates.size(), from + 2_000)).forEach(rows::add);
            JsonNode result = JSON.readTree(api.expect("POST", "/api/v1/consents", body.toString(), 200));
            if (!result.path("refused").isEmpty()) {
                throw new IllegalStateException("consent statements refused: " + result.path("refused"));
            }
            applied += result.path("applied").asInt();
        }
        // a day after signing up, one in REFUSES_ONE_IN replies 退订 to the brand's SMS number: the
        // reply opts them out of the brand's marketing SMS (campaign-service, relayed to profile-service)
        int optedOut = 0;
        int unknown = 0;
        for (int from = 0; from < replies.size(); from += 2_000) {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode rows = body.putArray("replies");
            replies.subList(from, Math.min(replies.size(), from + 2_000)).forEach(rows::add);
            JsonNode result = JSON.readTree(api.expect("POST", "/api/v1/messages/replies", body.toString(), 200));
            if (!result.path("refused").isEmpty()) {
                throw new IllegalStateException("replies refused: " + result.path("refused"));
            }
            optedOut += result.path("optedOut").asInt();
            unknown += result.path("unknownAddress").asInt();
        }
        out.printf(
                Locale.ROOT,
                "demo-journeys: %,d consent statements of %,d members; %,d replied 退订 (%,d opted out,"
                        + " %,d from numbers no profile holds)%n",
                applied,
                members,
                refusals,
                optedOut,
                unknown);
    }

    static boolean refuses(String userId) {
        return Math.floorMod(userId.hashCode(), REFUSES_ONE_IN) == 0;
    }

    private static ObjectNode statement(String userId, String channel, boolean granted, String source, Instant at) {
        return JSON.createObjectNode()
                .put("userId", userId)
                .put("channel", channel)
                .put("purpose", "marketing")
                .put("granted", granted)
                .put("source", source)
                .put("at", at.toString());
    }

    private static List<CSVRecord> read(Path csv) throws IOException {
        try (Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            return CSVFormat.DEFAULT
                    .builder()
                    .setHeader()
                    .setSkipHeaderRecord(true)
                    .get()
                    .parse(reader)
                    .getRecords();
        }
    }

    // --- the report's part ---

    /** The instant the clock moves to once the history is in: 10:00 on the day after the brand's last. */
    static Instant morningAfter(JsonNode answers) {
        return OffsetDateTime.parse(answers.path("churn").path("end").asText())
                .toInstant()
                .plus(MORNING);
    }

    /**
     * Moves the journey clock to {@link #morningAfter}: every timer due by then fires, at its own
     * time. Returns once none is due and no send is queued (at most 10 minutes), with how long the
     * year's replay took; the report's next steps (the model run) then have the machine to
     * themselves. Nothing (and the clock left alone) when the tenant has not the demo's journeys.
     */
    static Optional<Duration> advance(Api api, JsonNode answers) throws IOException, InterruptedException {
        HttpResponse<String> published = api.send("GET", "/api/v1/journeys/" + FIRST_PURCHASE, null);
        if (published.statusCode() == 404) {
            return Optional.empty(); // a tenant without the demo's journeys: its clock is left alone
        }
        if (published.statusCode() != 200) {
            throw new IllegalStateException("GET /api/v1/journeys/" + FIRST_PURCHASE + " answered "
                    + published.statusCode() + ": " + published.body());
        }
        long started = System.nanoTime();
        api.expect("PUT", "/api/v1/journey-clock", "{\"heldAt\": \"" + morningAfter(answers) + "\"}", 200);
        long deadline = started + Duration.ofMinutes(10).toNanos();
        JsonNode clock = api.get("/api/v1/journey-clock").path("clock");
        while ((clock.path("due").asLong() > 0 || clock.path("queued").asLong() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            clock = api.get("/api/v1/journey-clock").path("clock");
        }
        return Optional.of(Duration.ofNanos(System.nanoTime() - started));
    }

    /** What the first-purchase journey must show, from orders.csv: see {@link #report}. */
    record FirstPurchaseTruth(long entered, long split, long converted) {}

    /**
     * Entered: every buyer (the first order seen starts it, once). Split: those whose first order
     * plus 7 days, then the next 10:00 on the brand's clock, is by the held clock. Converted: those
     * with an order after the split and at most 14 days after it.
     */
    static FirstPurchaseTruth firstPurchaseTruth(Path orders, Instant clock) throws IOException {
        Map<String, Instant> orderTimes = new HashMap<>();
        Map<String, String> orderUsers = new HashMap<>();
        for (CSVRecord r : read(orders)) {
            orderTimes.putIfAbsent(
                    r.get("order_id"), OffsetDateTime.parse(r.get("timestamp")).toInstant());
            orderUsers.putIfAbsent(r.get("order_id"), r.get("user_id"));
        }
        Map<String, List<Instant>> byUser = new TreeMap<>();
        orderTimes.forEach((id, at) -> byUser.computeIfAbsent(orderUsers.get(id), u -> new ArrayList<>())
                .add(at));
        long split = 0;
        long converted = 0;
        for (List<Instant> times : byUser.values()) {
            times.sort(null);
            ZonedDateTime week = times.get(0).plus(Duration.ofDays(7)).atZone(BRAND_ZONE);
            ZonedDateTime ten = week.with(LocalTime.of(10, 0));
            Instant at = ten.isAfter(week) ? ten.toInstant() : ten.plusDays(1).toInstant();
            if (at.isAfter(clock)) {
                continue;
            }
            split++;
            Instant deadline = at.plus(Duration.ofDays(14));
            if (times.stream().anyMatch(t -> t.isAfter(at) && !t.isAfter(deadline))) {
                converted++;
            }
        }
        return new FirstPurchaseTruth(byUser.size(), split, converted);
    }

    /**
     * Waits until the journeys are through what the held clock makes due (the win-back entered by
     * every profile the churn warning found), then prints per journey its entries, sends,
     * suppressions by reason, conversions and the experiment per arm, each count set beside what
     * the brand's orders and the churn model say it must be.
     */
    static boolean report(Api api, JsonNode answers, Path orders, long atRisk, Duration replay, PrintStream out)
            throws IOException, InterruptedException {
        Instant clock = morningAfter(answers);
        out.println();
        out.println("Journeys over the brand's year, the journey clock held at " + clock
                + " (GET /api/v1/journeys/{key}/stats, /api/v1/experiments/{key})");
        row(
                out,
                "replay",
                "the clock moved from the brand's first day: its year of waits, splits and sends in %.1f s",
                replay.toMillis() / 1000.0);
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        JsonNode state = api.get("/api/v1/journey-clock").path("clock");
        long winBack = entered(api.get("/api/v1/journeys/" + WIN_BACK + "/stats"));
        while ((state.path("due").asLong() > 0 || state.path("queued").asLong() > 0 || winBack < atRisk)
                && System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            state = api.get("/api/v1/journey-clock").path("clock");
            winBack = entered(api.get("/api/v1/journeys/" + WIN_BACK + "/stats"));
        }
        boolean ok = true;
        if (state.path("due").asLong() > 0 || state.path("queued").asLong() > 0) {
            row(
                    out,
                    "clock",
                    "✗ after 10 minutes %s timers still due, %s sends queued",
                    state.path("due").asText(),
                    state.path("queued").asText());
            ok = false;
        }

        FirstPurchaseTruth truth = firstPurchaseTruth(orders, clock);
        JsonNode fp = api.get("/api/v1/journeys/" + FIRST_PURCHASE + "/stats");
        JsonNode fpVersion = fp.path("versions").path(0);
        long entered = entered(fp);
        long split = node(fpVersion, "split").path("enteredProfiles").asLong();
        long converted = fpVersion.path("conversions").path("second order").asLong();
        out.println("  first purchase + 7 days (首单后 7 天复购): first order → 7 days → 10:00 → A/B/control → goal: a"
                + " second order within 14 days");
        ok &= check(out, "entered", entered, truth.entered(), "buyers (the first order starts it, once)");
        ok &= check(out, "split", split, truth.split(), "buyers whose first order + 7 days, 10:00, is by the clock");
        ok &= check(out, "converted", converted, truth.converted(), "of them, an order within 14 days of the split");
        messages(out, fpVersion);
        ok &= experiment(out, api.get("/api/v1/experiments/" + FIRST_PURCHASE));

        JsonNode wb = api.get("/api/v1/journeys/" + WIN_BACK + "/stats")
                .path("versions")
                .path(0);
        out.println("  churn-warning win-back (流失预警召回): enters with the churn warning → SMS → 7 days for an"
                + " order, else a coupon to the valuable");
        ok &= check(out, "entered", winBack, atRisk, "profiles the churn warning found at the clock");
        row(
                out,
                "waiting",
                "%,d for an order (their 7 days end after the clock)",
                node(wb, "bought").path("waiting").asLong());
        messages(out, wb);

        // who a broadcast to the same audience would reach now: the send checks, nothing sent
        JsonNode preview = JSON.readTree(api.expect(
                "POST",
                "/api/v1/broadcasts/preview",
                JSON.createObjectNode()
                        .put("audience", CHURN_AUDIENCE)
                        .put("channel", "sms")
                        .put("template", "winback_coupon")
                        .put("sender", SENDER)
                        .toString(),
                200));
        out.println("  broadcast preview (人群广播预览): an SMS to everyone in churn-warning, checked now, nothing sent");
        ok &= check(out, "members", preview.path("members").asLong(), atRisk, "the churn warning's audience");
        List<String> held = new ArrayList<>();
        preview.path("suppressed")
                .properties()
                .forEach(e -> held.add(String.format(
                        Locale.ROOT, "%s %,d", e.getKey(), e.getValue().asLong())));
        row(
                out,
                "reach",
                "%,d reachable · %,d after quiet hours · %,d without a number · held back: %s",
                preview.path("reachable").asLong(),
                preview.path("deferred").asLong(),
                preview.path("noAddress").asLong(),
                held.isEmpty() ? "none" : String.join(", ", held));
        return ok;
    }

    private static long entered(JsonNode stats) {
        long total = 0;
        for (JsonNode v : stats.path("versions")) {
            total += node(v, "start").path("enteredProfiles").asLong();
        }
        return total;
    }

    private static JsonNode node(JsonNode version, String id) {
        for (JsonNode n : version.path("nodes")) {
            if (n.path("node").asText().equals(id)) {
                return n;
            }
        }
        return JSON.createObjectNode();
    }

    private static void messages(PrintStream out, JsonNode version) {
        Map<String, Long> messages = new TreeMap<>();
        version.path("messages")
                .properties()
                .forEach(e -> messages.put(e.getKey(), e.getValue().asLong()));
        List<String> reasons = new ArrayList<>();
        version.path("suppressions")
                .properties()
                .forEach(e -> reasons.add(String.format(
                        Locale.ROOT, "%s %,d", e.getKey(), e.getValue().asLong())));
        row(
                out,
                "messages",
                "%,d sent · %,d suppressed · %,d failed",
                messages.getOrDefault("sent", 0L),
                messages.getOrDefault("suppressed", 0L),
                messages.getOrDefault("failed", 0L));
        row(out, "suppressed", "%s", reasons.isEmpty() ? "none" : String.join(" · ", reasons));
    }

    private static boolean experiment(PrintStream out, JsonNode results) {
        boolean ok = true;
        for (JsonNode split : results.path("splits")) {
            for (JsonNode arm : split.path("arms")) {
                String against = arm.path("control").asBoolean()
                        ? "the control"
                        : arm.has("lift")
                                ? String.format(
                                        Locale.ROOT,
                                        "lift %+.2f pp [%+.2f, %+.2f], p %.3f: %s",
                                        100 * arm.path("lift").asDouble(),
                                        100 * arm.path("ciLow").asDouble(),
                                        100 * arm.path("ciHigh").asDouble(),
                                        arm.path("p").asDouble(),
                                        arm.path("verdict").asText())
                                : arm.path("verdict").asText();
                row(
                        out,
                        "arm " + arm.path("name").asText(),
                        "%,6d exposed (weight %d) · %,5d converted (%.2f %%) · %s",
                        arm.path("exposures").asLong(),
                        arm.path("weight").asInt(),
                        arm.path("conversions").asLong(),
                        100 * arm.path("rate").asDouble(),
                        against);
            }
            boolean mismatch = split.path("sampleRatioMismatch").asBoolean();
            row(
                    out,
                    "sample ratio",
                    "%s χ² %.2f, p %.3f against the weights",
                    mismatch ? "✗" : "✓",
                    split.path("sampleRatioChiSquare").asDouble(),
                    split.path("sampleRatioP").asDouble());
            ok &= !mismatch;
        }
        return ok;
    }

    private static boolean check(PrintStream out, String label, long actual, long expected, String what) {
        boolean ok = actual == expected;
        row(out, label, "%,d  %s %s: %,d", actual, ok ? "✓" : "✗", what, expected);
        return ok;
    }

    private static void row(PrintStream out, String label, String format, Object... args) {
        out.printf(Locale.ROOT, "  %-13s %s%n", label, String.format(Locale.ROOT, format, args));
    }

    /** The gateway as a signed-in user. */
    static final class Api {
        private final HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        private final URI gateway;
        private final String token;

        Api(URI gateway, String token) {
            this.gateway = gateway;
            this.token = token;
        }

        HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(gateway.resolve(path))
                    .header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(120));
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body));
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        String expect(String method, String path, String body, int status) throws IOException, InterruptedException {
            HttpResponse<String> response = send(method, path, body);
            if (response.statusCode() != status) {
                throw new IllegalStateException(
                        method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        }

        JsonNode get(String path) throws IOException, InterruptedException {
            return JSON.readTree(expect("GET", path, null, 200));
        }
    }
}
