package io.strata.ingestion.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With no broker to be reached, a request is refused within about max.block.ms, not once per event. */
class EventProducerTest {

    @Test
    void anUnreachableBrokerRefusesARequestAtOnceNotEventByEvent() {
        // nothing listens on port 1; each send would wait max.block.ms (300 ms) for metadata
        EventProducer producer = new EventProducer(
                Map.of("bootstrap.servers", "127.0.0.1:1", "max.block.ms", "300"), "strata.events.v1");
        try {
            List<Event> events = Collections.nCopies(
                    100,
                    Event.newBuilder()
                            .setType(EventType.EVENT_TYPE_TRACK)
                            .setTenant("t")
                            .setUserId("u")
                            .setEvent("X")
                            .build());
            // 100 events × 300 ms would be 30 s; refused after the first, it is well under the bound
            boolean[] first = producer.publish(events).await().atMost(Duration.ofSeconds(5));
            assertArrayEquals(new boolean[100], first);
            boolean[] next = producer.publish(events).await().atMost(Duration.ofSeconds(1));
            assertArrayEquals(new boolean[100], next, "the next request is refused without waiting");
        } finally {
            producer.close();
        }
    }
}
