package io.strata.ingestion.grpc;

import jakarta.enterprise.context.ApplicationScoped;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.strata.ingestion.rest.WriteKeyHeader;

/** Puts the write key of the {@code authorization: Basic ...} metadata in the call's context. */
@ApplicationScoped
public class WriteKeyInterceptor implements ServerInterceptor {

    static final Context.Key<String> WRITE_KEY = Context.key("strata-write-key");
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Context context = Context.current().withValue(WRITE_KEY, WriteKeyHeader.parse(headers.get(AUTHORIZATION)));
        return Contexts.interceptCall(context, call, headers, next);
    }
}
