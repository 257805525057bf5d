package io.strata.gateway.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class HistoryImportClientWindowTest {

    @Test
    void aChunkBeyondTheWindowWaitsForTheAcknowledgement() throws Exception {
        HistoryImportClient.Window window = new HistoryImportClient.Window();
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
        HistoryImportClient.Window window = new HistoryImportClient.Window();
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
}
