package io.strata.helm;

import static io.strata.helm.Charts.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What a platform team relies on when it installs the suite: the charts lint, render under every
 * value set we document, give the API's own types back, and hold the properties below.
 */
class ChartsTest {

    /** Who calls whom inside the cluster (ARCHITECTURE.md; the services' READMEs). */
    private static final Map<String, Set<String>> CALLERS = Map.of(
            "ingestion-service", Set.of("gateway"),
            "dedup-service", Set.of(),
            "profile-service", Set.of("gateway", "segmentation-service", "campaign-service"),
            "segmentation-service", Set.of("gateway", "segmentation-service", "campaign-service"),
            "insight-service", Set.of("gateway", "insight-service"),
            "campaign-service", Set.of("gateway"),
            "gateway", Set.of());

    /** Reachable from outside the cluster. */
    private static final Set<String> PUBLIC = Set.of("gateway", "ingestion-service");

    /** Stateless: autoscaled by default; the others are bounded by their topics' partitions. */
    /** The services whose state is on a volume: a StatefulSet each (the values' persistence). */
    private static final Set<String> STATEFUL = Set.of("dedup-service", "insight-service");

    private static final Set<String> AUTOSCALED = Set.of("gateway", "ingestion-service");

    private static final Pattern CREDENTIAL = Pattern.compile("(?i).*(PASSWORD|SECRET|JAAS|TOKEN|CREDENTIAL).*");

    private static final List<String> VALUE_SETS =
            List.of("", "ci/production-values.yaml", "ci/external-values.yaml", "ci/one-service-values.yaml");

    private static Charts.Rendered umbrella(String valueFile) {
        return Charts.render("strata", valueFile.isEmpty() ? List.of() : List.of(valueFile), Map.of());
    }

    @Test
    void everyServiceOfTheManifestHasItsChartWithItsPortsDatabaseAndClient() throws Exception {
        JsonNode umbrella = Charts.yaml(Charts.HELM.resolve("strata/Chart.yaml"));
        JsonNode suite = Charts.values(Charts.HELM.resolve("strata"));
        String schema = Files.readString(Charts.HELM.resolve("strata-lib/service.schema.json"));
        Set<String> charts = new TreeSet<>();
        for (Manifest.Service service : Manifest.services()) {
            Path chart = Charts.HELM.resolve(service.name());
            assertTrue(Files.exists(chart.resolve("Chart.yaml")), "helm/" + service.name() + " is missing");
            charts.add(service.name());
            JsonNode values = Charts.values(chart);
            assertEquals(service.http(), values.path("ports").path("http").asInt(), service.name() + " http port");
            assertEquals(service.grpc(), values.path("ports").path("grpc").asInt(0), service.name() + " gRPC port");
            assertEquals(
                    service.management(),
                    values.path("ports").path("management").asInt(),
                    service.name() + " management port");
            assertEquals(
                    service.database() != null,
                    values.path("database").path("enabled").asBoolean(false));
            if (service.database() != null) {
                assertEquals(
                        "strata_" + service.database(),
                        values.path("database").path("name").asText());
                assertEquals(
                        "strata_" + service.database(),
                        values.path("database").path("user").asText());
            }
            assertEquals(service.client(), values.path("client").path("enabled").asBoolean(false), service.name());
            assertEquals(
                    schema,
                    Files.readString(chart.resolve("values.schema.json")),
                    "helm/" + service.name() + "/values.schema.json is a copy of helm/strata-lib/service.schema.json");
            boolean listed = false;
            for (JsonNode dependency : umbrella.path("dependencies")) {
                if (dependency.path("name").asText().equals(service.name())) {
                    listed = true;
                    assertEquals(
                            "file://../" + service.name(),
                            dependency.path("repository").asText());
                    assertEquals(
                            service.name() + ".enabled",
                            dependency.path("condition").asText());
                }
            }
            assertTrue(listed, "helm/strata installs " + service.name());
            assertEquals(
                    service.start(),
                    suite.path(service.name()).path("enabled").asBoolean(),
                    service.name() + " is on in the suite exactly when ./strata starts it");
        }
        Set<String> folders = new TreeSet<>();
        Charts.chartDirs().forEach(d -> folders.add(d.getFileName().toString()));
        folders.removeAll(Set.of("strata", "strata-lib"));
        assertEquals(charts, folders, "a chart for every service of deploy/services.txt and no other");
        assertEquals(charts, CALLERS.keySet(), "the expected calls name every service");
    }

    @Test
    void everyChartLintsStrictly() throws Exception {
        List<Path> charts = new ArrayList<>();
        Charts.chartDirs().forEach(d -> charts.add(Charts.chart(d.getFileName().toString())));
        charts.add(platformForLint());
        for (Path chart : charts) {
            LintResult lint = new Helm(chart).lint().strict().call();
            assertFalse(lint.isFailed(), chart.getFileName() + ": " + lint.getMessages());
            assertTrue(
                    lint.getMessages().stream().noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]")),
                    chart.getFileName() + ": " + lint.getMessages());
        }
    }

    /** strata-platform needs Keycloak's address and realm (lint reads only values.yaml): a copy with them. */
    private static Path platformForLint() throws Exception {
        Path source = Charts.chart("strata-platform");
        Path copy = source.resolveSibling("strata-platform-lint").resolve("strata-platform");
        Files.createDirectories(copy.resolve("templates"));
        try (var files = Files.list(source.resolve("templates"))) {
            for (Path file : files.toList()) {
                Files.copy(
                        file,
                        copy.resolve("templates").resolve(file.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (String file : List.of("Chart.yaml", "values.schema.json")) {
            Files.copy(source.resolve(file), copy.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        ObjectNode values =
                (ObjectNode) yaml.readTree(source.resolve("values.yaml").toFile());
        ObjectNode keycloak = (ObjectNode) values.path("keycloak");
        keycloak.put("hostname", "sso.example.com");
        keycloak.put("consoleUrl", "https://console.example.com");
        keycloak.put("realm", Files.readString(Charts.ROOT.resolve("deploy/keycloak/strata-realm-production.json")));
        yaml.writeValue(copy.resolve("values.yaml").toFile(), values);
        return copy;
    }

    @Test
    void everyValueSetRendersManifestsOfTheKubernetesApi() {
        for (String valueSet : VALUE_SETS) {
            Charts.Rendered rendered = umbrella(valueSet);
            assertFalse(rendered.typed().isEmpty(), valueSet);
            for (JsonNode document : rendered.documents()) {
                assertTrue(
                        document.hasNonNull("apiVersion") && document.hasNonNull("kind"), valueSet + ": " + document);
                assertFalse(document.path("metadata").path("name").asText().isEmpty(), valueSet + ": " + document);
            }
        }
        // each service chart alone, on its defaults
        for (Manifest.Service service : Manifest.services()) {
            Charts.Rendered alone = Charts.render(service.name(), List.of(), Map.of());
            assertEquals(
                    1,
                    alone.all(Deployment.class).size()
                            + alone.all(StatefulSet.class).size(),
                    service.name());
        }
    }

    @Test
    void oneServiceAloneRendersOnlyItself() {
        Charts.Rendered rendered = umbrella("ci/one-service-values.yaml");
        assertEquals(Set.of("strata-profile-service"), Charts.names(rendered.all(Deployment.class)));
        assertTrue(rendered.all(StatefulSet.class).isEmpty());
        ConfigMap config = rendered.one(ConfigMap.class, "strata-profile-service");
        assertEquals("kafka:9092", config.getData().get("KAFKA_BOOTSTRAP_SERVERS"));
        assertFalse(config.getData().containsKey("KAFKA_SECURITY_PROTOCOL"), "plain Kafka: no security settings");
        Container container = container(rendered.one(Deployment.class, "strata-profile-service")
                .getSpec()
                .getTemplate()
                .getSpec());
        assertTrue(container.getEnv().stream().noneMatch(e -> e.getName().startsWith("KAFKA_")));
    }

    @Test
    void theProductionValuesGiveEveryServiceWhatAPlatformTeamExpects() {
        Charts.Rendered rendered = umbrella("ci/production-values.yaml");
        for (Manifest.Service service : Manifest.services()) {
            String name = "strata-" + service.name();
            PodSpec pod = STATEFUL.contains(service.name())
                    ? rendered.one(StatefulSet.class, name)
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                    : rendered.one(Deployment.class, name)
                            .getSpec()
                            .getTemplate()
                            .getSpec();
            assertEquals(name, pod.getServiceAccountName());
            rendered.one(ServiceAccount.class, name);
            rendered.one(ConfigMap.class, name);
            rendered.one(PodDisruptionBudget.class, name);
            rendered.one(NetworkPolicy.class, name);
            Service api = rendered.one(Service.class, name);
            Service internal = rendered.one(Service.class, name + "-internal");
            assertEquals(Set.of("http"), portNames(api), name + ": the API port alone");
            assertTrue(portNames(internal).contains("management"), name);
            assertFalse(portNames(api).contains("management"), name + ": metrics never on the API's Service");
            assertEquals(
                    AUTOSCALED.contains(service.name()),
                    rendered.all(HorizontalPodAutoscaler.class).stream()
                            .anyMatch(h -> h.getMetadata().getName().equals(name)),
                    name + ": an autoscaler exactly for the stateless services");
            assertTrue(
                    rendered.kind("ServiceMonitor").stream()
                            .anyMatch(m ->
                                    m.path("metadata").path("name").asText().equals(name)),
                    name + ": a ServiceMonitor");
            assertEquals(
                    "registry.example.com/strata/" + service.name() + ":0.1.0",
                    container(pod).getImage(),
                    name);
            assertEquals(
                    "registry-credentials", pod.getImagePullSecrets().get(0).getName());
            assertEquals(2, pod.getTopologySpreadConstraints().size(), name + ": spread over zones and nodes");
        }
        assertEquals(
                "collect.example.com",
                rendered.one(Ingress.class, "strata-ingestion-service")
                        .getSpec()
                        .getRules()
                        .get(0)
                        .getHost());
        assertEquals(
                List.of("api.example.com"),
                rendered.one(HTTPRoute.class, "strata-gateway").getSpec().getHostnames());
        assertEquals(1, rendered.kind("PrometheusRule").size());
        assertTrue(
                rendered.all(ConfigMap.class).stream().anyMatch(c -> c.getData().containsKey("strata-overview.json")),
                "the dashboard");
        // dedup-service keeps its window on a volume
        StatefulSet dedup = rendered.one(StatefulSet.class, "strata-dedup-service");
        assertEquals(
                "fast-ssd",
                dedup.getSpec().getVolumeClaimTemplates().get(0).getSpec().getStorageClassName());
        assertEquals("strata-dedup-service-pods", dedup.getSpec().getServiceName());
        // the segmentation replicas find one another through their headless Service
        assertEquals(
                "strata-segmentation-service-pods:8083",
                rendered.one(ConfigMap.class, "strata-segmentation-service")
                        .getData()
                        .get("STRATA_SEGMENTATION_REPLICAS_PEERS"));
        rendered.one(Service.class, "strata-segmentation-service-pods");
        // the gateway finds the services it calls
        Map<String, String> gateway =
                rendered.one(ConfigMap.class, "strata-gateway").getData();
        assertEquals("strata-profile-service", gateway.get("PROFILE_SERVICE_HOST"));
        assertEquals("strata-ingestion-service-internal", gateway.get("INGESTION_SERVICE_HOST"));
        assertEquals("8091", gateway.get("INGESTION_SERVICE_GRPC_PORT"));
        assertEquals("https://console.example.com", gateway.get("CORS_ORIGINS"));
        assertEquals("false", gateway.get("QUARKUS_OTEL_SDK_DISABLED"));
        assertEquals("http://otel-collector.observability:4317", gateway.get("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT"));
    }

    @Test
    void everyPodIsNonRootReadOnlyLimitedAndProbed() {
        for (String valueSet : VALUE_SETS) {
            Charts.Rendered rendered = umbrella(valueSet);
            Map<String, PodSpec> pods = new TreeMap<>();
            rendered.all(Deployment.class)
                    .forEach(d -> pods.put(
                            d.getMetadata().getName(), d.getSpec().getTemplate().getSpec()));
            rendered.all(StatefulSet.class)
                    .forEach(s -> pods.put(
                            s.getMetadata().getName(), s.getSpec().getTemplate().getSpec()));
            assertFalse(pods.isEmpty());
            pods.forEach((name, pod) -> {
                String where = valueSet + " " + name;
                assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), where);
                assertTrue(pod.getSecurityContext().getRunAsUser() > 0, where);
                assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), where);
                for (Container container : pod.getContainers()) {
                    var security = container.getSecurityContext();
                    assertEquals(Boolean.TRUE, security.getReadOnlyRootFilesystem(), where);
                    assertEquals(Boolean.FALSE, security.getAllowPrivilegeEscalation(), where);
                    assertEquals(List.of("ALL"), security.getCapabilities().getDrop(), where);
                    assertNotNull(container.getResources().getLimits().get("memory"), where + ": a memory limit");
                    assertNotNull(container.getResources().getRequests().get("cpu"), where + ": a CPU request");
                    for (Probe probe : List.of(
                            container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())) {
                        assertNotNull(probe, where + ": startup, liveness and readiness probes");
                        assertEquals("management", probe.getHttpGet().getPort().getStrVal(), where);
                    }
                    assertTrue(
                            container.getVolumeMounts().stream()
                                    .anyMatch(m -> m.getMountPath().equals("/tmp")),
                            where + ": a writable /tmp");
                }
            });
        }
    }

    @Test
    void noCredentialIsRenderedEveryOneComesFromASecret() {
        for (String valueSet : VALUE_SETS) {
            Charts.Rendered rendered = umbrella(valueSet);
            assertTrue(rendered.all(Secret.class).isEmpty(), valueSet + ": the charts make no Secret");
            for (ConfigMap config : rendered.all(ConfigMap.class)) {
                config.getData()
                        .keySet()
                        .forEach(key -> assertFalse(
                                CREDENTIAL.matcher(key).matches() && !key.endsWith(".json"),
                                valueSet + " " + config.getMetadata().getName() + " holds " + key));
            }
            List<PodSpec> pods = new ArrayList<>();
            rendered.all(Deployment.class)
                    .forEach(d -> pods.add(d.getSpec().getTemplate().getSpec()));
            rendered.all(StatefulSet.class)
                    .forEach(s -> pods.add(s.getSpec().getTemplate().getSpec()));
            for (PodSpec pod : pods) {
                for (EnvVar env : container(pod).getEnv()) {
                    if (CREDENTIAL.matcher(env.getName()).matches()) {
                        assertTrue(
                                env.getValue() == null && env.getValueFrom().getSecretKeyRef() != null,
                                valueSet + ": " + env.getName() + " comes from a Secret");
                    }
                }
            }
        }
        // the Secrets each service reads, on the production values: the platform chart's names
        Charts.Rendered production = umbrella("ci/production-values.yaml");
        Map<String, String> profile = secretRefs(production, "strata-profile-service");
        assertEquals("strata-db-profile", profile.get("DB_PASSWORD"));
        assertEquals("profile-service", profile.get("KAFKA_SASL_JAAS_CONFIG"), "Strimzi's KafkaUser Secret");
        assertEquals(
                "strata-client-gateway",
                secretRefs(production, "strata-gateway").get("STRATA_GATEWAY_CLIENT_SECRET"));
        Map<String, String> dedup = secretRefs(production, "strata-dedup-service");
        assertEquals("dedup-service", dedup.get("QUARKUS_KAFKA_STREAMS_SASL_JAAS_CONFIG"));
        Map<String, String> external = secretRefs(umbrella("ci/external-values.yaml"), "strata-profile-service");
        assertEquals("kafka-user-profile-service", external.get("KAFKA_SASL_JAAS_CONFIG"));
    }

    private static Map<String, String> secretRefs(Charts.Rendered rendered, String workload) {
        PodSpec pod = rendered.all(Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals(workload))
                .map(d -> d.getSpec().getTemplate().getSpec())
                .findFirst()
                .orElseGet(() -> rendered.one(StatefulSet.class, workload)
                        .getSpec()
                        .getTemplate()
                        .getSpec());
        Map<String, String> out = new HashMap<>();
        for (EnvVar env : container(pod).getEnv()) {
            if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                out.put(env.getName(), env.getValueFrom().getSecretKeyRef().getName());
            }
        }
        return out;
    }

    @Test
    void theNetworkPoliciesAllowExactlyTheArchitecturesCalls() {
        Charts.Rendered rendered = umbrella("ci/production-values.yaml");
        Map<String, Set<String>> callers = new TreeMap<>();
        Set<String> open = new TreeSet<>();
        for (NetworkPolicy policy : rendered.all(NetworkPolicy.class)) {
            String service = policy.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/name");
            callers.put(service, new TreeSet<>());
            for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
                Set<String> ports = rule.getPorts().stream()
                        .map(p -> p.getPort().getStrVal())
                        .collect(Collectors.toSet());
                if (ports.contains("management")) {
                    assertEquals(Set.of("management"), ports, service + ": the scrapers reach the metrics only");
                    for (NetworkPolicyPeer peer : rule.getFrom()) {
                        assertEquals(
                                "prometheus",
                                peer.getPodSelector().getMatchLabels().get("app.kubernetes.io/name"),
                                service + ": only Prometheus scrapes");
                    }
                    continue;
                }
                List<String> names = rule.getFrom() == null
                        ? List.of()
                        : rule.getFrom().stream()
                                .filter(p -> p.getPodSelector() != null && p.getNamespaceSelector() == null)
                                .map(p -> p.getPodSelector().getMatchLabels().get("app.kubernetes.io/name"))
                                .toList();
                if (names.isEmpty()) {
                    assertEquals(Set.of("http"), ports, service + ": only the public port is open to outside");
                    open.add(service);
                } else {
                    callers.get(service).addAll(names);
                    rule.getFrom()
                            .forEach(p -> assertEquals(
                                    "strata",
                                    p.getPodSelector().getMatchLabels().get("app.kubernetes.io/instance")));
                }
            }
        }
        assertEquals(new TreeMap<>(CALLERS), callers);
        assertEquals(PUBLIC, open);
        // what a chart calls, the callee lets in
        for (Manifest.Service service : Manifest.services()) {
            for (JsonNode call :
                    Charts.values(Charts.HELM.resolve(service.name())).path("calls")) {
                assertTrue(
                        CALLERS.get(call.path("service").asText()).contains(service.name()),
                        service.name() + " calls " + call.path("service").asText());
            }
        }
    }

    @Test
    void theSchemasRefuseWhatIsNotAValue() {
        assertThrows(Exception.class, () -> Charts.render("strata", List.of(), set("gateway.replicaCont", 2)));
        assertThrows(
                Exception.class,
                () -> Charts.render("strata", List.of(), set("ingestion-service.kafka.securityProtocol", "TLS")));
        assertThrows(
                Exception.class, () -> Charts.render("strata", List.of(), set("global.kafka.bootstrap", "x:9092")));
        assertThrows(
                Exception.class, () -> Charts.render("profile-service", List.of(), set("config.db-password", "x")));
        assertThrows(
                Exception.class,
                () -> Charts.render("strata", List.of(), set("profile-service.database.passwordSecret.name", "")),
                "a service with a database needs the Secret of its password");
        // and a value that is one renders
        Charts.Rendered rendered = Charts.render(
                "strata", List.of(), set("gateway.replicaCount", 4, "gateway.autoscaling.enabled", false));
        assertEquals(
                4, rendered.one(Deployment.class, "strata-gateway").getSpec().getReplicas());
    }

    @Test
    void thePlatformHasATopicForEveryTopicAUserPerServiceAndARolePerDatabase() {
        Charts.Rendered rendered = Charts.renderWithFile(
                "strata-platform",
                set("keycloak.hostname", "sso.example.com", "keycloak.consoleUrl", "https://console.example.com"),
                "keycloak.realm",
                Charts.ROOT.resolve("deploy/keycloak/strata-realm-production.json"));
        Map<String, Integer> topics = new TreeMap<>();
        for (JsonNode topic : rendered.kind("KafkaTopic")) {
            topics.put(
                    topic.path("spec").path("topicName").asText(),
                    topic.path("spec").path("partitions").asInt());
            assertEquals(3, topic.path("spec").path("replicas").asInt());
        }
        Map<String, Integer> expected = new TreeMap<>();
        Manifest.topics().forEach(t -> expected.put(t.name(), t.partitions()));
        assertEquals(expected, topics, "deploy/kafka/topics.txt");
        Set<String> users = new TreeSet<>();
        for (JsonNode user : rendered.kind("KafkaUser")) {
            users.add(user.path("metadata").path("name").asText());
            assertEquals(
                    "scram-sha-512",
                    user.path("spec").path("authentication").path("type").asText());
            for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                String type = acl.path("resource").path("type").asText();
                String pattern = acl.path("resource").path("patternType").asText();
                String name = acl.path("resource").path("name").asText();
                if (type.equals("topic") && pattern.equals("literal")) {
                    assertTrue(
                            expected.containsKey(name),
                            user.path("metadata").path("name").asText() + ": " + name);
                }
                assertFalse(name.equals("*"), "no wildcard ACL");
            }
        }
        Set<String> kafkaServices = new TreeSet<>(CALLERS.keySet());
        kafkaServices.remove("gateway");
        assertEquals(kafkaServices, users, "a Kafka user per service that uses Kafka");
        JsonNode cluster = rendered.kind("Cluster").get(0);
        Set<String> roles = new TreeSet<>();
        cluster.path("spec")
                .path("managed")
                .path("roles")
                .forEach(r -> roles.add(r.path("name").asText()));
        Set<String> databases = new TreeSet<>();
        rendered.kind("Database")
                .forEach(d -> databases.add(d.path("spec").path("name").asText()));
        for (Manifest.Service service : Manifest.services()) {
            if (service.database() != null) {
                assertTrue(roles.contains("strata_" + service.database()), service.name());
                assertTrue(databases.contains("strata_" + service.database()), service.name());
            }
        }
        JsonNode realm = rendered.kind("KeycloakRealmImport").get(0).path("spec");
        assertEquals("strata", realm.path("realm").path("realm").asText());
        assertTrue(realm.path("realm").path("users").isEmpty(), "the production realm: no demo users");
        assertFalse(realm.toString().contains("${STRATA_CONSOLE_URL}"), "the console's address filled in");
        for (Manifest.Service service : Manifest.services()) {
            String placeholder = "STRATA_" + service.name().toUpperCase().replace('-', '_') + "_CLIENT_SECRET";
            assertEquals(service.client(), realm.path("placeholders").has(placeholder), placeholder);
        }
        assertThrows(
                Exception.class,
                () -> Charts.render("strata-platform", List.of(), Map.of()),
                "Keycloak needs its address and the realm");
    }

    private static Container container(PodSpec pod) {
        assertEquals(1, pod.getContainers().size());
        return pod.getContainers().get(0);
    }

    private static Set<String> portNames(Service service) {
        return service.getSpec().getPorts().stream().map(p -> p.getName()).collect(Collectors.toSet());
    }
}
