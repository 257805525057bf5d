package io.strata.demo;

import com.fasterxml.jackson.core.JsonGenerator;
import io.strata.demo.Identifiers.Device;
import java.io.IOException;
import java.util.List;

/**
 * One Segment call of a consumer's history, before it is written: who, when, what. Properties
 * and traits are written by a callback, so an event costs no map.
 */
final class SegmentEvent {

    /** Writes the fields of an object (properties or traits). */
    @FunctionalInterface
    interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    /** An entry of {@code context.externalIds}. */
    record ExternalId(String id, String type) {}

    final long time;
    final int seq;
    final String type;
    final String name;
    final String userId;
    final Device device;
    final Fields properties;
    final Fields traits;
    final List<ExternalId> externalIds;
    /** A message id of the event's own, or null for the generated one. */
    final String messageId;

    SegmentEvent(
            long time,
            int seq,
            String type,
            String name,
            String userId,
            Device device,
            Fields properties,
            Fields traits,
            List<ExternalId> externalIds,
            String messageId) {
        this.time = time;
        this.seq = seq;
        this.type = type;
        this.name = name;
        this.userId = userId;
        this.device = device;
        this.properties = properties;
        this.traits = traits;
        this.externalIds = externalIds;
        this.messageId = messageId;
    }
}
