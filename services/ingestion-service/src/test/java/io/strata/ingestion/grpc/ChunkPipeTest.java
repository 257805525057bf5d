package io.strata.ingestion.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkPipeTest {

    @Test
    void chunksReadAsOneStreamAndEachFinishedChunkIsAcknowledged() throws IOException {
        List<Long> acknowledged = new ArrayList<>();
        ChunkPipe pipe = new ChunkPipe(1 << 20, 1_000, acknowledged::add);
        pipe.offer(ByteString.copyFromUtf8("abc"));
        pipe.offer(ByteString.EMPTY);
        pipe.offer(ByteString.copyFromUtf8("defg"));
        pipe.end();
        assertArrayEquals("abcdefg".getBytes(), pipe.readAllBytes());
        assertEquals(List.of(3L, 7L), acknowledged);
        assertEquals(-1, pipe.read());
    }

    @Test
    void aSenderBeyondTheBoundBreaksTheStream() {
        ChunkPipe pipe = new ChunkPipe(10, 1_000, consumed -> {});
        pipe.offer(ByteString.copyFromUtf8("0123456789"));
        pipe.offer(ByteString.copyFromUtf8("x"));
        IOException e = assertThrows(IOException.class, pipe::readAllBytes);
        assertTrue(e.getMessage().contains("beyond what was read"), e.getMessage());
    }

    @Test
    void aBrokenOrSilentStreamEndsTheReader() {
        ChunkPipe broken = new ChunkPipe(100, 1_000, consumed -> {});
        broken.fail(new IllegalStateException("cancelled"));
        assertThrows(IOException.class, broken::read);
        ChunkPipe silent = new ChunkPipe(100, 50, consumed -> {});
        IOException e = assertThrows(IOException.class, silent::read);
        assertTrue(e.getMessage().contains("no bytes"), e.getMessage());
    }

    @Test
    void aTrickleCannotHoldTheReaderPastItsDeadline() throws Exception {
        ChunkPipe pipe = new ChunkPipe(100, 10_000, consumed -> {});
        pipe.deadline(Duration.ofMillis(300), () -> new IllegalStateException("past the deadline"));
        // a byte every 50 ms, far within the idle timeout
        Thread trickle = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 100 && !Thread.currentThread().isInterrupted(); i++) {
                pipe.offer(ByteString.copyFromUtf8("x"));
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            pipe.end();
        });
        long started = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, pipe::readAllBytes);
        trickle.interrupt();
        assertEquals("past the deadline", e.getMessage());
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMillis < 2_000, "ended at the deadline, not with the trickle: " + tookMillis + " ms");

        ChunkPipe silent = new ChunkPipe(100, 10_000, consumed -> {});
        silent.deadline(Duration.ofMillis(100), () -> new IllegalStateException("past the deadline"));
        assertThrows(IllegalStateException.class, silent::read, "a deadline before the idle timeout wins");
    }
}
