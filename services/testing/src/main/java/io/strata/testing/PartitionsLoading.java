package io.strata.testing;

import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Calls to a service scaled out over the feed's partitions, which answers UNAVAILABLE ("retry
 * shortly") while a rebalance moves partitions between its replicas.
 */
public final class PartitionsLoading {

    private PartitionsLoading() {}

    /** Whether the failure is that answer. */
    public static boolean loading(Throwable failure) {
        return failure instanceof StatusRuntimeException e
                && e.getStatus().getCode() == Status.Code.UNAVAILABLE
                && String.valueOf(e.getStatus().getDescription()).contains("retry shortly");
    }

    /** The call, made again while it answers that a partition is loading; any other failure, and every answer, as it came. */
    public static <T> T retrying(Callable<T> call, Duration wait) {
        return await().atMost(wait)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptionsMatching(PartitionsLoading::loading)
                .until(call, answer -> true);
    }
}
