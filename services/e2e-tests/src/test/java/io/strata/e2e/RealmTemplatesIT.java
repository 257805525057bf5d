package io.strata.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.testing.KeycloakTokens;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The realm templates of deploy/keycloak, rendered with the clients of deploy/services.txt as
 * {@code ./strata realm} renders them: valid realms with the manifest's clients, and the
 * production one hardened (and accepted by Keycloak as it is).
 */
class RealmTemplatesIT {

    private static final Path ROOT = Path.of(System.getProperty("strata.root", "../.."));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void bothRealmsCarryAClientAndServiceAccountForEveryServiceThatCallsOthers() throws Exception {
        List<String> callers = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve("deploy/services.txt"))) {
            String[] columns = line.trim().split("\\s+");
            if (!line.startsWith("#") && columns.length >= 7 && columns[5].equals("yes")) {
                callers.add("strata-" + columns[0]);
            }
        }
        assertFalse(callers.isEmpty(), "the manifest names the gateway as a caller");
        for (String template : List.of("strata-realm.json", "strata-realm-production.json")) {
            JsonNode realm = render(template);
            for (String client : callers) {
                JsonNode entry = client(realm, client);
                assertTrue(entry != null, template + " has client " + client);
                assertTrue(entry.path("serviceAccountsEnabled").asBoolean(), client + " uses client credentials");
                assertEquals(
                        "${" + client.toUpperCase().replace('-', '_') + "_CLIENT_SECRET}",
                        entry.path("secret").asText(),
                        "the secret of " + client + " comes from the environment");
                assertTrue(
                        users(realm).stream()
                                .anyMatch(u -> u.path("serviceAccountClientId")
                                        .asText()
                                        .equals(client)),
                        template + " has the service account of " + client);
            }
        }
    }

    @Test
    void theProductionRealmIsHardened() throws Exception {
        JsonNode realm = render("strata-realm-production.json");
        assertEquals("all", realm.path("sslRequired").asText(), "TLS for every address");
        assertTrue(realm.path("bruteForceProtected").asBoolean(), "brute-force protection");
        assertTrue(realm.path("passwordPolicy").asText().contains("length(12)"), "a password policy");
        assertTrue(realm.path("eventsEnabled").asBoolean(), "login events recorded");
        assertTrue(realm.path("adminEventsEnabled").asBoolean(), "admin events recorded");
        assertFalse(realm.path("adminEventsDetailsEnabled").asBoolean(), "admin events without their bodies");
        assertFalse(realm.path("registrationAllowed").asBoolean(), "no self-registration");
        assertTrue(realm.path("accessTokenLifespan").asInt() <= 300, "access tokens of 5 minutes at most");
        for (JsonNode client : realm.path("clients")) {
            String id = client.path("clientId").asText();
            assertFalse(client.path("directAccessGrantsEnabled").asBoolean(), id + ": no password grant");
            assertFalse(client.path("implicitFlowEnabled").asBoolean(), id + ": no implicit flow");
            if (client.path("publicClient").asBoolean()) {
                assertEquals(
                        "S256",
                        client.path("attributes")
                                .path("pkce.code.challenge.method")
                                .asText(),
                        id + ": PKCE");
                for (JsonNode uri : client.path("redirectUris")) {
                    assertTrue(
                            uri.asText().startsWith("${STRATA_CONSOLE_URL}/"),
                            id + ": redirects to the console's address only, not " + uri);
                }
                for (JsonNode origin : client.path("webOrigins")) {
                    assertEquals("${STRATA_CONSOLE_URL}", origin.asText(), id + ": the console's origin only");
                }
            }
        }
        assertTrue(client(realm, "strata-cli") == null, "no command-line client with the password grant");
        assertTrue(client(realm, "strata-test-service") == null, "no test client");
        for (JsonNode user : users(realm)) {
            assertTrue(
                    user.path("serviceAccountClientId").isTextual(),
                    "service accounts only, no people: " + user.path("username"));
            assertTrue(user.path("credentials").isMissingNode(), "no password in the template");
        }
        assertEquals(0, realm.path("groups").size(), "no demo tenants");
    }

    @Test
    void keycloakAcceptsTheProductionRealm() throws Exception {
        ObjectNode realm = (ObjectNode) render("strata-realm-production.json");
        String name = "strata-production-check-" + UUID.randomUUID();
        realm.put("realm", name);
        // the placeholders Keycloak resolves from the environment when it imports at start-up
        String body = JSON.writeValueAsString(realm)
                .replace("${STRATA_CONSOLE_URL}", "https://console.example.com")
                .replaceAll(
                        "\\$\\{STRATA_[A-Z_]+_CLIENT_SECRET}", UUID.randomUUID().toString());
        String keycloak = KeycloakTokens.issuer().replaceFirst("/realms/[^/]+$", "");
        String admin = adminToken(keycloak);
        HttpResponse<String> created = HTTP.send(
                HttpRequest.newBuilder(URI.create(keycloak + "/admin/realms"))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        try {
            assertEquals(201, created.statusCode(), "Keycloak imports the realm: " + created.body());
            JsonNode imported = JSON.readTree(HTTP.send(
                            HttpRequest.newBuilder(URI.create(keycloak + "/admin/realms/" + name))
                                    .header("Authorization", "Bearer " + admin)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            assertEquals("all", imported.path("sslRequired").asText());
            assertTrue(imported.path("bruteForceProtected").asBoolean());
            assertEquals(
                    realm.path("passwordPolicy").asText(),
                    imported.path("passwordPolicy").asText());
        } finally {
            HTTP.send(
                    HttpRequest.newBuilder(URI.create(keycloak + "/admin/realms/" + name))
                            .header("Authorization", "Bearer " + admin)
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
        }
    }

    /** {@code strata_realm_render} of deploy/local/infra.sh, as {@code ./strata realm} runs it. */
    private static JsonNode render(String template) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(
                        "bash",
                        "-c",
                        "source deploy/local/infra.sh && strata_realm_render \"deploy/keycloak/$0\"",
                        template)
                .directory(ROOT.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment()
                .put("STRATA_ROOT", ROOT.toAbsolutePath().normalize().toString());
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "rendering " + template);
        assertEquals(0, process.exitValue(), "rendering " + template);
        return JSON.readTree(output);
    }

    private static JsonNode client(JsonNode realm, String clientId) {
        for (JsonNode client : realm.path("clients")) {
            if (client.path("clientId").asText().equals(clientId)) {
                return client;
            }
        }
        return null;
    }

    private static List<JsonNode> users(JsonNode realm) {
        List<JsonNode> users = new ArrayList<>();
        realm.path("users").forEach(users::add);
        return users;
    }

    private static String adminToken(String keycloak) throws IOException, InterruptedException {
        String password = System.getenv("KC_BOOTSTRAP_ADMIN_PASSWORD");
        assertTrue(password != null && !password.isBlank(), "KC_BOOTSTRAP_ADMIN_PASSWORD (./strata test sets it)");
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(keycloak + "/realms/master/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&client_id=admin-cli"
                                + "&username=admin&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), "an admin token: " + response.body());
        return JSON.readTree(response.body()).path("access_token").asText();
    }
}
