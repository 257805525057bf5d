package io.strata.segmentation.engine;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The profile ids of a {@link ProfileTable} and their ordinals, both ways, in little memory: an id
 * in UUID's canonical form (as profile-service gives every profile) is held as two longs per
 * ordinal and found through an open-addressing table of ordinals (about 30 bytes a profile, where
 * a map of strings to boxed integers takes over 150); any other id goes to an ordinary map.
 */
final class ProfileIds {

    private static final int EMPTY = 0;
    private static final int REMOVED = -1;
    private static final double MAX_LOAD = 0.7;

    private long[] high = new long[1024];
    private long[] low = new long[1024];
    /** Ordinal + 1 of a UUID id, {@link #EMPTY} or {@link #REMOVED}; linear probing. */
    private int[] slots = new int[2048];

    private int occupied;
    private final Map<String, Integer> others = new HashMap<>();
    private final Map<Integer, String> otherIds = new HashMap<>();

    /** The ordinal of the id, or -1. */
    int find(String id) {
        long[] uuid = parse(id);
        if (uuid == null) {
            Integer ordinal = others.get(id);
            return ordinal == null ? -1 : ordinal;
        }
        int mask = slots.length - 1;
        for (int i = index(uuid[0], uuid[1], mask); ; i = (i + 1) & mask) {
            int slot = slots[i];
            if (slot == EMPTY) {
                return -1;
            }
            if (slot != REMOVED && high[slot - 1] == uuid[0] && low[slot - 1] == uuid[1]) {
                return slot - 1;
            }
        }
    }

    /** Gives the id (which has none) that ordinal. */
    void put(String id, int ordinal) {
        long[] uuid = parse(id);
        if (uuid == null) {
            others.put(id, ordinal);
            otherIds.put(ordinal, id);
            return;
        }
        if (ordinal >= high.length) {
            int capacity = Math.max(ordinal + 1, high.length + (high.length >> 1));
            high = Arrays.copyOf(high, capacity);
            low = Arrays.copyOf(low, capacity);
        }
        high[ordinal] = uuid[0];
        low[ordinal] = uuid[1];
        if (occupied + 1 > slots.length * MAX_LOAD) {
            rehash(slots.length * 2);
        }
        insert(ordinal);
    }

    /** Forgets the id of that ordinal. */
    void remove(String id, int ordinal) {
        if (others.remove(id) != null) {
            otherIds.remove(ordinal);
            return;
        }
        int mask = slots.length - 1;
        for (int i = index(high[ordinal], low[ordinal], mask); slots[i] != EMPTY; i = (i + 1) & mask) {
            if (slots[i] == ordinal + 1) {
                slots[i] = REMOVED;
                return;
            }
        }
    }

    /** The id of an ordinal that has one. */
    String id(int ordinal) {
        String other = otherIds.get(ordinal);
        return other != null ? other : new UUID(high[ordinal], low[ordinal]).toString();
    }

    long sizeInBytes() {
        return 16L * high.length + 4L * slots.length + 120L * others.size();
    }

    private void insert(int ordinal) {
        int mask = slots.length - 1;
        int i = index(high[ordinal], low[ordinal], mask);
        while (slots[i] != EMPTY && slots[i] != REMOVED) {
            i = (i + 1) & mask;
        }
        if (slots[i] == EMPTY) {
            occupied++;
        }
        slots[i] = ordinal + 1;
    }

    private void rehash(int capacity) {
        int[] old = slots;
        slots = new int[capacity];
        occupied = 0;
        for (int slot : old) {
            if (slot > 0) {
                insert(slot - 1);
            }
        }
    }

    private static int index(long high, long low, int mask) {
        long h = (high ^ Long.rotateLeft(low, 32)) * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /** The two longs of a lower-case canonical UUID (so that printing them gives the id back), else null. */
    static long[] parse(String id) {
        if (id.length() != 36) {
            return null;
        }
        long high = 0;
        long low = 0;
        int digits = 0;
        for (int i = 0; i < 36; i++) {
            char c = id.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return null;
                }
                continue;
            }
            int value;
            if (c >= '0' && c <= '9') {
                value = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                value = c - 'a' + 10;
            } else {
                return null;
            }
            if (digits < 16) {
                high = (high << 4) | value;
            } else {
                low = (low << 4) | value;
            }
            digits++;
        }
        return new long[] {high, low};
    }
}
