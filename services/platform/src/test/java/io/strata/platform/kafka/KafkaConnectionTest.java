package io.strata.platform.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KafkaConnectionTest {

    @Test
    void aPlainClusterNeedsTheServersAlone() {
        assertEquals(
                Map.of("bootstrap.servers", "k:9092"), KafkaConnection.settings("k:9092", name -> Optional.empty()));
    }

    @Test
    void theConfiguredSecurityReachesTheClientAndNothingElseDoes() {
        Map<String, String> configured = Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "ssl.truststore.type", "PEM",
                "ssl.truststore.location", "/etc/strata/kafka-ca/ca.crt",
                "ssl.keystore.password", " ",
                "acks", "0");
        Map<String, Object> settings =
                KafkaConnection.settings("k:9093", name -> Optional.ofNullable(configured.get(name)));
        assertEquals(
                Map.of(
                        "bootstrap.servers", "k:9093",
                        "security.protocol", "SASL_SSL",
                        "sasl.mechanism", "SCRAM-SHA-512",
                        "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                        "ssl.truststore.type", "PEM",
                        "ssl.truststore.location", "/etc/strata/kafka-ca/ca.crt"),
                settings,
                "blank values and other client settings are not copied");
    }
}
