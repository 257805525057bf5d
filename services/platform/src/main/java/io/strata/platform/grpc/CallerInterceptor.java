package io.strata.platform.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import jakarta.enterprise.inject.spi.Prioritized;
import java.util.concurrent.TimeUnit;

/**
 * Server side of internal calls, before authentication: names the called method and the time the
 * caller gives up (its deadline) in the call's metadata ({@code strata-method},
 * {@code strata-deadline}, whatever the caller sent there), so that
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
    /** The gRPC protocol's timeout header, as the caller sent it. */
    static final Metadata.Key<String> TIMEOUT_HEADER =
            Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

    /** When the caller gives up (epoch milliseconds), from the call's deadline ({@code grpc-timeout}). */
    public static final Metadata.Key<String> DEADLINE_HEADER =
            Metadata.Key.of("strata-deadline", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        headers.discardAll(METHOD_HEADER);
        headers.put(METHOD_HEADER, call.getMethodDescriptor().getFullMethodName());
        headers.discardAll(DEADLINE_HEADER);
        Long remaining = remainingMillis(Context.current().getDeadline(), headers.get(TIMEOUT_HEADER));
        if (remaining != null) {
            headers.put(DEADLINE_HEADER, Long.toString(System.currentTimeMillis() + remaining));
        }
        return next.startCall(call, headers);
    }

    /**
     * The time the caller gives the call: its context's deadline (grpc-java's server sets it), or,
     * when the server leaves it unset (Quarkus serving gRPC on its HTTP server through Vert.x), the
     * {@code grpc-timeout} header the caller sent; null when it set none.
     */
    static Long remainingMillis(Deadline deadline, String grpcTimeout) {
        if (deadline != null) {
            return deadline.timeRemaining(TimeUnit.MILLISECONDS);
        }
        if (grpcTimeout == null || grpcTimeout.length() < 2 || grpcTimeout.length() > 9) {
            return null;
        }
        long amount;
        try {
            amount = Long.parseLong(grpcTimeout.substring(0, grpcTimeout.length() - 1));
        } catch (NumberFormatException e) {
            return null;
        }
        TimeUnit unit = switch (grpcTimeout.charAt(grpcTimeout.length() - 1)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            case 'n' -> TimeUnit.NANOSECONDS;
            default -> null;
        };
        return unit == null || amount < 0 ? null : unit.toMillis(amount);
    }

    /** Before the security interceptor (whose priority is {@code Integer.MAX_VALUE - 100}). */
    @Override
    public int getPriority() {
        return Integer.MAX_VALUE - 10;
    }
}
