package io.strata.platform.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Server side of internal calls: puts the forwarded user's token ({@code strata-user-token}) and the
 * method's full name in the call's context, where {@link io.strata.platform.security.Access} reads
 * them. A service registers it as a global interceptor (a subclass annotated
 * {@code @GlobalInterceptor @ApplicationScoped}).
 */
public class CallerInterceptor implements ServerInterceptor {

    public static final String USER_TOKEN_METADATA = "strata-user-token";

    public static final Metadata.Key<String> USER_TOKEN_HEADER =
            Metadata.Key.of(USER_TOKEN_METADATA, Metadata.ASCII_STRING_MARSHALLER);
    public static final Context.Key<String> USER_TOKEN = Context.key(USER_TOKEN_METADATA);
    public static final Context.Key<String> METHOD = Context.key("strata-method");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Context context = Context.current()
                .withValue(USER_TOKEN, headers.get(USER_TOKEN_HEADER))
                .withValue(METHOD, call.getMethodDescriptor().getFullMethodName());
        return Contexts.interceptCall(context, call, headers, next);
    }
}
