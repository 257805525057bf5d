package io.strata.dedup.streams;

import io.strata.dedup.domain.SeenKeys;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/** The seen keys in the task's window store: one entry per forwarded key, at its record time. */
final class WindowStoreSeenKeys implements SeenKeys {

    private static final byte[] NOTHING = new byte[0];

    private final WindowStore<String, byte[]> store;

    WindowStoreSeenKeys(WindowStore<String, byte[]> store) {
        this.store = store;
    }

    @Override
    public boolean seenBetween(String key, long from, long to) {
        try (WindowStoreIterator<byte[]> entries = store.fetch(key, from, to)) {
            return entries.hasNext();
        }
    }

    @Override
    public void remember(String key, long time) {
        store.put(key, NOTHING, time);
    }
}
