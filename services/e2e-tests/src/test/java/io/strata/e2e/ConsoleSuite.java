package io.strata.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.testing.KafkaGroups;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalStack;
import io.strata.testing.ServiceProcess;
import io.strata.tools.DemoJourneys;
import io.strata.tools.DemoReport;
import io.strata.tools.DemoReport.DemoSegment;
import io.strata.tools.GenerateCommand;
import io.strata.tools.PipelineWait;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import picocli.CommandLine;

/**
 * The whole suite as the console sees it, for a browser test: all seven packaged services
 * (ingestion, dedup, profile, segmentation, insight, campaign, gateway) started as processes, wired
 * to one another on ports of their own (HTTP 28600–28606, management 29600–29606, ingestion's gRPC
 * 28611), against the test databases, topics of this run only ({@code test.strata.console.<run>.*})
 * and the local Keycloak; then the demo brand loaded through ingestion, as {@code ./strata demo} does.
 *
 * <p>Why each run starts from nothing:
 *
 * <ul>
 *   <li>its own topics and consumer groups: no record of an earlier run or of another test reaches
 *       the services, and the insight store (a directory of the run's) holds the brand alone;
 *   <li>the test databases emptied first: the console signs in to tenant {@code demo}, which other
 *       end-to-end tests also write to, and profile-service remembers the ids of the events it
 *       applied (a week): a brand sent again with the same seed would be dropped as redeliveries.
 *       The tests run one after the other (failsafe, one JVM), so nothing else uses these databases
 *       meanwhile.
 * </ul>
 *
 * <p>Typical use: {@link #start()}, {@link #publishDemoJourneys()} (before the history, as the demo
 * does), {@link #loadDemoBrand}, {@link #defineDemoAudiences}, {@link #awaitInsight}; {@link
 * #processes()} for {@code ServiceLogsOnFailure}; {@link #stop()} at the end.
 */
public final class ConsoleSuite implements AutoCloseable {

    /** The tenant of the demo users (alice, mia, ana, vic) and of the demo brand. */
    public static final String TENANT = "demo";

    /** The admin of tenant demo, who sets the demo up (as {@code ./strata demo} does). */
    public static final String ADMIN = "alice";

    /** What a failed test prints of the services' logs (see {@code ServiceLogsOnFailure}). */
    public static final Pattern LOG_LINES = Pattern.compile(" WARN | ERROR |FeedLoop");

    /**
     * Consumers of the demo brand that keep the planted answers clear yet load fast on two cores
     * (about 30 events each: some 60,000 events): see {@link #expectedTopFeature}.
     */
    public static final int CONSUMERS = 2_000;

    /** The generator's default seed, the demo's. */
    public static final long SEED = 42;

    // HTTP ports; ServiceProcess serves management (health, metrics) on each + 1000
    private static final int GATEWAY = 28600;
    private static final int INGESTION = 28601;
    private static final int PROFILE = 28602;
    private static final int SEGMENTATION = 28603;
    private static final int INSIGHT = 28604;
    private static final int CAMPAIGN = 28605;
    private static final int DEDUP = 28606;
    private static final int INGESTION_GRPC = 28611;
    /** The gateway serves no gRPC, but its settings name a port: one no running stack holds. */
    private static final int GATEWAY_GRPC = 28690;

    private static final Duration READY = Duration.ofSeconds(120);
    private static final Duration CATCH_UP = Duration.ofMinutes(5);
    private static final Path ROOT = Path.of(System.getProperty("strata.root", "../.."));
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The databases the services own, emptied before they start. */
    private static final List<String> DATABASES =
            List.of("ingestion", "profile", "segmentation", "insight", "campaign");
    /** A feature held by fewer base members than this has no index (insight-service's default minBase). */
    private static final long MIN_BASE = 50;
    /** The 97.5th percentile of the standard normal: insight-service's 95 % intervals. */
    private static final double Z_95 = 1.959963984540054;

    private static final Pattern SEGMENT_REFERENCE = Pattern.compile("\"segment\"\\s*:\\s*\"([^\"]+)\"");

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String writeKey = "console-" + UUID.randomUUID();

    private final String incoming = topic("events.incoming.v1");
    private final String events = topic("events.v1");
    private final String deadLetters = topic("events.dlq.v1");
    private final String profileEvents = topic("profile-events.v1");
    private final String profileChanges = topic("profile-changes.v1");
    private final String membership = topic("segment-membership.v1");
    private final String messages = topic("messages.v1");

    private final String dedupApplication = "strata-dedup-console-" + run;
    private final String profileGroup = "profile-service-console-" + run;
    private final String segmentationGroup = "segmentation-service-console-" + run;
    private final String insightGroup = "insight-service-console-" + run;
    private final String campaignGroup = "campaign-service-console-" + run;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<ServiceProcess> processes = new ArrayList<>();
    private boolean stopped;

    private ConsoleSuite() {}

    /**
     * Creates the run's topics, empties the test databases and starts the seven services (at once:
     * each is ready within two minutes). Whatever fails, what was started is stopped again.
     */
    public static ConsoleSuite start() {
        ConsoleSuite suite = new ConsoleSuite();
        try {
            suite.startServices();
            return suite;
        } catch (RuntimeException | Error e) {
            suite.stop();
            throw e;
        }
    }

    private void startServices() {
        LocalStack.requireKafkaAndPostgres();
        // fails fast, with what to do, when Keycloak or its secrets are missing
        token(ADMIN);
        createTopics();
        for (String database : DATABASES) {
            LocalStack.emptyTestDatabase(database, "strata_" + database, "strata");
        }
        Path work = workDir();
        processes.addAll(List.of(
                ingestionService(),
                dedupService(work.resolve("dedup-state")),
                profileService(),
                segmentationService(),
                insightService(work.resolve("insight-store")),
                campaignService(),
                gatewayService()));
        // none needs another to be ready: gRPC clients connect on their first call, and every feed
        // consumer of a new group starts at the beginning of its topics
        try (ExecutorService starting = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ServiceProcess>> ready = new ArrayList<>();
            for (ServiceProcess process : processes) {
                ready.add(starting.submit(() -> process.start(READY)));
            }
            for (Future<ServiceProcess> f : ready) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    // ---- the services ----

    private ServiceProcess ingestionService() {
        return withDatabase(new ServiceProcess(ROOT, "ingestion-service", INGESTION), "ingestion")
                .property("quarkus.grpc.server.port", Integer.toString(INGESTION_GRPC))
                .property("strata.ingestion.topic", incoming)
                // the demo tenant's source, with a key of this run's: the brand is sent with it
                .property("strata.ingestion.bootstrap.enabled", "true")
                .property("strata.ingestion.bootstrap.tenant", TENANT)
                .property("strata.ingestion.bootstrap.source-name", "console-" + run)
                .secret("STRATA_INGESTION_BOOTSTRAP_WRITE_KEY", writeKey);
    }

    private ServiceProcess dedupService(Path stateDir) {
        return common(new ServiceProcess(ROOT, "dedup-service", DEDUP))
                .property("quarkus.kafka-streams.application-id", dedupApplication)
                .property("strata.dedup.input-topic", incoming)
                .property("strata.dedup.output-topic", events)
                .property("strata.dedup.dead-letter-topic", deadLetters)
                .property("STRATA_DEDUP_STATE_DIR", stateDir.toString())
                // a stopped instance leaves the group at once
                .property("kafka-streams.consumer.internal.leave.group.on.close", "true");
    }

    private ServiceProcess profileService() {
        return withDatabase(new ServiceProcess(ROOT, "profile-service", PROFILE), "profile")
                .property("mp.messaging.incoming.events.topic", events)
                .property("mp.messaging.incoming.events.group.id", profileGroup)
                .property("strata.profile.dead-letter-topic", deadLetters)
                .property("strata.profile.feed.profile-events-topic", profileEvents)
                .property("strata.profile.feed.profile-changes-topic", profileChanges);
    }

    private ServiceProcess segmentationService() {
        return withDatabase(new ServiceProcess(ROOT, "segmentation-service", SEGMENTATION), "segmentation")
                .secret(
                        "STRATA_SEGMENTATION_SERVICE_CLIENT_SECRET",
                        KeycloakTokens.secret("strata-segmentation-service"))
                .property("PROFILE_SERVICE_HOST", "127.0.0.1")
                .property("PROFILE_SERVICE_PORT", Integer.toString(PROFILE))
                .property("strata.segmentation.feed.profile-changes-topic", profileChanges)
                .property("strata.segmentation.feed.profile-events-topic", profileEvents)
                .property("strata.segmentation.feed.membership-topic", membership)
                .property("strata.segmentation.feed.group", segmentationGroup)
                .property("strata.segmentation.dead-letter-topic", deadLetters)
                // the demo's models run as of the brand's last day when asked, never on the wall clock
                // in the middle of loading (as ./strata demo sets it)
                .property("strata.segmentation.models.run-every", "0S");
    }

    private ServiceProcess insightService(Path store) {
        return withDatabase(new ServiceProcess(ROOT, "insight-service", INSIGHT), "insight")
                .secret("STRATA_INSIGHT_SERVICE_CLIENT_SECRET", KeycloakTokens.secret("strata-insight-service"))
                .property("strata.insight.store.dir", store.toString())
                .property("strata.insight.store.memory-limit", "512MB")
                .property("strata.insight.feed.profile-events-topic", profileEvents)
                .property("strata.insight.feed.profile-changes-topic", profileChanges)
                .property("strata.insight.feed.membership-topic", membership)
                .property("strata.insight.feed.group", insightGroup)
                .property("strata.insight.feed.flush-every", "PT0.5S")
                // feature bitmaps rebuilt on the next question once the store changed, not 30 s later
                .property("strata.insight.tgi.refresh", "0S")
                .property("strata.insight.dead-letter-topic", deadLetters);
    }

    private ServiceProcess campaignService() {
        return withDatabase(new ServiceProcess(ROOT, "campaign-service", CAMPAIGN), "campaign")
                .secret("STRATA_CAMPAIGN_SERVICE_CLIENT_SECRET", KeycloakTokens.secret("strata-campaign-service"))
                .property("PROFILE_SERVICE_HOST", "127.0.0.1")
                .property("PROFILE_SERVICE_PORT", Integer.toString(PROFILE))
                .property("SEGMENTATION_SERVICE_HOST", "127.0.0.1")
                .property("SEGMENTATION_SERVICE_PORT", Integer.toString(SEGMENTATION))
                .property("strata.campaign.feed.membership-topic", membership)
                .property("strata.campaign.feed.profile-events-topic", profileEvents)
                .property("strata.campaign.feed.profile-changes-topic", profileChanges)
                .property("strata.campaign.feed.group", campaignGroup)
                .property("strata.campaign.messages-topic", messages)
                .property("strata.campaign.dead-letter-topic", deadLetters);
    }

    private ServiceProcess gatewayService() {
        return common(new ServiceProcess(ROOT, "gateway", GATEWAY))
                .secret("STRATA_GATEWAY_CLIENT_SECRET", KeycloakTokens.gatewaySecret())
                .property("quarkus.grpc.server.port", Integer.toString(GATEWAY_GRPC))
                .property("PROFILE_SERVICE_HOST", "127.0.0.1")
                .property("PROFILE_SERVICE_PORT", Integer.toString(PROFILE))
                .property("SEGMENTATION_SERVICE_HOST", "127.0.0.1")
                .property("SEGMENTATION_SERVICE_PORT", Integer.toString(SEGMENTATION))
                .property("INSIGHT_SERVICE_HOST", "127.0.0.1")
                .property("INSIGHT_SERVICE_PORT", Integer.toString(INSIGHT))
                .property("CAMPAIGN_SERVICE_HOST", "127.0.0.1")
                .property("CAMPAIGN_SERVICE_PORT", Integer.toString(CAMPAIGN))
                .property("INGESTION_SERVICE_HOST", "127.0.0.1")
                .property("INGESTION_SERVICE_GRPC_PORT", Integer.toString(INGESTION_GRPC));
    }

    /** The local Kafka and Keycloak, as every service reaches them. */
    private static ServiceProcess common(ServiceProcess process) {
        return process.property("KAFKA_BOOTSTRAP_SERVERS", LocalStack.kafkaBootstrapServers())
                .property("OIDC_AUTH_SERVER_URL", KeycloakTokens.issuer());
    }

    /** The service's test database ({@code strata_<db>_test}, role {@code strata_<db>}). */
    private static ServiceProcess withDatabase(ServiceProcess process, String database) {
        return common(process)
                .property("DB_HOST", LocalStack.postgresHost())
                .property("DB_PORT", Integer.toString(LocalStack.postgresPort()))
                .property("DB_NAME", "strata_" + database + "_test")
                .secret("DB_PASSWORD", "strata");
    }

    // ---- what a test uses ----

    /** The gateway, which serves the console at {@code /} and the REST API. */
    public String gatewayUrl() {
        return "http://127.0.0.1:" + GATEWAY;
    }

    /** Ingestion's Segment HTTP API, for a test that sends events of its own (with {@link #writeKey()}). */
    public String ingestionUrl() {
        return "http://127.0.0.1:" + INGESTION;
    }

    /** The write key of this run's source of tenant demo. */
    public String writeKey() {
        return writeKey;
    }

    /** A demo user's access token (alice, mia, ana, vic: tenant demo), fresh from Keycloak. */
    public String token(String user) {
        return KeycloakTokens.accessToken(user);
    }

    /** The services as started, for {@code ServiceLogsOnFailure} (e.g. {@code () -> suite.processes()}). */
    public List<ServiceProcess> processes() {
        return List.copyOf(processes);
    }

    /**
     * The demo's send policy, sender, templates, churn-warning audience and its two journeys,
     * published with the journey clock held at the brand's first day ({@code demo-journeys --phase
     * setup}). Before {@link #loadDemoBrand}, as in the demo: a journey sees only the history sent
     * after it was published.
     */
    public void publishDemoJourneys() {
        int status = new CommandLine(new DemoJourneys())
                .execute("--phase", "setup", "--gateway", gatewayUrl(), "--token", token(ADMIN));
        if (status != 0) {
            throw new IllegalStateException("demo-journeys --phase setup exited with " + status
                    + "; see the logs of campaign-service and gateway");
        }
    }

    /**
     * Generates the demo brand into {@code dir} (orders.csv, consumers.csv, truths.json) and sends
     * its events through this run's ingestion ({@code generate --send}), then waits until the
     * pipeline has caught up: every event read by dedup-service and profile-service, one profile
     * per consumer, the change feed out of profile-service's outbox and read by segmentation-,
     * campaign- and insight-service, and insight's store written.
     *
     * @return the planted answers (truths.json)
     */
    public JsonNode loadDemoBrand(long seed, int consumers, Path dir) {
        int status = new CommandLine(new GenerateCommand())
                .execute(
                        "--seed",
                        Long.toString(seed),
                        "--consumers",
                        Integer.toString(consumers),
                        "--out",
                        dir.toString(),
                        "--send",
                        "--url",
                        ingestionUrl(),
                        "--write-key",
                        writeKey);
        if (status != 0) {
            throw new IllegalStateException("generate --send exited with " + status + " (3: events refused)");
        }
        JsonNode truths = truths(dir);
        long planted = truths.path("counts").path("consumers").asLong();
        pipelineWait(Map.of("dedup-service", dedupApplication, "profile-service", profileGroup));
        // every consumer one profile (its devices joined, no two consumers merged), and all that
        // profile-service announced on Kafka: its outbox is empty once Kafka has acknowledged it
        String token = token(ADMIN);
        await("one profile per consumer, the change feed relayed")
                .atMost(CATCH_UP)
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    assertEquals(
                            planted,
                            get("/api/v1/profiles/summary", token)
                                    .path("profiles")
                                    .asLong(),
                            "profiles");
                    assertEquals(0, profileOutbox(), "records in profile-service's outbox");
                });
        awaitFeedRead();
        return truths;
    }

    /**
     * The members' consent ({@code demo-journeys --phase consents}): SMS and push marketing granted at
     * sign-up, one in 20 replying 退订 later; then waits until the consent changes are on the feed and
     * read. The opt-outs of the replies reach profile-service through campaign-service's relay, about
     * a second later.
     */
    public void recordDemoConsents(Path dir) {
        int status = new CommandLine(new DemoJourneys())
                .execute(
                        "--phase",
                        "consents",
                        "--gateway",
                        gatewayUrl(),
                        "--token",
                        token(ADMIN),
                        "--consumers",
                        dir.resolve("consumers.csv").toString());
        if (status != 0) {
            throw new IllegalStateException("demo-journeys --phase consents exited with " + status
                    + "; see the logs of profile-service, campaign-service and gateway");
        }
        await("the consents relayed")
                .atMost(CATCH_UP)
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertEquals(0, profileOutbox(), "records in profile-service's outbox"));
        awaitFeedRead();
    }

    /**
     * Defines audiences of the demo report ({@link DemoReport#demoSegments}, e.g. {@code
     * demo-refined-mums}, {@code demo-gen-z}: {@link DemoReport#INSIGHT_CROWDS}) exactly as the report
     * does, with the crowds each one's rule refers to (a later crowd excludes the earlier ones), and
     * waits until every one is live over the whole feed.
     *
     * @return each defined audience's size, in the report's order
     */
    public Map<String, Long> defineDemoAudiences(Path dir, String... ids) {
        List<DemoSegment> all = DemoReport.demoSegments(truths(dir));
        Map<String, DemoSegment> byId = new LinkedHashMap<>();
        all.forEach(s -> byId.put(s.id(), s));
        Set<String> wanted = new LinkedHashSet<>();
        for (String id : ids) {
            require(id, byId, wanted);
        }
        String token = token(ADMIN);
        URI url = URI.create(gatewayUrl());
        List<String> defined = new ArrayList<>();
        for (DemoSegment segment : all) {
            if (wanted.contains(segment.id())) {
                try {
                    DemoReport.defineAudience(url, token, segment);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                defined.add(segment.id());
            }
        }
        Map<String, Long> sizes = new LinkedHashMap<>();
        await("the demo audiences live: " + defined)
                .atMost(CATCH_UP)
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    for (String id : defined) {
                        JsonNode segment = get("/api/v1/segments/" + id, token);
                        assertTrue(DemoReport.isLive(segment), id + " live: " + segment.path("freshness"));
                        sizes.put(id, segment.path("size").asLong());
                    }
                });
        return sizes;
    }

    /** Adds the audience and, first, those its definition refers to. */
    private static void require(String id, Map<String, DemoSegment> byId, Set<String> wanted) {
        DemoSegment segment = byId.get(id);
        if (segment == null) {
            throw new IllegalArgumentException("no demo audience " + id + "; there are " + byId.keySet());
        }
        Matcher reference = SEGMENT_REFERENCE.matcher(segment.definition());
        while (reference.find()) {
            require(reference.group(1), byId, wanted);
        }
        wanted.add(id);
    }

    /**
     * Waits until insight-service has read the feed and holds every member of the audience (its
     * memberships come after its definition), as the demo report does, and returns the audience's
     * TGI against every profile over the content dimensions (channel, topic, creator), as the report
     * asks for it: rows ranked as insight-service ranks them, by the lower bound of their interval.
     */
    public JsonNode awaitInsight(String segmentId) {
        String token = token(ADMIN);
        long size = get("/api/v1/segments/" + segmentId, token).path("size").asLong();
        String question = JSON.createObjectNode()
                .put("audience", segmentId)
                .put("base", "all")
                .put("limit", 1000)
                .set(
                        "dimensions",
                        JSON.createArrayNode().add("channel").add("topic").add("creator"))
                .toString();
        AtomicReference<JsonNode> answer = new AtomicReference<>();
        await("insight-service holds the " + size + " members of " + segmentId)
                .atMost(CATCH_UP)
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    assertTrue(
                            get("/api/v1/insight/status", token)
                                    .path("caughtUp")
                                    .asBoolean(),
                            "caught up");
                    HttpResponse<String> response = send("POST", "/api/v1/insight/tgi", question, token);
                    assertEquals(200, response.statusCode(), response.body());
                    JsonNode tgi = JSON.readTree(response.body());
                    assertEquals(size, tgi.path("audienceSize").asLong(), "the audience's members in the store");
                    answer.set(tgi);
                });
        return answer.get();
    }

    // ---- the planted answers ----

    /** The generator's truths.json in {@code dir}. */
    public static JsonNode truths(Path dir) {
        try {
            return JSON.readTree(dir.resolve("truths.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One planted TGI row of truths.json ({@code tgi.planted}): what the generator planted and the
     * counts it generated, which are the counts insight-service sees (one profile per consumer, the
     * base every profile).
     */
    public record PlantedTgi(
            String crowd,
            String dimension,
            String value,
            double multiplier,
            double plantedTgi,
            double observedTgi,
            long crowdSize,
            long crowdWithFeature,
            long population,
            long populationWithFeature) {

        /**
         * The lower bound of the index's 95 % interval by Katz's log method, from these counts, as
         * insight-service computes it and ranks its rows by; none (negative infinity) below its
         * minimum base.
         */
        public double lowerBound() {
            if (populationWithFeature < MIN_BASE) {
                return Double.NEGATIVE_INFINITY;
            }
            if (crowdWithFeature == 0) {
                return 0;
            }
            double ratio = ((double) crowdWithFeature / crowdSize) / ((double) populationWithFeature / population);
            double se = Math.sqrt(
                    1.0 / crowdWithFeature - 1.0 / crowdSize + 1.0 / populationWithFeature - 1.0 / population);
            return 100 * ratio * Math.exp(-Z_95 * se);
        }
    }

    /** Every planted TGI row of the brand in {@code dir}. */
    public static List<PlantedTgi> plantedTgi(Path dir) {
        List<PlantedTgi> out = new ArrayList<>();
        for (JsonNode p : truths(dir).path("tgi").path("planted")) {
            out.add(new PlantedTgi(
                    p.path("crowd").asText(),
                    p.path("dimension").asText(),
                    p.path("value").asText(),
                    p.path("multiplier").asDouble(),
                    p.path("planted_tgi").asDouble(),
                    p.path("observed_tgi").asDouble(),
                    p.path("crowd_size").asLong(),
                    p.path("crowd_with_feature").asLong(),
                    p.path("population").asLong(),
                    p.path("population_with_feature").asLong()));
        }
        return out;
    }

    /**
     * The crowd's planted feature that must head its TGI ({@code REFINED_MUMS}: audience {@code
     * demo-refined-mums}, base every profile), ranked as insight-service ranks: by the interval's
     * lower bound, then dimension and value.
     *
     * <p>Which one it is depends on the generated data, not on the plants alone: refined mums have two
     * features planted × 5 (topic parenting, base rate 0.07, and creator mama_lin_baby, 0.05), so
     * the same planted TGI (500 / (1 + 4 × their share), about 330), and their observed indexes
     * differ by chance. Parenting, held by more people, has the narrower interval and heads the rows
     * more often than not; the counts of truths.json say which does for this seed and size. Every
     * unplanted feature (an index near 100 or below) stays far behind both at any size from a
     * thousand consumers.
     */
    public static PlantedTgi expectedTopFeature(Path dir, String crowd) {
        return plantedTgi(dir).stream()
                .filter(p -> p.crowd().equals(crowd))
                .min(Comparator.comparingDouble(PlantedTgi::lowerBound)
                        .reversed()
                        .thenComparing(PlantedTgi::dimension)
                        .thenComparing(PlantedTgi::value))
                .orElseThrow(() -> new IllegalArgumentException("no TGI planted for crowd " + crowd));
    }

    // ---- waiting ----

    /** The downstream consumers of the profile feed have read it all; the insight store is written. */
    private void awaitFeedRead() {
        pipelineWait(Map.of(
                "segmentation-service", segmentationGroup,
                "campaign-service", campaignGroup,
                "insight-service", insightGroup));
        String token = token(ADMIN);
        await("insight-service caught up")
                .atMost(CATCH_UP)
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertTrue(
                        get("/api/v1/insight/status", token).path("caughtUp").asBoolean(), "caught up"));
    }

    /**
     * {@code wait-for-pipeline}, as {@code ./strata demo} runs it: the groups have read every event on
     * their topics (events, not offsets: a transactional topic's commit markers do not count).
     */
    private void pipelineWait(Map<String, String> groups) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap", LocalStack.kafkaBootstrapServers(), "--timeout", Long.toString(CATCH_UP.toSeconds())));
        groups.forEach((label, group) -> {
            args.add("--group");
            args.add(label + "=" + group);
        });
        int status = new CommandLine(new PipelineWait()).execute(args.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException(
                    "the pipeline did not catch up within " + CATCH_UP + " (" + groups.keySet() + ")");
        }
    }

    /** Records profile-service has committed but not yet sent to Kafka. */
    private static long profileOutbox() throws SQLException {
        try (Connection conn =
                        DriverManager.getConnection(LocalStack.testJdbcUrl("profile"), "strata_profile", "strata");
                Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from profile_outbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---- the gateway ----

    JsonNode get(String path, String token) {
        HttpResponse<String> response = send("GET", path, null, token);
        assertEquals(200, response.statusCode(), "GET " + path + ": " + response.body());
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<String> send(String method, String path, String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gatewayUrl() + path))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- topics, directories, the end ----

    private String topic(String name) {
        return "test.strata.console." + run + "." + name;
    }

    private void createTopics() {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(
                            new NewTopic(incoming, 2, (short) 1),
                            new NewTopic(events, 2, (short) 1),
                            new NewTopic(deadLetters, 1, (short) 1),
                            new NewTopic(profileEvents, 2, (short) 1),
                            new NewTopic(profileChanges, 2, (short) 1),
                            new NewTopic(membership, 2, (short) 1),
                            new NewTopic(messages, 1, (short) 1)))
                    .all()
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the topics of run " + run, e);
        }
    }

    /**
     * Where dedup-service keeps its state and insight-service its store (which it creates), under
     * target/: the build's clean removes them.
     */
    private Path workDir() {
        try {
            Path dir = ROOT.resolve("services/e2e-tests/target/console-" + run);
            Files.createDirectories(dir.resolve("dedup-state"));
            return dir.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops every service (the gateway first, ingestion last) and deletes the run's topics and
     * groups; what cannot be deleted the next local stack drops. Safe to call again.
     */
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        for (ServiceProcess process : processes.reversed()) {
            try {
                process.stop();
            } catch (RuntimeException e) {
                // the others still stop; its log says why
            }
        }
        try {
            KafkaGroups.deleteStreamsApplication(dedupApplication);
        } catch (RuntimeException e) {
            // only its changelog topic is left behind
        }
        try (Admin admin = admin()) {
            // each on its own: a topic or group that never came to be fails only its own deletion
            admin.deleteTopics(
                            List.of(incoming, events, deadLetters, profileEvents, profileChanges, membership, messages))
                    .topicNameValues()
                    .values()
                    .forEach(ConsoleSuite::quietly);
            admin.deleteConsumerGroups(List.of(profileGroup, segmentationGroup, insightGroup, campaignGroup))
                    .deletedGroups()
                    .values()
                    .forEach(ConsoleSuite::quietly);
        } catch (RuntimeException e) {
            // the broker drops them with the next local stack; nothing else reads them
        }
    }

    private static void quietly(KafkaFuture<Void> deletion) {
        try {
            deletion.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // already gone, or never created
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.kafkaBootstrapServers());
        return Admin.create(props);
    }
}
