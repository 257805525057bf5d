package io.strata.insight.query;

import io.strata.insight.tgi.Tgi;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.roaringbitmap.RoaringBitmap;

/**
 * A tenant's profiles as dense ordinals and, per feature (a value of a dimension), the bitmap of
 * the profiles that have it: TGI is then three cardinalities of intersections per feature, with no
 * row read. Built from the store's {@code events} view by one query per dimension (see
 * {@link Dimensions}); an audience or base is turned into a bitmap of the same ordinals per query
 * ({@link Lookup}), where profiles the events do not know get ordinals past the index's own.
 */
public final class FeatureIndex {

    /** A value of a dimension, e.g. topic = parenting. */
    public record Feature(String dimension, String value) {}

    private final Map<String, Integer> ordinals;
    private final List<Feature> features;
    private final Map<Feature, Integer> positions = new HashMap<>();
    private final RoaringBitmap[] bitmaps;
    private final RoaringBitmap all;
    private final Instant builtAt;

    public FeatureIndex(
            Map<String, Integer> ordinals, List<Feature> features, RoaringBitmap[] bitmaps, Instant builtAt) {
        if (features.size() != bitmaps.length) {
            throw new IllegalArgumentException("a bitmap per feature");
        }
        this.ordinals = ordinals;
        this.features = List.copyOf(features);
        for (int i = 0; i < this.features.size(); i++) {
            positions.put(this.features.get(i), i);
        }
        this.bitmaps = bitmaps;
        this.all = new RoaringBitmap();
        if (!ordinals.isEmpty()) {
            all.add(0L, ordinals.size());
        }
        this.builtAt = builtAt;
    }

    /** Reads the tenant's features from {@code events} (a connection of {@code EventStore.openQuery()}). */
    public static FeatureIndex build(Connection query, String tenant, Collection<Dimensions.Dimension> dimensions)
            throws SQLException {
        Instant at = Instant.now();
        Map<String, Integer> ordinals = new HashMap<>();
        try (PreparedStatement s =
                query.prepareStatement("SELECT DISTINCT profile_id FROM events WHERE tenant = ? ORDER BY profile_id")) {
            s.setString(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ordinals.put(r.getString(1), ordinals.size());
                }
            }
        }
        Map<Feature, RoaringBitmap> byFeature = new LinkedHashMap<>();
        for (Dimensions.Dimension dimension : dimensions) {
            try (PreparedStatement s = query.prepareStatement(dimension.sql())) {
                s.setString(1, tenant);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        String value = r.getString(2);
                        Integer ordinal = ordinals.get(r.getString(1));
                        if (value == null || value.isBlank() || ordinal == null) {
                            continue;
                        }
                        byFeature
                                .computeIfAbsent(new Feature(dimension.name(), value), k -> new RoaringBitmap())
                                .add(ordinal.intValue());
                    }
                }
            }
        }
        List<Feature> features = new ArrayList<>(byFeature.keySet());
        RoaringBitmap[] bitmaps = byFeature.values().toArray(RoaringBitmap[]::new);
        for (RoaringBitmap b : bitmaps) {
            b.runOptimize();
        }
        return new FeatureIndex(ordinals, features, bitmaps, at);
    }

    public Instant builtAt() {
        return builtAt;
    }

    public int profiles() {
        return ordinals.size();
    }

    public List<Feature> features() {
        return features;
    }

    /** Every profile with an event. */
    public RoaringBitmap all() {
        return all;
    }

    /** The profiles with the feature, or null when no profile has it. */
    public RoaringBitmap bitmap(String dimension, String value) {
        Integer i = positions.get(new Feature(dimension, value));
        return i == null ? null : bitmaps[i];
    }

    /** Ordinals for one query: the index's, and new ones past them for profiles it does not know. */
    public Lookup lookup() {
        return new Lookup();
    }

    public final class Lookup {
        private final Map<String, Integer> extra = new HashMap<>();

        public RoaringBitmap bitmap(Iterable<String> profileIds) {
            RoaringBitmap out = new RoaringBitmap();
            for (String id : profileIds) {
                Integer ordinal = ordinals.get(id);
                if (ordinal == null) {
                    ordinal = extra.computeIfAbsent(id, k -> ordinals.size() + extra.size());
                }
                out.add(ordinal.intValue());
            }
            return out;
        }
    }

    /**
     * Per feature of the dimensions asked for (all when empty), the counts TGI needs: audience and
     * base members with it, and those of both. Features no member of either has are left out.
     */
    public List<Tgi.Counts> counts(RoaringBitmap audience, RoaringBitmap base, Set<String> dimensions) {
        long audienceSize = audience.getLongCardinality();
        long baseSize = base.getLongCardinality();
        long bothSize = RoaringBitmap.andCardinality(audience, base);
        // the usual cases need one intersection per feature, not three: a base holding every
        // profile of the index, and an audience inside the base (or apart from it)
        boolean baseIsAll = baseSize == profiles() && RoaringBitmap.andCardinality(base, all) == baseSize;
        boolean inside = bothSize == audienceSize;
        RoaringBitmap both = inside || bothSize == 0 ? null : RoaringBitmap.and(audience, base);
        Tgi.Counts[] out = new Tgi.Counts[features.size()];
        IntStream.range(0, features.size()).parallel().forEach(i -> {
            Feature f = features.get(i);
            if (!dimensions.isEmpty() && !dimensions.contains(f.dimension())) {
                return;
            }
            long audienceWith = RoaringBitmap.andCardinality(audience, bitmaps[i]);
            long baseWith =
                    baseIsAll ? bitmaps[i].getLongCardinality() : RoaringBitmap.andCardinality(base, bitmaps[i]);
            if (audienceWith == 0 && baseWith == 0) {
                return;
            }
            long bothWith = inside ? audienceWith : both == null ? 0 : RoaringBitmap.andCardinality(both, bitmaps[i]);
            out[i] = new Tgi.Counts(
                    f.dimension(), f.value(), audienceWith, audienceSize, baseWith, baseSize, bothWith, bothSize);
        });
        List<Tgi.Counts> counts = new ArrayList<>();
        for (Tgi.Counts c : out) {
            if (c != null) {
                counts.add(c);
            }
        }
        return counts;
    }
}
