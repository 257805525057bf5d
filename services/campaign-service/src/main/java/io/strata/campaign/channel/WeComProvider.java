package io.strata.campaign.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * WeCom customer broadcasts ({@code POST /cgi-bin/externalcontact/add_msg_template}): messages of one
 * tenant, staff member (the sender, a WeCom userid) and template become one task with their
 * customers' external user ids, which the staff member confirms in WeCom before anything is
 * delivered; the task's {@code msgid} is each message's provider id, and the customers in its
 * {@code fail_list} are refused. The corp's id and secret are configured per tenant; the token
 * comes from {@code /cgi-bin/gettoken}. The monthly limit per customer is the send policy's
 * {@code wecom-monthly} cap, checked before a message is queued.
 *
 * <p>WeCom takes no idempotency key: a crash between the call and the ledger's commit may leave a
 * second task for the staff member to confirm or drop.
 */
public final class WeComProvider implements ChannelAdapter {

    /** WeCom accepts at most this many customers in one task. */
    static final int TASK_LIMIT = 10_000;

    private final URI base;
    private final Map<String, String> corpIds;
    private final Map<String, String> corpSecrets;
    private final WeChatApi api;

    public WeComProvider(
            URI base, Map<String, String> corpIds, Map<String, String> corpSecrets, Duration timeout, Clock clock) {
        this.base = base;
        this.corpIds = Map.copyOf(corpIds);
        this.corpSecrets = Map.copyOf(corpSecrets);
        this.api = new WeChatApi(timeout, clock);
    }

    @Override
    public List<Result> send(List<Message> messages) {
        var results = new Result[messages.size()];
        var tasks = new LinkedHashMap<List<String>, List<Integer>>();
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (m.address().isEmpty()) {
                results[i] = new Result.Rejected("no WeCom external user id");
            } else if (!corpIds.containsKey(m.tenant()) || !corpSecrets.containsKey(m.tenant())) {
                results[i] = new Result.Rejected("no WeCom corp configured for tenant " + m.tenant());
            } else if (m.body().isBlank()) {
                results[i] = new Result.Rejected("template " + m.template() + " has no text");
            } else {
                tasks.computeIfAbsent(List.of(m.tenant(), m.sender(), m.template()), k -> new ArrayList<>())
                        .add(i);
            }
        }
        for (var task : tasks.entrySet()) {
            List<Integer> members = task.getValue();
            for (int from = 0; from < members.size(); from += TASK_LIMIT) {
                var part = members.subList(from, Math.min(members.size(), from + TASK_LIMIT));
                Result[] answered = task(part.stream().map(messages::get).toList());
                for (int k = 0; k < part.size(); k++) {
                    results[part.get(k)] = answered[k];
                }
            }
        }
        return Arrays.asList(results);
    }

    private Result[] task(List<Message> messages) {
        Message first = messages.get(0);
        String tenant = first.tenant();
        ObjectNode body =
                WeChatApi.JSON.createObjectNode().put("chat_type", "single").put("sender", first.sender());
        var to = body.putArray("external_userid");
        messages.forEach(m -> to.add(m.address().get()));
        body.putObject("text").put("content", first.body());
        var out = new Result[messages.size()];
        for (int attempt = 0; attempt < 2; attempt++) {
            String token;
            try {
                token = api.token(
                        tenant,
                        () -> api.get(base.resolve("/cgi-bin/gettoken?corpid="
                                + URLEncoder.encode(corpIds.get(tenant), StandardCharsets.UTF_8) + "&corpsecret="
                                + URLEncoder.encode(corpSecrets.get(tenant), StandardCharsets.UTF_8))));
            } catch (WeChatApi.ApiException e) {
                Arrays.fill(out, new Result.Failed("WeCom token: " + e.errcode + " " + e.getMessage()));
                return out;
            }
            JsonNode answer = api.post(
                    base.resolve("/cgi-bin/externalcontact/add_msg_template?access_token="
                            + URLEncoder.encode(token, StandardCharsets.UTF_8)),
                    body);
            int errcode = answer.path("errcode").asInt(-1);
            if (WeChatApi.tokenRefused(errcode)) {
                api.forget(tenant);
                continue;
            }
            if (errcode != 0) {
                String reason = "WeCom " + errcode + " " + answer.path("errmsg").asText("");
                // a sender who is not a staff member with customer contact, or text WeCom refuses
                boolean forGood = errcode == 60111 || errcode == 41048 || errcode == 84061 || errcode == 40003;
                Arrays.fill(out, forGood ? new Result.Rejected(reason) : new Result.Failed(reason));
                return out;
            }
            Set<String> failed = new HashSet<>();
            answer.path("fail_list").forEach(f -> failed.add(f.asText()));
            String task = answer.path("msgid").asText("");
            for (int i = 0; i < messages.size(); i++) {
                String customer = messages.get(i).address().get();
                out[i] = failed.contains(customer)
                        ? new Result.Rejected(
                                "WeCom refused customer " + customer + " (not a contact of " + first.sender() + ")")
                        : new Result.Accepted(task);
            }
            return out;
        }
        Arrays.fill(out, new Result.Failed("WeCom refused two access tokens of tenant " + tenant));
        return out;
    }
}
