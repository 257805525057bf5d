package io.strata.campaign.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What the WeChat and WeCom adapters share: JSON over HTTP, answers carrying {@code errcode}, and an
 * access token per app (or corp) that lives two hours, kept until five minutes before it expires
 * and fetched again at once when the API says it is no longer valid.
 */
final class WeChatApi {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The access token is missing, invalid or expired: fetch another and retry. */
    static boolean tokenRefused(int errcode) {
        return errcode == 40001 || errcode == 40014 || errcode == 42001 || errcode == 41001;
    }

    private record Token(String value, Instant expires) {}

    private final HttpClient client;
    private final Duration timeout;
    private final Clock clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    WeChatApi(Duration timeout, Clock clock) {
        this.timeout = timeout;
        this.clock = clock;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** The cached token of {@code key}, else one fetched with {@code fetch} (an answer with access_token and expires_in). */
    String token(String key, Supplier<JsonNode> fetch) throws ApiException {
        Token held = tokens.get(key);
        if (held != null && clock.instant().isBefore(held.expires())) {
            return held.value();
        }
        JsonNode answer = fetch.get();
        String value = answer.path("access_token").asText("");
        if (value.isEmpty()) {
            throw new ApiException(
                    answer.path("errcode").asInt(-1),
                    "no access token: " + answer.path("errmsg").asText(""));
        }
        long lives = answer.path("expires_in").asLong(7200);
        tokens.put(key, new Token(value, clock.instant().plusSeconds(Math.max(60, lives - 300))));
        return value;
    }

    void forget(String key) {
        tokens.remove(key);
    }

    JsonNode get(URI uri) {
        return call(HttpRequest.newBuilder(uri).timeout(timeout).GET().build());
    }

    JsonNode post(URI uri, JsonNode body) {
        return call(HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build());
    }

    private JsonNode call(HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return JSON.createObjectNode().put("errcode", -1).put("errmsg", "HTTP " + response.statusCode());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            return JSON.createObjectNode()
                    .put("errcode", -1)
                    .put("errmsg", e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.createObjectNode().put("errcode", -1).put("errmsg", "interrupted");
        }
    }

    /** An answer with a non-zero errcode. */
    static final class ApiException extends Exception {
        final int errcode;

        ApiException(int errcode, String message) {
            super(message);
            this.errcode = errcode;
        }
    }
}
