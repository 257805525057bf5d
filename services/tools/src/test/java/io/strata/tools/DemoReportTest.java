package io.strata.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoReportTest {

    @TempDir
    Path tmp;

    @Test
    void reportsTheSummaryAsTheGatewayGivesItNextToWhatWasPlanted() throws Exception {
        assertEquals(
                0,
                new CommandLine(new StrataTools())
                        .execute("generate", "--seed", "5", "--consumers", "300", "--out", tmp.toString()));
        AtomicReference<String> authorization = new AtomicReference<>();
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/api/v1/profiles/summary", exchange -> {
            try (exchange) {
                authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
                byte[] body = """
                        {"profiles":300,"knownProfiles":280,"anonymousProfiles":20,
                         "identities":{"anonymousId":410,"userId":280},"merges":12,"events":9100,
                         "topEvents":[{"name":"Content Viewed","events":4000,"profiles":250}],
                         "firstSeen":"2025-11-01T02:00:00Z","lastSeen":"2026-10-31T15:00:00Z"}
                        """.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        tagEndpoints(gateway);
        Map<String, Long> sizes = plantedSizes();
        segmentEndpoints(gateway, sizes);
        modelEndpoints(gateway, 0, 0);
        insightEndpoints(gateway, sizes, 0);
        crowdEndpoints(gateway, 0);
        gateway.start();
        String text = reportWithTruths(gateway, 0);
        assertEquals("Bearer t0k", authorization.get());
        assertTrue(text.contains("300  (280 known"), text);
        assertTrue(text.contains("anonymousId 410 · userId 280"), text);
        assertTrue(text.contains("from 2025-11-01 to 2026-10-31"), text);
        assertTrue(text.contains("Content Viewed"), text);
        assertTrue(text.contains("精致妈妈"), "the crowds planted: " + text);
        assertTrue(text.contains("skincare+masks lift"), "the category pairs planted: " + text);
        assertTrue(text.contains("BG/NBD r 0.90"), text);
        assertTrue(!text.contains("\"schema\""), "the answer file is summarised, not dumped: " + text);
        assertTrue(text.contains("2 tags: 1 manual · 1 rule"), text);
        assertTrue(text.contains("1 of 1 rule tags hold on some profile"), text);
        assertTrue(text.contains("female 60% · male 33%"), text);
        assertTrue(
                text.contains("✓ crowd GEN_Z " + String.format(java.util.Locale.ROOT, "%,d", sizes.get("demo-gen-z"))),
                text);
        assertTrue(text.contains("✓ buyers"), text);
        assertTrue(text.contains("✓ the generator's rule finds"), text);
        assertTrue(text.contains("(planted 0.900 ✓)"), text);
        assertTrue(text.contains("✓ a direct count over the generated events"), text);
        assertTrue(text.contains("parenting") && text.contains("✓ planted"), text);
        assertTrue(text.contains("skincare → masks") && text.contains("✓ as generated"), text);
        assertTrue(text.contains("✓ 4 by silhouette"), text);
        assertTrue(text.contains("✓ 精致妈妈"), text);
        assertTrue(text.contains("✓ positive_unlabeled"), text);
        assertTrue(!text.contains("✗"), text);
    }

    @Test
    void anotherNumberOfCustomCrowdsThanPlantedFailsTheReport() throws Exception {
        assertEquals(
                0,
                new CommandLine(new StrataTools())
                        .execute("generate", "--seed", "5", "--consumers", "300", "--out", tmp.toString()));
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        respond(gateway, "/api/v1/profiles/summary", "{\"profiles\":300}");
        tagEndpoints(gateway);
        Map<String, Long> sizes = plantedSizes();
        segmentEndpoints(gateway, sizes);
        modelEndpoints(gateway, 0, 0);
        insightEndpoints(gateway, sizes, 0);
        crowdEndpoints(gateway, 1);
        gateway.start();
        String text = reportWithTruths(gateway, 1);
        assertTrue(text.contains("✗ 5 by silhouette"), text);
    }

    /**
     * The crowd analyses as the gateway answers them: the planted number of custom crowds (plus
     * {@code countOff}); a funnel whose chains and core K are the planted ones.
     */
    private void crowdEndpoints(HttpServer gateway, int countOff) throws java.io.IOException {
        JsonNode answers =
                new ObjectMapper().readTree(tmp.resolve("truths.json").toFile());
        int count = answers.path("custom_crowds").path("count").asInt() + countOff;
        StringBuilder scores = new StringBuilder();
        StringBuilder crowds = new StringBuilder();
        for (int k = 1; k <= count; k++) {
            scores.append(k == 1 ? "" : ",").append("{\"k\":").append(k).append(",\"silhouette\":0.5,\"gap\":1}");
            crowds.append(k == 1 ? "" : ",")
                    .append("{\"number\":")
                    .append(k)
                    .append(",\"members\":\"10\",\"penetration\":0.1,\"topCategories\":[\"makeup\"]}");
        }
        respond(
                gateway,
                "/api/v1/crowds/custom",
                "{\"microGroups\":\"50\",\"consumers\":\"300\",\"clustered\":\"20\",\"chosen\":" + count
                        + ",\"scores\":[" + scores + "],\"crowds\":[" + crowds + "]}");
        Map<String, Double> shares = new HashMap<>();
        answers.path("crowds")
                .path("rules")
                .forEach(r ->
                        shares.put(r.path("crowd").asText(), r.path("share").asDouble()));
        StringBuilder trends = new StringBuilder("{\"periods\":[\"2026-11-01\"],\"crowds\":[");
        List<DemoReport.StandardCrowd> standard = DemoReport.standardCrowds(
                java.time.LocalDate.parse(answers.path("crowds").path("age_on").asText()));
        for (int i = 0; i < standard.size(); i++) {
            trends.append(i == 0 ? "" : ",")
                    .append("{\"segmentId\":\"")
                    .append(standard.get(i).id())
                    .append("\",\"points\":[{\"period\":\"2026-11-01\",\"penetration\":")
                    .append(shares.get(standard.get(i).key()))
                    .append("}]}");
        }
        respond(gateway, "/api/v1/crowds/trends", trends.append("]}").toString());
        JsonNode funnel = answers.path("reverse_funnel");
        double k = funnel.path("viral_coefficient").asDouble();
        respond(
                gateway,
                "/api/v1/reverse-funnel",
                "{\"profiles\":\"300\",\"method\":\"positive_unlabeled\",\"tiers\":[{\"tier\":\"core\",\"size\":\"9\"},"
                        + "{\"tier\":\"high_potential\",\"size\":\"36\"},{\"tier\":\"broad\",\"size\":\"255\"}],"
                        + "\"quality\":{\"hidden\":2,\"found\":2,\"k\":36,\"recallAtK\":1,\"liftAtK\":8,\"baseRate\":0.01},"
                        + "\"referrals\":{\"referred\":\""
                        + funnel.path("high_potential").path("count").asLong()
                        + "\",\"maxDepth\":" + funnel.path("max_depth").asInt() + ",\"byDepth\":[\"9\"],"
                        + "\"cohorts\":[{\"cohort\":\"core\",\"k\":" + k + ",\"kLow\":" + (k - 0.5) + ",\"kHigh\":"
                        + (k + 0.5) + "}]}}");
    }

    @Test
    void aLiftOtherThanGeneratedFailsTheReport() throws Exception {
        assertEquals(
                0,
                new CommandLine(new StrataTools())
                        .execute("generate", "--seed", "5", "--consumers", "300", "--out", tmp.toString()));
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        respond(gateway, "/api/v1/profiles/summary", """
                {"profiles":300,"knownProfiles":280,"anonymousProfiles":20,"identities":{},"merges":0,
                 "events":9100,"topEvents":[]}""");
        tagEndpoints(gateway);
        Map<String, Long> sizes = plantedSizes();
        segmentEndpoints(gateway, sizes);
        modelEndpoints(gateway, 0, 0);
        insightEndpoints(gateway, sizes, 0.01);
        crowdEndpoints(gateway, 0);
        gateway.start();
        String text = reportWithTruths(gateway, 1);
        assertTrue(text.contains("generated"), text);
        assertTrue(text.lines().filter(l -> l.contains("✗")).allMatch(l -> l.contains("→")), text);
    }

    @Test
    void anAudienceOfAnotherSizeThanPlantedFailsTheReport() throws Exception {
        // one profile more in an audience, and one more at risk than the generator's rule finds
        String text = reportAgainstAGatewayOff("demo-small-town-youth", 1, 0);
        assertTrue(text.contains("✗ crowd SMALL_TOWN_YOUTH"), text);
        assertTrue(text.contains("✗ the generator's rule finds"), text);
    }

    @Test
    void aiplStagesOtherThanTheDirectCountFailTheReport() throws Exception {
        // everything as planted but one consumer fewer in awareness
        String text = reportAgainstAGatewayOff(null, 0, 1);
        assertTrue(text.contains("✗ a direct count over the generated events"), text);
        assertEquals(1, text.split("✗", -1).length - 1, "the only failure: " + text);
    }

    /**
     * The report (expected to fail) against a fake gateway holding what was planted but for one
     * profile more in {@code biggerAudience} (if any), {@code extraAtRisk} more at risk and
     * {@code awarenessShort} fewer in AIPL's awareness.
     */
    private String reportAgainstAGatewayOff(String biggerAudience, long extraAtRisk, long awarenessShort)
            throws Exception {
        assertEquals(
                0,
                new CommandLine(new StrataTools())
                        .execute("generate", "--seed", "5", "--consumers", "300", "--out", tmp.toString()));
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        respond(gateway, "/api/v1/profiles/summary", """
                {"profiles":300,"knownProfiles":280,"anonymousProfiles":20,"identities":{},"merges":0,
                 "events":9100,"topEvents":[]}""");
        tagEndpoints(gateway);
        Map<String, Long> sizes = plantedSizes();
        if (biggerAudience != null) {
            sizes.merge(biggerAudience, 1L, Long::sum);
        }
        segmentEndpoints(gateway, sizes);
        modelEndpoints(gateway, extraAtRisk, awarenessShort);
        insightEndpoints(gateway, sizes, 0);
        crowdEndpoints(gateway, 0);
        gateway.start();
        return reportWithTruths(gateway, 1);
    }

    /** Runs the report with the generated truths against the started fake gateway (stopped after); what it printed. */
    private String reportWithTruths(HttpServer gateway, int exit) {
        // no journeys here (the fake gateway answers 404): the report leaves the journey clock alone
        DemoReport report = new DemoReport();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        report.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        try {
            assertEquals(
                    exit,
                    new CommandLine(report)
                            .execute(
                                    "--gateway",
                                    "http://127.0.0.1:" + gateway.getAddress().getPort(),
                                    "--token",
                                    "t0k",
                                    "--truths",
                                    tmp.resolve("truths.json").toString()));
        } finally {
            gateway.stop(0);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** The sizes the demo's audiences have when the pipeline holds exactly what was planted. */
    private Map<String, Long> plantedSizes() throws Exception {
        JsonNode answers =
                new ObjectMapper().readTree(tmp.resolve("truths.json").toFile());
        Map<String, Long> sizes = new HashMap<>();
        for (DemoReport.DemoSegment segment : DemoReport.demoSegments(answers)) {
            sizes.put(segment.id(), segment.truth() >= 0 ? segment.truth() : 42L);
        }
        return sizes;
    }

    /** Audiences as the gateway keeps them: made by POST, live at once with these sizes. */
    private static void segmentEndpoints(HttpServer gateway, Map<String, Long> sizes) {
        gateway.createContext("/api/v1/segments", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (exchange.getRequestMethod().equals("POST") && path.equals("/api/v1/segments")) {
                    exchange.getRequestBody().readAllBytes();
                    exchange.sendResponseHeaders(201, -1);
                    return;
                }
                String id = path.substring("/api/v1/segments/".length());
                byte[] body = ("{\"id\":\"" + id + "\",\"state\":\"active\",\"size\":\"" + sizes.get(id)
                                + "\",\"freshness\":{\"complete\":true,"
                                + "\"lastFullEvaluationAt\":\"2026-12-03T00:00:00Z\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
    }

    /**
     * A model run as the gateway answers it: at once done, with the truths' churn cohort (plus
     * {@code extraAtRisk}), their AIPL counts and the planted CLV parameters, each with a small error.
     */
    private void modelEndpoints(HttpServer gateway, long extraAtRisk, long awarenessShort) throws Exception {
        JsonNode answers =
                new ObjectMapper().readTree(tmp.resolve("truths.json").toFile());
        com.fasterxml.jackson.databind.node.ObjectNode run = new ObjectMapper().createObjectNode();
        run.put("id", "r1").put("status", "done").put("profiles", "300").put("durationMs", "12");
        com.fasterxml.jackson.databind.node.ObjectNode counts = run.putObject("counts");
        counts.putObject("churn_risk")
                .putObject("counts")
                .put(
                        "true",
                        String.valueOf(
                                answers.path("churn").path("observed_by_rule").asLong() + extraAtRisk));
        com.fasterxml.jackson.databind.node.ObjectNode aipl =
                counts.putObject("aipl_stage").putObject("counts");
        answers.path("aipl")
                .path("counts")
                .properties()
                .forEach(e -> aipl.put(
                        e.getKey(),
                        String.valueOf(e.getValue().asLong() - (e.getKey().equals("awareness") ? awarenessShort : 0))));
        com.fasterxml.jackson.databind.node.ObjectNode clv = run.putObject("clv");
        clv.put("fitted", true);
        for (String name : new String[] {"r", "alpha", "a", "b"}) {
            double planted = answers.path("clv").path("bgnbd").path(name).asDouble();
            clv.put(name, planted * 1.01);
            clv.withArray("bgnbdStandardErrors").add(planted * 0.05);
        }
        for (String name : new String[] {"p", "q", "gamma"}) {
            double planted = answers.path("clv").path("gamma_gamma").path(name).asDouble();
            clv.put(name, planted * 0.99);
            clv.withArray("gammaGammaStandardErrors").add(planted * 0.05);
        }
        gateway.createContext("/api/v1/models/runs", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                boolean start = exchange.getRequestMethod().equals("POST");
                byte[] body = (start ? "{\"id\":\"r1\",\"status\":\"running\"}" : run.toString())
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(start ? 202 : 200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        respond(gateway, "/api/v1/models/aipl/flows", """
                {"fertility":"200","advancing":0.1,"superiority":"50","thriving":0.3}""");
    }

    /** The catalog of two tags, and their counts on the 300 profiles of the summary. */
    /**
     * insight-service as the gateway answers it once caught up: each crowd's planted features with
     * the generated TGI and an interval of ±10 % of the planted one around it, the planted pairs as
     * rules with their generated lift (plus {@code liftOff}).
     */
    private void insightEndpoints(HttpServer gateway, Map<String, Long> sizes, double liftOff) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode answers = mapper.readTree(tmp.resolve("truths.json").toFile());
        respond(gateway, "/api/v1/insight/status", "{\"caughtUp\": true, \"events\": \"9100\"}");
        gateway.createContext("/api/v1/insight/tgi", exchange -> {
            try (exchange) {
                String audience = mapper.readTree(exchange.getRequestBody())
                        .path("audience")
                        .asText();
                String crowd = DemoReport.INSIGHT_CROWDS.entrySet().stream()
                        .filter(e -> e.getValue().equals(audience))
                        .findFirst()
                        .orElseThrow()
                        .getKey();
                var body = mapper.createObjectNode();
                body.put("audienceSize", String.valueOf(sizes.get(audience)));
                body.put("baseSize", "300");
                var rows = body.putArray("rows");
                for (JsonNode plant : answers.path("tgi").path("planted")) {
                    if (plant.path("crowd").asText().equals(crowd)) {
                        double planted = plant.path("planted_tgi").asDouble();
                        rows.addObject()
                                .put("dimension", plant.path("dimension").asText())
                                .put("value", plant.path("value").asText())
                                .put("index", plant.path("observed_tgi").asDouble())
                                .put("lower", planted * 0.9)
                                .put("upper", planted * 1.1)
                                .put("q", 1e-6);
                    }
                }
                byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        var rules = mapper.createObjectNode();
        rules.put(
                "baskets",
                String.valueOf(answers.path("association").path("orders").asLong()));
        rules.put("rulesTotal", "12");
        var list = rules.putArray("rules");
        for (JsonNode pair : answers.path("association").path("planted_pairs")) {
            var rule = list.addObject();
            rule.putArray("antecedent").add(pair.path("a").asText());
            rule.putArray("consequent").add(pair.path("b").asText());
            rule.put("lift", pair.path("observed_lift").asDouble() + liftOff);
            rule.put("confidence", pair.path("observed_confidence_a_to_b").asDouble());
            rule.put("support", pair.path("observed_support").asDouble());
        }
        respond(gateway, "/api/v1/insight/association-rules", rules.toString());
    }

    private static void tagEndpoints(HttpServer gateway) {
        respond(gateway, "/api/v1/tags", """
                {"definitions":[{"key":"gender","kind":"rule","category":"demographic/basic"},
                                {"key":"vip","kind":"manual","category":"value/vip"}]}""");
        respond(gateway, "/api/v1/tags/counts", """
                {"profiles":"300","tags":[{"key":"gender","profiles":"280","values":{"female":"180","male":"100"}}]}""");
    }

    private static void respond(HttpServer gateway, String path, String json) {
        gateway.createContext(path, exchange -> {
            try (exchange) {
                byte[] body = json.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
    }

    @Test
    void everyConsumerPlantedOnSeveralDevicesMustBeOneProfile() throws Exception {
        assertEquals(
                0,
                new CommandLine(new StrataTools())
                        .execute("generate", "--seed", "7", "--consumers", "200", "--out", tmp.toString()));
        // the profile of each identifier, as a correct identity resolution makes them
        Map<String, String> profileOf = new HashMap<>();
        List<String> multi = new ArrayList<>();
        java.util.Set<String> junk = new java.util.HashSet<>();
        try (var parser = org.apache.commons.csv.CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(Files.newBufferedReader(tmp.resolve("consumers.csv")))) {
            for (var record : parser) {
                String user = record.get("user_id");
                profileOf.put("userId=" + user, "p-" + user);
                String[] devices = record.get("device_ids").split(" ");
                for (String device : devices) {
                    // a junk device id (the same on many devices) is no identifier: it finds nothing
                    String before = profileOf.putIfAbsent("deviceId=" + device, "p-" + user);
                    if (before != null && !before.equals("p-" + user)) {
                        junk.add("deviceId=" + device);
                    }
                }
                if (devices.length >= 2 && !junk.contains("deviceId=" + devices[1])) {
                    multi.add(devices[1]);
                }
            }
        }
        junk.forEach(profileOf::remove);
        assertTrue(multi.size() >= 2, "the generator plants consumers on several devices");
        Report whole = report(profileOf);
        assertEquals(0, whole.exit, whole.text);
        assertTrue(
                whole.text.contains("✓ " + multi.size() + " consumers planted on 2+ devices: " + multi.size()
                        + " one profile each, 0 split"),
                whole.text);
        // one device joined to the wrong consumer: split, and the report fails
        profileOf.put("deviceId=" + multi.get(0), "p-someone-else");
        Report broken = report(profileOf);
        assertEquals(1, broken.exit);
        assertTrue(broken.text.contains("✗") && broken.text.contains(", 1 split"), broken.text);
    }

    private record Report(int exit, String text) {}

    private Report report(Map<String, String> profileOf) throws Exception {
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        respond(gateway, "/api/v1/profiles/summary", "{\"profiles\":200}");
        tagEndpoints(gateway);
        gateway.createContext("/api/v1/profiles", exchange -> {
            try (exchange) {
                String query =
                        java.net.URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
                String id = profileOf.get(query);
                // a profile lists its device ids: those the resolution joined to it
                StringBuilder devices = new StringBuilder();
                profileOf.forEach((identifier, profile) -> {
                    if (identifier.startsWith("deviceId=") && profile.equals(id)) {
                        devices.append(devices.isEmpty() ? "" : ",")
                                .append("{\"type\":\"deviceId\",\"value\":\"")
                                .append(identifier.substring("deviceId=".length()))
                                .append("\"}");
                    }
                });
                byte[] body = (id == null
                                ? "{\"items\":[]}"
                                : "{\"items\":[{\"id\":\"" + id + "\",\"identities\":[" + devices + "]}]}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        gateway.start();
        DemoReport report = new DemoReport();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        report.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        try {
            int exit = new CommandLine(report)
                    .execute(
                            "--gateway",
                            "http://127.0.0.1:" + gateway.getAddress().getPort(),
                            "--token",
                            "t0k",
                            "--consumers",
                            tmp.resolve("consumers.csv").toString());
            return new Report(exit, printed.toString(StandardCharsets.UTF_8));
        } finally {
            gateway.stop(0);
        }
    }

    @Test
    void aRefusalOfTheGatewayIsAFailure() throws Exception {
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(401, -1);
            }
        });
        gateway.start();
        try {
            assertEquals(
                    1,
                    new CommandLine(new DemoReport())
                            .execute(
                                    "--gateway",
                                    "http://127.0.0.1:" + gateway.getAddress().getPort(),
                                    "--token",
                                    "expired"));
        } finally {
            gateway.stop(0);
        }
    }

    @Test
    void theReportsAdjustedRandIndexIsTheServicesOnATextbookPair() {
        // (1,1,1,2,2) against (1,1,2,2,2): 1/6; the same grouping under other names: 1
        assertEquals(
                1.0 / 6,
                io.strata.segmentation.crowds.AdjustedRand.index(new int[] {1, 1, 1, 2, 2}, new int[] {1, 1, 2, 2, 2}),
                1e-12);
        assertEquals(
                1.0,
                io.strata.segmentation.crowds.AdjustedRand.index(new int[] {1, 1, 2, 2}, new int[] {7, 7, 3, 3}),
                1e-12);
    }
}
