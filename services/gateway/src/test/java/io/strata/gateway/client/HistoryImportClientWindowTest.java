package io.strata.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class HistoryImportClientWindowTest {

    @Test
    void aChunkBeyondTheWindowWaitsForTheAcknowledgement() throws Exception {
        HistoryImportClient.Window window = new HistoryImportClient.Window(HistoryImportClient.STALL);
        assertTrue(window.awaitRoom(HistoryImportClient.WINDOW), "a full window may go at once");
        CompletableFuture<Boolean> next = CompletableFuture.supplyAsync(() -> {
            try {
                return window.awaitRoom(HistoryImportClient.WINDOW + HistoryImportClient.CHUNK);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Assertions.assertThrows(
                TimeoutException.class,
                () -> next.get(200, TimeUnit.MILLISECONDS),
                "nothing acknowledged yet: the next chunk waits");
        window.acknowledge(HistoryImportClient.CHUNK);
        assertTrue(next.get(5, TimeUnit.SECONDS));
    }

    @Test
    void anEndedCallReleasesTheSender() throws Exception {
        HistoryImportClient.Window window = new HistoryImportClient.Window(HistoryImportClient.STALL);
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return window.awaitRoom(10 * HistoryImportClient.WINDOW);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        window.close();
        assertFalse(waiting.get(5, TimeUnit.SECONDS));
    }

    @Test
    void progressWithoutNewBytesKeepsTheSenderWaitingAndSilenceEndsIt() throws Exception {
        HistoryImportClient.Window window = new HistoryImportClient.Window(Duration.ofMillis(400));
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return window.awaitRoom(10 * HistoryImportClient.WINDOW);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // a slowly limited source: ingestion stores batches, reads no new chunk, for longer than the stall time
        long until = System.nanoTime() + Duration.ofMillis(1_200).toNanos();
        while (System.nanoTime() < until) {
            window.acknowledge(0);
            assertFalse(waiting.isDone(), "progress keeps the import alive");
            assertFalse(window.stalled());
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        // then silence
        ExecutionException silent = Assertions.assertThrows(
                ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS), "silence ends the wait");
        assertTrue(silent.getCause() instanceof StatusRuntimeException, String.valueOf(silent.getCause()));
        assertEquals(
                Status.Code.DEADLINE_EXCEEDED,
                ((StatusRuntimeException) silent.getCause()).getStatus().getCode());
        assertTrue(window.stalled());
    }
}
