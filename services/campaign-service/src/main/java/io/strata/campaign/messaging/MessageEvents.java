package io.strata.campaign.messaging;

import com.google.protobuf.Timestamp;
import io.strata.campaign.repository.Db;
import io.strata.platform.kafka.Keys;
import io.strata.platform.outbox.OutboxRecords;
import io.strata.proto.campaign.v1.MessageEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;

/**
 * The records of {@code strata.messages.v1} a transaction writes (one per message whose state it
 * changed), collected and written to the outbox at its end: one row for all of them.
 */
public final class MessageEvents {

    private final String topic;
    private final OutboxRecords records = new OutboxRecords();

    /** Records for {@code topic} ({@code strata.campaign.messages-topic}). */
    public MessageEvents(String topic) {
        this.topic = topic;
    }

    /** What is known of a message: its key, who, from which journey step, through what. */
    public record Message(
            String tenant,
            String profileId,
            String sendKey,
            String journeyKey,
            int version,
            String node,
            String channel,
            String template,
            String sender,
            String arm,
            boolean marketing) {}

    public void add(Message m, String status, String reason, String detail, Instant at) {
        var event = MessageEvent.newBuilder()
                .setEventId(m.sendKey() + "/" + status)
                .setTenant(m.tenant())
                .setProfileId(m.profileId())
                .setSendKey(m.sendKey())
                .setJourneyKey(nz(m.journeyKey()))
                .setVersion(m.version())
                .setNode(nz(m.node()))
                .setChannel(m.channel())
                .setTemplate(m.template())
                .setSender(nz(m.sender()))
                .setArm(nz(m.arm()))
                .setMarketing(m.marketing())
                .setStatus(status)
                .setReason(nz(reason))
                .setDetail(nz(detail))
                .setAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
                .build();
        records.add(topic, Keys.profile(m.tenant(), m.profileId()), event.toByteArray());
    }

    public boolean isEmpty() {
        return records.isEmpty();
    }

    /** Writes the collected records to the outbox (in the caller's transaction). */
    public void write(Db.Session s) {
        if (records.isEmpty()) {
            return;
        }
        s.query(
                "insert into message_outbox (records, payload) values ($1, $2)",
                Tuple.of(records.size(), Buffer.buffer(records.encode())));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
