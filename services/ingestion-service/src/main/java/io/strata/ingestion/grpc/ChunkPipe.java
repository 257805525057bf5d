package io.strata.ingestion.grpc;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The bytes of a file arriving as messages of a stream, read as an {@link InputStream} by a worker
 * thread. The sender keeps a bounded window of bytes unacknowledged ({@code consumed} tells it how
 * far the reader got); a sender that ignores it is cut off at {@code maxBuffered} bytes.
 */
final class ChunkPipe extends InputStream {

    /** The stream of chunks failed (the caller broke it, went silent or overran the window): no fault of the file. */
    static final class Broken extends IOException {
        Broken(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final ByteString END = ByteString.copyFromUtf8("end");

    private final BlockingQueue<ByteString> chunks = new LinkedBlockingQueue<>();
    private final long maxBuffered;
    private final long idleTimeoutMillis;
    private final LongConsumer consumed;
    private volatile long buffered;
    private volatile Throwable failure;
    private ByteString current = ByteString.EMPTY;
    private int position;
    private long total;
    private boolean ended;
    private volatile long deadlineNanos;
    private volatile Supplier<RuntimeException> pastDeadline;

    /**
     * @param consumed told the total of bytes read each time the reader finishes a chunk
     */
    ChunkPipe(long maxBuffered, long idleTimeoutMillis, LongConsumer consumed) {
        this.maxBuffered = maxBuffered;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.consumed = consumed;
    }

    /**
     * The reader fails with {@code failure} once {@code left} has passed, however the caller sends:
     * a trickle of bytes, each within the idle timeout, cannot hold an import open for longer.
     */
    void deadline(Duration left, Supplier<RuntimeException> failure) {
        this.deadlineNanos = System.nanoTime() + left.toNanos();
        this.pastDeadline = failure;
    }

    /** Called by the stream, one chunk at a time, in order. */
    void offer(ByteString chunk) {
        if (chunk.isEmpty() || failure != null) {
            return; // a broken pipe keeps nothing more
        }
        synchronized (this) {
            buffered += chunk.size();
            if (buffered > maxBuffered) {
                fail(new IOException("the caller sent more than " + maxBuffered + " bytes beyond what was read"));
                return;
            }
        }
        chunks.add(chunk);
    }

    /** The file is complete. */
    void end() {
        chunks.add(END);
    }

    /** The stream broke: the reader gets an IOException. */
    void fail(Throwable cause) {
        failure = cause;
        chunks.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (!next()) {
            return -1;
        }
        int n = Math.min(length, current.size() - position);
        current.copyTo(buffer, position, offset, n);
        position += n;
        total += n;
        if (position == current.size()) {
            synchronized (this) {
                buffered -= current.size();
            }
            consumed.accept(total);
        }
        return n;
    }

    /** Makes {@code current} hold unread bytes; false at the end of the file. */
    private boolean next() throws IOException {
        while (position == current.size()) {
            if (ended) {
                return false;
            }
            long wait = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
            Supplier<RuntimeException> limit = pastDeadline;
            if (limit != null) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw limit.get();
                }
                wait = Math.min(wait, left);
            }
            ByteString chunk;
            try {
                chunk = chunks.poll(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Broken("interrupted while waiting for the file", e);
            }
            if (chunk == null) {
                if (limit != null && deadlineNanos - System.nanoTime() <= 0) {
                    throw limit.get();
                }
                throw new Broken("no bytes of the file for " + idleTimeoutMillis / 1000 + " s", null);
            }
            if (failure != null) {
                throw new Broken("the file's stream broke: " + failure.getMessage(), failure);
            }
            if (chunk == END) {
                ended = true;
                return false;
            }
            current = chunk;
            position = 0;
        }
        return true;
    }

    long total() {
        return total;
    }
}
