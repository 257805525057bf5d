package io.strata.platform.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Attributes;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CallerInterceptorTest {

    @Test
    void theDeadlineComesFromTheContextElseFromTheTimeoutHeader() {
        assertEquals(
                5_000,
                CallerInterceptor.remainingMillis(Deadline.after(5, TimeUnit.SECONDS), "1m"),
                100,
                "the context's deadline wins");
        assertEquals(1_500L, CallerInterceptor.remainingMillis(null, "1500m"));
        assertEquals(2_000L, CallerInterceptor.remainingMillis(null, "2S"));
        assertEquals(120_000L, CallerInterceptor.remainingMillis(null, "2M"));
        assertEquals(3_600_000L, CallerInterceptor.remainingMillis(null, "1H"));
        assertEquals(4_999L, CallerInterceptor.remainingMillis(null, "4999999u"));
        assertEquals(0L, CallerInterceptor.remainingMillis(null, "100n"));
        assertNull(CallerInterceptor.remainingMillis(null, null), "no deadline");
        assertNull(CallerInterceptor.remainingMillis(null, "soon"), "not a timeout");
        assertNull(CallerInterceptor.remainingMillis(null, "10x"), "no such unit");
        assertNull(CallerInterceptor.remainingMillis(null, "123456789S"), "more than 8 digits");
    }

    @Test
    void whatTheCallerSendsAsMethodOrDeadlineIsReplaced() {
        Metadata headers = new Metadata();
        headers.put(CallerInterceptor.METHOD_HEADER, "strata.profile.v1.ProfileService/Forged");
        headers.put(CallerInterceptor.DEADLINE_HEADER, "99999999999999");
        headers.put(CallerInterceptor.TIMEOUT_HEADER, "2S");
        AtomicReference<Metadata> seen = new AtomicReference<>();
        long before = System.currentTimeMillis();
        new CallerInterceptor().interceptCall(call("strata.profile.v1.ProfileService/GetProfile"), headers, (c, h) -> {
            seen.set(h);
            return new ServerCall.Listener<>() {};
        });
        assertEquals("strata.profile.v1.ProfileService/GetProfile", seen.get().get(CallerInterceptor.METHOD_HEADER));
        long deadline = Long.parseLong(seen.get().get(CallerInterceptor.DEADLINE_HEADER));
        assertTrue(deadline >= before + 2_000 && deadline <= System.currentTimeMillis() + 2_000, "from grpc-timeout");

        Metadata none = new Metadata();
        none.put(CallerInterceptor.DEADLINE_HEADER, "1");
        new CallerInterceptor().interceptCall(call("a.B/C"), none, (c, h) -> {
            seen.set(h);
            return new ServerCall.Listener<>() {};
        });
        assertNull(seen.get().get(CallerInterceptor.DEADLINE_HEADER), "a caller without a deadline has none");
    }

    private static ServerCall<byte[], byte[]> call(String method) {
        MethodDescriptor.Marshaller<byte[]> bytes = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(byte[] value) {
                return new ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(InputStream stream) {
                return new byte[0];
            }
        };
        MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(method)
                .setRequestMarshaller(bytes)
                .setResponseMarshaller(bytes)
                .build();
        return new ServerCall<>() {
            @Override
            public void request(int numMessages) {}

            @Override
            public void sendHeaders(Metadata headers) {}

            @Override
            public void sendMessage(byte[] message) {}

            @Override
            public void close(Status status, Metadata trailers) {}

            @Override
            public boolean isCancelled() {
                return false;
            }

            @Override
            public Attributes getAttributes() {
                return Attributes.EMPTY;
            }

            @Override
            public MethodDescriptor<byte[], byte[]> getMethodDescriptor() {
                return descriptor;
            }
        };
    }
}
