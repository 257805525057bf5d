package io.strata.campaign.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * WeChat subscription messages ({@code POST /cgi-bin/message/subscribe/send}): the sender is the
 * mini-program's or official account's appId, the address the person's openId, the template the
 * WeChat template id. The template's body, when it is a JSON object, gives the message's fields
 * ({@code {"thing1": "…", "time2": "…"}}); the message's variables fill or override them, and the
 * variable {@code page} is the page the message opens. The app's access token comes from
 * {@code /cgi-bin/stable_token} with the secret configured for the tenant and appId (a tenant sends
 * through its own apps only).
 *
 * <p>WeChat takes no idempotency key: exactly-once rests on the send ledger (a crash between the call
 * and the ledger's commit may repeat a message, which the spent acceptance then refuses with 43101).
 */
public final class WeChatProvider implements ChannelAdapter {

    /** Refused for good: no acceptance left (43101), an openId, template or field WeChat does not know. */
    private static final Set<Integer> REJECTED = Set.of(43101, 40003, 40037, 47003, 43107, 43108, 40036);

    private final URI base;
    /** Tenant → appId → secret: a tenant sends only through its own apps. */
    private final Map<String, Map<String, String>> secrets;

    private final WeChatApi api;

    public WeChatProvider(URI base, Map<String, Map<String, String>> secrets, Duration timeout, Clock clock) {
        this.base = base;
        this.secrets = Map.copyOf(secrets);
        this.api = new WeChatApi(timeout, clock);
    }

    @Override
    public List<Result> send(List<Message> messages) {
        var out = new ArrayList<Result>();
        for (Message m : messages) {
            out.add(one(m));
        }
        return out;
    }

    private Result one(Message m) {
        if (m.address().isEmpty()) {
            return new Result.Rejected("no WeChat openId");
        }
        String secret = secrets.getOrDefault(m.tenant(), Map.of()).get(m.sender());
        if (secret == null) {
            return new Result.Rejected(
                    "no secret configured for WeChat app " + m.sender() + " of tenant " + m.tenant());
        }
        ObjectNode body = WeChatApi.JSON
                .createObjectNode()
                .put("touser", m.address().get())
                .put("template_id", m.template());
        ObjectNode data = body.putObject("data");
        fields(m.body())
                .forEachRemaining(f ->
                        data.putObject(f.getKey()).put("value", f.getValue().asText()));
        m.variables().forEach((k, v) -> {
            if (k.equals("page")) {
                body.put("page", v);
            } else {
                data.putObject(k).put("value", v);
            }
        });
        String app = m.tenant() + "/" + m.sender(); // the token's cache key: a tenant's app
        for (int attempt = 0; attempt < 2; attempt++) {
            String token;
            try {
                token = api.token(
                        app,
                        () -> api.post(
                                base.resolve("/cgi-bin/stable_token"),
                                WeChatApi.JSON
                                        .createObjectNode()
                                        .put("grant_type", "client_credential")
                                        .put("appid", m.sender())
                                        .put("secret", secret)));
            } catch (WeChatApi.ApiException e) {
                return new Result.Failed("WeChat token for " + m.sender() + ": " + e.errcode + " " + e.getMessage());
            }
            JsonNode answer = api.post(
                    base.resolve("/cgi-bin/message/subscribe/send?access_token="
                            + URLEncoder.encode(token, StandardCharsets.UTF_8)),
                    body);
            int errcode = answer.path("errcode").asInt(-1);
            if (errcode == 0) {
                return new Result.Accepted(answer.path("msgid").asText(""));
            }
            String reason = "WeChat " + errcode + " " + answer.path("errmsg").asText("");
            if (WeChatApi.tokenRefused(errcode)) {
                api.forget(app);
                continue;
            }
            return REJECTED.contains(errcode) ? new Result.Rejected(reason) : new Result.Failed(reason);
        }
        return new Result.Failed("WeChat refused two access tokens of app " + m.sender());
    }

    private static Iterator<Map.Entry<String, JsonNode>> fields(String templateBody) {
        try {
            JsonNode node = WeChatApi.JSON.readTree(templateBody);
            if (node != null && node.isObject()) {
                return node.fields();
            }
        } catch (java.io.IOException e) {
            // a plain-text body names no fields
        }
        return java.util.Collections.emptyIterator();
    }
}
