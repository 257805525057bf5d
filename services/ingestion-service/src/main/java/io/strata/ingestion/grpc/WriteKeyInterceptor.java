package io.strata.ingestion.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.strata.ingestion.rest.WriteKeyHeader;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Puts the write key of the {@code authorization: Basic ...} metadata, and the source a partner's
 * token names in {@code strata-source}, in the call's context. Bearer tokens themselves are
 * verified by quarkus-oidc before the call reaches the service.
 */
@ApplicationScoped
public class WriteKeyInterceptor implements ServerInterceptor {

    static final Context.Key<String> WRITE_KEY = Context.key("strata-write-key");
    static final Context.Key<String> SOURCE = Context.key("strata-source");
    static final String SOURCE_METADATA = "strata-source";
    private static final Metadata.Key<String> SOURCE_HEADER =
            Metadata.Key.of(SOURCE_METADATA, Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Context context = Context.current()
                .withValue(WRITE_KEY, WriteKeyHeader.parse(headers.get(AUTHORIZATION)))
                .withValue(SOURCE, headers.get(SOURCE_HEADER));
        return Contexts.interceptCall(context, call, headers, next);
    }
}
