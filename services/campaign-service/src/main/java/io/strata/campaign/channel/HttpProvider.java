package io.strata.campaign.channel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A provider reached over HTTP: each message is POSTed as JSON to the configured URL with its send
 * key in the {@code Idempotency-Key} header (the SMS gateway, push service, mail service or a
 * webhook of the brand's own). 2xx is accepted (the body's {@code id}, if any, is the provider's
 * id), 408/429/5xx and network errors are retried, other 4xx are refused for good.
 */
public final class HttpProvider implements ChannelAdapter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final HttpClient client;
    private final Duration timeout;

    public HttpProvider(URI url, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public List<Result> send(List<Message> messages) {
        var calls = new ArrayList<CompletableFuture<Result>>();
        for (Message m : messages) {
            ObjectNode body = JSON.createObjectNode()
                    .put("sendKey", m.sendKey())
                    .put("tenant", m.tenant())
                    .put("profileId", m.profileId())
                    .put("channel", m.channel())
                    .put("template", m.template())
                    .put("body", m.body())
                    .put("sender", m.sender());
            m.address().ifPresent(a -> body.put("address", a));
            var vars = body.putObject("variables");
            m.variables().forEach(vars::put);
            var request = HttpRequest.newBuilder(url)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", m.sendKey())
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build();
            calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .handle((response, error) -> result(response, error)));
        }
        return calls.stream().map(CompletableFuture::join).toList();
    }

    private static Result result(HttpResponse<String> response, Throwable error) {
        if (error != null) {
            return new Result.Failed(error.getClass().getSimpleName() + ": " + error.getMessage());
        }
        int code = response.statusCode();
        if (code >= 200 && code < 300) {
            String id = "";
            try {
                id = JSON.readTree(response.body()).path("id").asText("");
            } catch (IOException e) {
                // a body that is not JSON: no provider id
            }
            return new Result.Accepted(id);
        }
        if (code == 408 || code == 429 || code >= 500) {
            return new Result.Failed("HTTP " + code);
        }
        return new Result.Rejected("HTTP " + code);
    }
}
