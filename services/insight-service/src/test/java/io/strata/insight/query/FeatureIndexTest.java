package io.strata.insight.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.insight.tgi.Tgi;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/** The counts TGI needs, whatever the base: against every profile's own count of each feature. */
class FeatureIndexTest {

    private static final int PROFILES = 5_000;

    @Test
    void countsEqualAProfileByProfileCountForEveryKindOfBase() {
        SplittableRandom random = new SplittableRandom(11);
        Map<String, Integer> ordinals = new HashMap<>();
        for (int i = 0; i < PROFILES; i++) {
            ordinals.put("p" + i, i);
        }
        List<FeatureIndex.Feature> features = new ArrayList<>();
        RoaringBitmap[] bitmaps = new RoaringBitmap[12];
        for (int f = 0; f < bitmaps.length; f++) {
            features.add(new FeatureIndex.Feature("topic", "t" + f));
            bitmaps[f] = random(random, 0.02 + 0.05 * f);
        }
        FeatureIndex index = new FeatureIndex(ordinals, features, bitmaps, Instant.EPOCH);
        RoaringBitmap audience = random(random, 0.1);
        RoaringBitmap overlapping = random(random, 0.4);
        RoaringBitmap containing = RoaringBitmap.or(audience, random(random, 0.3));
        RoaringBitmap apart = RoaringBitmap.andNot(random(random, 0.5), audience);
        for (RoaringBitmap base : List.of(index.all(), overlapping, containing, apart)) {
            List<Tgi.Counts> counts = index.counts(audience, base, Set.of());
            for (Tgi.Counts c : counts) {
                RoaringBitmap feature = index.bitmap(c.dimension(), c.value());
                int audienceWith = 0;
                int baseWith = 0;
                int bothWith = 0;
                int both = 0;
                for (int p = 0; p < PROFILES; p++) {
                    boolean a = audience.contains(p);
                    boolean b = base.contains(p);
                    boolean has = feature.contains(p);
                    audienceWith += a && has ? 1 : 0;
                    baseWith += b && has ? 1 : 0;
                    bothWith += a && b && has ? 1 : 0;
                    both += a && b ? 1 : 0;
                }
                assertEquals(audienceWith, c.audienceWith(), c.value());
                assertEquals(baseWith, c.baseWith(), c.value());
                assertEquals(bothWith, c.bothWith(), c.value());
                assertEquals(both, c.both(), c.value());
                assertEquals(base.getCardinality(), c.base());
            }
            assertEquals(bitmaps.length, counts.size());
        }
    }

    private static RoaringBitmap random(SplittableRandom random, double share) {
        RoaringBitmap out = new RoaringBitmap();
        for (int p = 0; p < PROFILES; p++) {
            if (random.nextDouble() < share) {
                out.add(p);
            }
        }
        return out;
    }
}
