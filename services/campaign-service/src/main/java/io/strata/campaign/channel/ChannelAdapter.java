package io.strata.campaign.channel;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A channel's provider: SMS gateway, push service, mail service, WeChat, WeCom or a webhook. The
 * dispatcher hands it messages in batches, each with its send key, which the adapter passes on as
 * the provider's idempotency key: a message handed over again after a crash is not delivered twice
 * by a provider that honours it.
 */
public interface ChannelAdapter {

    /**
     * One message: the recipient's address on the channel (phone, email, device token, openId,
     * WeCom external user id…), the template's key and its approved body (empty when the provider
     * holds the template itself).
     */
    record Message(
            String sendKey,
            String tenant,
            String profileId,
            String channel,
            String template,
            String body,
            String sender,
            Optional<String> address,
            Map<String, String> variables) {}

    /** What the provider answered for one message. */
    sealed interface Result {
        /** Taken: it will be delivered (a receipt may follow). */
        record Accepted(String providerId) implements Result {}

        /** Refused for good (no address, template not approved…): not retried. */
        record Rejected(String reason) implements Result {}

        /** Not taken now (timeout, 5xx, throttled): retried with back-off. */
        record Failed(String reason) implements Result {}
    }

    /** The results, one per message and in their order. */
    List<Result> send(List<Message> messages);
}
