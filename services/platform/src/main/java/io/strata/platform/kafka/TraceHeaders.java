package io.strata.platform.kafka;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The trace context in Kafka record headers (W3C {@code traceparent}, {@code tracestate}, in
 * whatever form the configured propagators write), so one event is followed from the request that
 * brought it through every stage that handles it. Used where a service drives Kafka's own clients;
 * the SmallRye connector and the HTTP and gRPC layers propagate it themselves.
 *
 * <p>With the OpenTelemetry SDK disabled (the default) the propagators are no-ops: nothing is
 * written and every extracted context is the root.
 */
public final class TraceHeaders {

    private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            for (Header header : headers) {
                keys.add(header.key());
            }
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            if (headers == null) {
                return null;
            }
            Header header = headers.lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    /** Replaces a header of the same name: a record forwarded by a stage carries that stage's span. */
    private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
        if (headers != null) {
            headers.remove(key);
            headers.add(key, value.getBytes(StandardCharsets.UTF_8));
        }
    };

    private TraceHeaders() {}

    /** The context a record's producer sent with it (the root context when there is none). */
    public static Context extract(OpenTelemetry telemetry, Headers headers) {
        return telemetry.getPropagators().getTextMapPropagator().extract(Context.root(), headers, GETTER);
    }

    /** Writes {@code context} into {@code headers}, replacing any trace context already there. */
    public static void inject(OpenTelemetry telemetry, Context context, Headers headers) {
        telemetry.getPropagators().getTextMapPropagator().inject(context, headers, SETTER);
    }
}
