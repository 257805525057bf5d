package io.strata.segmentation.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A tenant spread over partitions gets the outputs it would get in one piece: the partitions'
 * statistics merged give the same scale and fit, so every profile the same outputs.
 */
class ModelOutputsTest {

    private static final Instant NOW = Instant.parse("2026-06-30T16:00:00Z");

    private static List<ModelInputs.Profile> profiles(long seed, int n) {
        Random random = new Random(seed);
        List<ModelInputs.Profile> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "p" + i;
            boolean buyer = random.nextInt(4) > 0;
            Rfm.Input rfm = buyer
                    ? new Rfm.Input(id, random.nextInt(365), 1 + random.nextInt(6), 10 + random.nextInt(500))
                    : null;
            CustomerSummary clv = null;
            if (buyer) {
                int x = random.nextInt(5);
                double t = 10 + random.nextInt(40);
                double tx = x == 0 ? 0 : random.nextDouble() * t;
                clv = new CustomerSummary(id, x, tx, t, x == 0 ? 0 : 20 + random.nextInt(80));
            }
            Lifecycle.Facts facts = new Lifecycle.Facts(
                    buyer ? NOW.minusSeconds(86_400L * (1 + random.nextInt(300))) : null,
                    NOW.minusSeconds(86_400L * random.nextInt(120)),
                    buyer ? 1 + random.nextInt(4) : 0,
                    random.nextInt(10) == 0);
            out.add(new ModelInputs.Profile(
                    id, rfm, facts, new ChurnWarning.Counts(0, 0), facts.churnWarning(), Optional.empty(), clv, null));
        }
        return out;
    }

    @Test
    void partitionsMergedGiveTheOutputsOfTheWhole() {
        for (long seed = 1; seed <= 5; seed++) {
            List<ModelInputs.Profile> all = profiles(seed, 400);
            ModelOutputs.Run whole = ModelOutputs.compute(all, ModelSettings.DEFAULTS, Map.of(), NOW);

            List<List<ModelInputs.Profile>> parts =
                    List.of(all.subList(0, 130), all.subList(130, 131), all.subList(131, 400));
            ModelOutputs.Statistics merged = ModelOutputs.Statistics.empty();
            parts.forEach(p -> merged.addAll(ModelOutputs.statistics(p, ModelSettings.DEFAULTS)));
            ModelOutputs.Fitted fitted = ModelOutputs.fit(merged, ModelSettings.DEFAULTS);
            assertTrue(fitted.clv().isPresent(), fitted.clvReason());
            assertEquals(4, fitted.clv().get().purchaseErrors().size());
            assertEquals(3, fitted.clv().get().spendErrors().size());
            List<ModelOutputs.Profile> pieced = new ArrayList<>();
            for (List<ModelInputs.Profile> p : parts) {
                pieced.addAll(ModelOutputs.apply(p, fitted, ModelSettings.DEFAULTS, Map.of(), NOW)
                        .profiles());
            }
            for (int i = 0; i < all.size(); i++) {
                assertEquals(whole.profiles().get(i), pieced.get(i), "seed " + seed);
            }
            assertEquals(400L, merged.profileCount());
        }
    }

    @Test
    void theTiersAndTheClvTagsComeOnlyWithAFit() {
        List<ModelInputs.Profile> all = profiles(7, 200);
        ModelOutputs.Run run = ModelOutputs.compute(all, ModelSettings.DEFAULTS, Map.of(), NOW);
        Map<String, Long> tiers = run.counts().get("clv_tier");
        long buyers = all.stream().filter(p -> p.clv() != null).count();
        assertEquals(buyers, tiers.values().stream().mapToLong(Long::longValue).sum());
        // the top 20 % high (ties join), the next 30 % mid
        assertTrue(tiers.get("high") >= Math.ceil(buyers * 0.2), tiers.toString());
        ModelOutputs.Profile buyer =
                run.profiles().stream().filter(p -> p.clv() != null).findFirst().orElseThrow();
        assertTrue(buyer.tags(true).containsKey("predicted_clv"));
        assertTrue(!buyer.tags(false).containsKey("predicted_clv"));

        // one buyer: nothing to fit, the run goes on without CLV
        ModelOutputs.Run alone = ModelOutputs.compute(all.subList(0, 1), ModelSettings.DEFAULTS, Map.of(), NOW);
        assertTrue(!alone.counts().containsKey("clv_tier"));
    }
}
