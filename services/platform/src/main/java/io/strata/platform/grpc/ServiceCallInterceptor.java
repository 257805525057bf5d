package io.strata.platform.grpc;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.Executor;

/**
 * Client side of internal calls: every call carries the service's own token as
 * {@code authorization: Bearer} (fetched without blocking, shared while it is fresh), and a call made
 * for a user also carries that user's access token in {@code strata-user-token}, taken from the
 * call option {@link #FOR_USER}:
 *
 * <pre>{@code stub.withOption(ServiceCallInterceptor.FOR_USER, userToken).withDeadlineAfter(...)}</pre>
 *
 * A service registers it as a global client interceptor (a subclass annotated
 * {@code @GlobalInterceptor @ApplicationScoped} that hands over its {@link TokenSource}).
 */
public class ServiceCallInterceptor implements ClientInterceptor {

    /** The user a call is made for: that user's raw access token. */
    public static final CallOptions.Key<String> FOR_USER = CallOptions.Key.create("strata-for-user");

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final CallCredentials credentials;

    public ServiceCallInterceptor(TokenSource tokens) {
        this.credentials = new Bearer(tokens);
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        String user = options.getOption(FOR_USER);
        ClientCall<Q, R> call = next.newCall(method, options.withCallCredentials(credentials));
        if (user == null) {
            return call;
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                headers.put(CallerInterceptor.USER_TOKEN_HEADER, user);
                super.start(listener, headers);
            }
        };
    }

    /** The service's token as call credentials: asked for when the call starts, never blocking it. */
    private static final class Bearer extends CallCredentials {
        private final TokenSource tokens;

        Bearer(TokenSource tokens) {
            this.tokens = tokens;
        }

        @Override
        public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
            tokens.token()
                    .subscribe()
                    .with(
                            token -> {
                                Metadata metadata = new Metadata();
                                metadata.put(AUTHORIZATION, "Bearer " + token.value());
                                applier.apply(metadata);
                            },
                            failure -> applier.fail(Status.UNAVAILABLE
                                    .withDescription("no service token for the call: " + failure.getMessage())
                                    .withCause(failure)));
        }
    }
}
