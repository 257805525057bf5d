package io.strata.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Access tokens of the local realm's demo users, from the password grant of client strata-cli. */
public final class KeycloakTokens {

    /** The password every demo user of the local realm has. */
    public static final String DEMO_PASSWORD = "strata";

    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

    private KeycloakTokens() {}

    public static String issuer() {
        String url = System.getenv("OIDC_AUTH_SERVER_URL");
        return url == null || url.isBlank() ? "http://127.0.0.1:8180/realms/strata" : url;
    }

    public static String accessToken(String user) {
        return accessToken(user, "strata-cli");
    }

    /** A demo user's token from another public client of the realm (password grant). */
    public static String accessToken(String user, String clientId) {
        return token(
                user + " via " + clientId,
                "grant_type=password&client_id=" + clientId + "&scope=openid"
                        + "&username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
                        + "&password=" + URLEncoder.encode(DEMO_PASSWORD, StandardCharsets.UTF_8));
    }

    /** The gateway's client-credentials token (audience strata-services), as services receive it. */
    public static String serviceToken() {
        return clientToken("strata-gateway");
    }

    /** A confidential client's client-credentials token (e.g. the demo partner's). */
    public static String clientToken(String clientId) {
        return token(
                "client " + clientId,
                "grant_type=client_credentials&client_id=" + clientId + "&client_secret="
                        + URLEncoder.encode(secret(clientId), StandardCharsets.UTF_8));
    }

    /**
     * The metadata of a call one of Strata's services makes for a signed-in user: the service's
     * token ({@code authorization: Bearer}) and the user's own ({@code strata-user-token}, the name
     * services/platform's CallerInterceptor reads).
     */
    public static io.grpc.Metadata forUser(String serviceToken, String userToken) {
        io.grpc.Metadata metadata = bearer(serviceToken);
        metadata.put(io.grpc.Metadata.Key.of("strata-user-token", io.grpc.Metadata.ASCII_STRING_MARSHALLER), userToken);
        return metadata;
    }

    /** As the gateway calls for a demo user (alice, bob...). */
    public static io.grpc.Metadata gatewayFor(String user) {
        return forUser(serviceToken(), accessToken(user));
    }

    /** gRPC metadata carrying a bearer token. */
    public static io.grpc.Metadata bearer(String token) {
        io.grpc.Metadata metadata = new io.grpc.Metadata();
        metadata.put(
                io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return metadata;
    }

    public static String gatewaySecret() {
        return secret("strata-gateway");
    }

    /**
     * A confidential client's secret ({@code strata-partner-demo} → {@code STRATA_PARTNER_DEMO_CLIENT_SECRET}):
     * from the environment, else from the local stack's secrets file.
     */
    public static String secret(String clientId) {
        String variable = "STRATA_"
                + clientId.replaceFirst("^strata-", "")
                        .toUpperCase(java.util.Locale.ROOT)
                        .replace('-', '_') + "_CLIENT_SECRET";
        String secret = System.getenv(variable);
        if (secret != null && !secret.isBlank()) {
            return secret;
        }
        String state = System.getenv("STRATA_STATE");
        java.nio.file.Path root =
                java.nio.file.Path.of(System.getProperty("strata.root", ".")).toAbsolutePath();
        for (java.nio.file.Path dir = root; dir != null; dir = dir.getParent()) {
            java.nio.file.Path file =
                    state != null ? java.nio.file.Path.of(state, "secrets.env") : dir.resolve(".strata/secrets.env");
            try {
                for (String line : java.nio.file.Files.readAllLines(file)) {
                    if (line.startsWith(variable + "=")) {
                        return line.substring(line.indexOf('=') + 1).strip();
                    }
                }
            } catch (IOException e) {
                // not here; look further up
            }
            if (state != null) {
                break;
            }
        }
        throw new IllegalStateException(
                "no secret of client " + clientId + ": set " + variable + " or start the local stack with ./strata up");
    }

    private static String token(String who, String form) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(issuer() + "/protocol/openid-connect/token"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        try {
            HttpResponse<String> response =
                    HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            Matcher token = ACCESS_TOKEN.matcher(response.body());
            if (response.statusCode() != 200 || !token.find()) {
                throw new IllegalStateException(
                        "Keycloak refused a token for " + who + ": " + response.statusCode() + " " + response.body());
            }
            return token.group(1);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Keycloak does not answer at " + issuer()
                            + "; start the local stack with ./strata up (or run the tests with ./strata test)",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
