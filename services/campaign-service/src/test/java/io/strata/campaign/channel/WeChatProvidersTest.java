package io.strata.campaign.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The WeChat and WeCom adapters against a local stand-in of their APIs. */
class WeChatProvidersTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private URI base;
    private final List<JsonNode> sent = new CopyOnWriteArrayList<>();
    private final List<String> tokenCalls = new CopyOnWriteArrayList<>();
    private final AtomicInteger tokenSerial = new AtomicInteger();
    /** The answer of the send endpoint to a body (and the token it came with). */
    private volatile Function<JsonNode, String> answer = b -> "{\"errcode\":0,\"errmsg\":\"ok\",\"msgid\":42}";

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/cgi-bin/stable_token", ex -> {
            JsonNode body = JSON.readTree(ex.getRequestBody());
            tokenCalls.add(
                    body.path("appid").asText() + "/" + body.path("secret").asText());
            reply(
                    ex,
                    body.path("secret").asText().equals("s3cret")
                            ? "{\"access_token\":\"t" + tokenSerial.incrementAndGet() + "\",\"expires_in\":7200}"
                            : "{\"errcode\":40125,\"errmsg\":\"invalid appsecret\"}");
        });
        server.createContext("/cgi-bin/gettoken", ex -> {
            tokenCalls.add(ex.getRequestURI().getQuery());
            reply(
                    ex,
                    "{\"errcode\":0,\"access_token\":\"c" + tokenSerial.incrementAndGet() + "\",\"expires_in\":7200}");
        });
        Function<HttpExchange, String> send = ex -> {
            try {
                JsonNode body = JSON.readTree(ex.getRequestBody());
                ((com.fasterxml.jackson.databind.node.ObjectNode) body)
                        .put("token", ex.getRequestURI().getQuery().replace("access_token=", ""));
                sent.add(body);
                return answer.apply(body);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        server.createContext("/cgi-bin/message/subscribe/send", ex -> reply(ex, send.apply(ex)));
        server.createContext("/cgi-bin/externalcontact/add_msg_template", ex -> reply(ex, send.apply(ex)));
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void reply(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private static ChannelAdapter.Message message(
            String key, String channel, String template, String body, String sender, String address) {
        return new ChannelAdapter.Message(
                key, "demo", "p-" + key, channel, template, body, sender, Optional.ofNullable(address), Map.of());
    }

    @Test
    void aSubscriptionMessageCarriesTheTemplatesFieldsWithOneTokenPerApp() {
        var wechat = new WeChatProvider(
                base,
                Map.of("demo", Map.of("wx1", "s3cret", "wx2", "wrong"), "acme", Map.of("wx9", "s3cret")),
                Duration.ofSeconds(5),
                Clock.systemUTC());
        String fields = "{\"thing1\":\"Your coupon\",\"time2\":\"2026-12-31\"}";

        var results = wechat.send(List.of(
                message("k1", "wechat", "TPL-A", fields, "wx1", "openid-1"),
                message("k2", "wechat", "TPL-A", fields, "wx1", "openid-2"),
                message("k3", "wechat", "TPL-A", fields, "wx2", "openid-3"),
                message("k4", "wechat", "TPL-A", fields, "wx9", "openid-4"),
                message("k5", "wechat", "TPL-A", fields, "wx1", null)));

        assertEquals(new ChannelAdapter.Result.Accepted("42"), results.get(0));
        assertEquals(new ChannelAdapter.Result.Accepted("42"), results.get(1));
        assertInstanceOf(ChannelAdapter.Result.Failed.class, results.get(2));
        assertEquals(
                new ChannelAdapter.Result.Rejected("no secret configured for WeChat app wx9 of tenant demo"),
                results.get(3));
        assertEquals(new ChannelAdapter.Result.Rejected("no WeChat openId"), results.get(4));
        assertEquals(List.of("wx1/s3cret", "wx2/wrong"), tokenCalls);
        assertEquals(2, sent.size());
        assertEquals("openid-1", sent.get(0).path("touser").asText());
        assertEquals("TPL-A", sent.get(0).path("template_id").asText());
        assertEquals(
                "Your coupon",
                sent.get(0).path("data").path("thing1").path("value").asText());
        assertEquals("t1", sent.get(1).path("token").asText());
    }

    @Test
    void anExpiredTokenIsFetchedAgainAndARefusedAcceptanceIsNotRetried() {
        var wechat = new WeChatProvider(
                base, Map.of("demo", Map.of("wx1", "s3cret")), Duration.ofSeconds(5), Clock.systemUTC());
        wechat.send(List.of(message("k1", "wechat", "T", "", "wx1", "o1")));
        // WeChat says the token expired once, then that the person has no acceptance left
        var answers = new ArrayList<>(List.of(
                "{\"errcode\":42001,\"errmsg\":\"access_token expired\"}",
                "{\"errcode\":43101,\"errmsg\":\"user refuse to accept the msg\"}",
                "{\"errcode\":-1,\"errmsg\":\"system error\"}"));
        answer = b -> answers.remove(0);

        var refused = wechat.send(List.of(message("k2", "wechat", "T", "", "wx1", "o1")));
        var busy = wechat.send(List.of(message("k3", "wechat", "T", "", "wx1", "o1")));

        assertInstanceOf(ChannelAdapter.Result.Rejected.class, refused.get(0));
        assertTrue(
                ((ChannelAdapter.Result.Rejected) refused.get(0)).reason().contains("43101"),
                ((ChannelAdapter.Result.Rejected) refused.get(0)).reason());
        assertInstanceOf(ChannelAdapter.Result.Failed.class, busy.get(0));
        assertEquals(2, tokenCalls.size());
        assertEquals(
                List.of("t1", "t1", "t2", "t2"),
                sent.stream().map(b -> b.path("token").asText()).toList());
    }

    @Test
    void weComMessagesOfOneStaffMemberAndTemplateBecomeOneTaskAndItsFailuresAreRefused() {
        var wecom = new WeComProvider(
                base, Map.of("demo", "ww1"), Map.of("demo", "cs"), Duration.ofSeconds(5), Clock.systemUTC());
        answer = b -> b.path("sender").asText().equals("staff-a")
                ? "{\"errcode\":0,\"errmsg\":\"ok\",\"fail_list\":[\"wm-2\"],\"msgid\":\"task-a\"}"
                : "{\"errcode\":0,\"errmsg\":\"ok\",\"fail_list\":[],\"msgid\":\"task-b\"}";

        var results = wecom.send(List.of(
                message("k1", "wecom", "hello", "新品到店", "staff-a", "wm-1"),
                message("k2", "wecom", "hello", "新品到店", "staff-a", "wm-2"),
                message("k3", "wecom", "hello", "新品到店", "staff-b", "wm-3"),
                message("k4", "wecom", "hello", "新品到店", "staff-a", "wm-4"),
                message("k5", "wecom", "empty", "", "staff-a", "wm-5")));

        assertEquals(new ChannelAdapter.Result.Accepted("task-a"), results.get(0));
        assertInstanceOf(ChannelAdapter.Result.Rejected.class, results.get(1));
        assertEquals(new ChannelAdapter.Result.Accepted("task-b"), results.get(2));
        assertEquals(new ChannelAdapter.Result.Accepted("task-a"), results.get(3));
        assertEquals(new ChannelAdapter.Result.Rejected("template empty has no text"), results.get(4));
        assertEquals(2, sent.size());
        assertEquals(
                "[\"wm-1\",\"wm-2\",\"wm-4\"]",
                sent.get(0).path("external_userid").toString());
        assertEquals("新品到店", sent.get(0).path("text").path("content").asText());
        assertEquals("single", sent.get(0).path("chat_type").asText());
        assertEquals(List.of("corpid=ww1&corpsecret=cs"), tokenCalls);
    }
}
