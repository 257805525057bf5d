package io.strata.platform.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.CommonClientConfigs;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * How every Kafka client a service makes itself connects: the bootstrap servers and, where the
 * cluster asks for them, the TLS and SASL settings of the service's {@code kafka.*} configuration
 * (in a deployment the environment: {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM},
 * {@code KAFKA_SASL_JAAS_CONFIG}, {@code KAFKA_SSL_TRUSTSTORE_TYPE}, {@code KAFKA_SSL_TRUSTSTORE_LOCATION}…).
 * The channels of SmallRye Reactive Messaging read the same {@code kafka.*} settings.
 */
public final class KafkaConnection {

    /** The connection settings a client takes from {@code kafka.<name>}; nothing else is copied. */
    static final List<String> SETTINGS = List.of(
            "security.protocol",
            "sasl.mechanism",
            "sasl.jaas.config",
            "ssl.truststore.type",
            "ssl.truststore.location",
            "ssl.truststore.password",
            "ssl.keystore.type",
            "ssl.keystore.location",
            "ssl.keystore.password",
            "ssl.endpoint.identification.algorithm");

    private KafkaConnection() {}

    /** The settings of a new client: these servers, and the configured security. */
    public static Map<String, Object> settings(String bootstrapServers) {
        var config = ConfigProvider.getConfig();
        return settings(bootstrapServers, name -> config.getOptionalValue("kafka." + name, String.class));
    }

    static Map<String, Object> settings(String bootstrapServers, Function<String, Optional<String>> configured) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        for (String name : SETTINGS) {
            configured.apply(name).filter(v -> !v.isBlank()).ifPresent(v -> props.put(name, v));
        }
        return props;
    }
}
