package io.strata.platform.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import jakarta.enterprise.inject.spi.Prioritized;

/**
 * Server side of internal calls, before authentication: names the called method in the call's
 * metadata ({@code strata-method}, whatever the caller sent there), so that
 * {@link BearerTokenMechanism} puts it, with the forwarded user's token ({@code strata-user-token}),
 * on the call's identity for {@link io.strata.platform.security.Access}. A service registers it as a
 * global interceptor (a subclass annotated {@code @GlobalInterceptor @ApplicationScoped}).
 */
public class CallerInterceptor implements ServerInterceptor, Prioritized {

    public static final String USER_TOKEN_METADATA = "strata-user-token";

    public static final Metadata.Key<String> USER_TOKEN_HEADER =
            Metadata.Key.of(USER_TOKEN_METADATA, Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> METHOD_HEADER =
            Metadata.Key.of("strata-method", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        headers.discardAll(METHOD_HEADER);
        headers.put(METHOD_HEADER, call.getMethodDescriptor().getFullMethodName());
        return next.startCall(call, headers);
    }

    /** Before the security interceptor (whose priority is {@code Integer.MAX_VALUE - 100}). */
    @Override
    public int getPriority() {
        return Integer.MAX_VALUE - 10;
    }
}
