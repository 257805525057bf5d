package io.strata.segmentation.models;

import io.strata.segmentation.mapping.FeedApplier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The stratification models run over a tenant's profiles at one instant, in the two steps a tenant
 * spread over partitions (and replicas) needs: each partition sums up what the tenant-wide models
 * need of its profiles ({@link Statistics}: RFM's histograms, the CLV summaries), the sums are merged
 * and the tenant's scale and CLV fit found once ({@link #fit}), then each partition applies them to
 * its profiles ({@link #apply}): RFM group, lifecycle stage (from the stage before), AIPL stage,
 * churn warning, predicted CLV and its tier, as the catalog's model tags, with the counts per class
 * a run records.
 */
public final class ModelOutputs {

    /**
     * A profile's outputs; {@code rfm} null when it bought nothing in the window, {@code aipl} empty
     * without a stage, {@code clv} and {@code tier} null when it has no value (never bought, or no
     * fit in this run).
     */
    public record Profile(
            String id,
            Rfm.Score rfm,
            Lifecycle.State lifecycle,
            Optional<Aipl.Stage> aipl,
            boolean churnRisk,
            Double clv,
            Clv.Tier tier) {

        public Profile(String id, Rfm.Score rfm, Lifecycle.State lifecycle, Optional<Aipl.Stage> aipl, boolean churn) {
            this(id, rfm, lifecycle, aipl, churn, null, null);
        }

        /**
         * The model tags, by the catalog's keys, each as the text the tag holds (null: the tag is
         * cleared). Without a CLV fit in the run the CLV tags are left out (left as they are).
         */
        public Map<String, String> tags(boolean clvFitted) {
            Map<String, String> out = new LinkedHashMap<>();
            out.put("rfm_group", rfm == null ? null : rfm.group().code());
            out.put("rfm_r_score", rfm == null ? null : Integer.toString(rfm.r()));
            out.put("rfm_f_score", rfm == null ? null : Integer.toString(rfm.f()));
            out.put("rfm_m_score", rfm == null ? null : Integer.toString(rfm.m()));
            out.put("lifecycle_stage", lifecycle.stage().code());
            out.put("aipl_stage", aipl.map(Aipl.Stage::code).orElse(null));
            // true while the warning holds, cleared when it ends (the catalog's boolean, never "false"
            // on every profile)
            out.put("churn_risk", churnRisk ? "true" : null);
            if (clvFitted) {
                out.put("predicted_clv", clv == null ? null : FeedApplier.text(Math.round(clv * 100) / 100.0));
                out.put("clv_tier", tier == null ? null : tier.code());
            }
            return out;
        }
    }

    /** Every profile's outputs and the counts per output class, by model tag. */
    public record Run(List<Profile> profiles, Map<String, Map<String, Long>> counts) {}

    /** A buyer's CLV inputs without its id: equal ones are counted together. */
    public record Summary(int x, double tx, double T, double monetary) {}

    /** What the tenant-wide models need of some profiles; merged over partitions. */
    public record Statistics(Rfm.Histograms rfm, Map<Summary, Long> clv, long[] profiles) {

        public static Statistics empty() {
            return new Statistics(Rfm.Histograms.empty(), new HashMap<>(), new long[1]);
        }

        public long profileCount() {
            return profiles[0];
        }

        public void add(Summary summary, long count) {
            clv.merge(summary, count, Long::sum);
        }

        public void addProfiles(long count) {
            profiles[0] += count;
        }

        public void addAll(Statistics other) {
            rfm.addAll(other.rfm);
            other.clv.forEach(this::add);
            profiles[0] += other.profiles[0];
        }
    }

    /**
     * The tenant's scale and CLV fit.
     *
     * @param clv empty when the models could not be fitted ({@code clvReason} says why)
     */
    public record Fitted(Rfm.Scale rfm, Optional<ClvFit> clv, String clvReason) {}

    /** The fitted CLV models, the customers they were fitted on, and the tiers' cuts. */
    public record ClvFit(
            BgNbd.Params purchases,
            GammaGamma.Params spend,
            long customers,
            long repeatBuyers,
            Clv.Cuts cuts,
            List<Double> purchaseErrors,
            List<Double> spendErrors) {

        public ClvFit(
                BgNbd.Params purchases, GammaGamma.Params spend, long customers, long repeatBuyers, Clv.Cuts cuts) {
            this(purchases, spend, customers, repeatBuyers, cuts, List.of(), List.of());
        }
    }

    private static final java.util.Comparator<Summary> BY_VALUES = java.util.Comparator.comparingInt(Summary::x)
            .thenComparingDouble(Summary::tx)
            .thenComparingDouble(Summary::T)
            .thenComparingDouble(Summary::monetary);

    private ModelOutputs() {}

    /** What these profiles give the tenant-wide models. */
    public static Statistics statistics(List<ModelInputs.Profile> inputs, ModelSettings settings) {
        Statistics out = Statistics.empty();
        for (ModelInputs.Profile p : inputs) {
            if (p.rfm() != null) {
                out.rfm().add(p.rfm(), settings.rfm());
            }
            CustomerSummary c = p.clv();
            if (c != null) {
                out.add(new Summary(c.x(), c.tx(), c.T(), c.monetary()), 1);
            }
        }
        out.addProfiles(inputs.size());
        return out;
    }

    /** The scale and fit of the whole tenant's statistics. */
    public static Fitted fit(Statistics all, ModelSettings settings) {
        Rfm.Scale scale = Rfm.scale(all.rfm(), settings.rfm());
        List<CustomerSummary> customers = new ArrayList<>();
        long repeat = 0;
        // in one order whatever the partitions' (the same statistics, the same fit to the last bit)
        List<Map.Entry<Summary, Long>> sorted = new ArrayList<>(all.clv().entrySet());
        sorted.sort(Map.Entry.comparingByKey(BY_VALUES));
        for (Map.Entry<Summary, Long> e : sorted) {
            Summary s = e.getKey();
            CustomerSummary c = new CustomerSummary("", s.x(), s.tx(), s.T(), s.monetary());
            for (long i = 0; i < e.getValue(); i++) {
                customers.add(c);
            }
            repeat += s.x() > 0 ? e.getValue() : 0;
        }
        BgNbd.Fit purchaseFit;
        GammaGamma.Fit spendFit;
        try {
            purchaseFit = BgNbd.fit(customers);
            spendFit = GammaGamma.fit(customers);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return new Fitted(scale, Optional.empty(), "not fitted: " + e.getMessage());
        }
        BgNbd.Params purchases = purchaseFit.params();
        GammaGamma.Params spend = spendFit.params();
        double[] values = customers.stream()
                .mapToDouble(c -> value(purchases, spend, c, settings))
                .filter(Double::isFinite)
                .toArray();
        Clv.Cuts cuts = Clv.cuts(values, settings.clv().tiers());
        return new Fitted(
                scale,
                Optional.of(new ClvFit(
                        purchases,
                        spend,
                        customers.size(),
                        repeat,
                        cuts,
                        java.util.Arrays.stream(purchaseFit.standardErrors())
                                .boxed()
                                .toList(),
                        java.util.Arrays.stream(spendFit.standardErrors())
                                .boxed()
                                .toList())),
                "fitted");
    }

    /** A customer's CLV over the settings' horizon. */
    public static double value(
            BgNbd.Params purchases, GammaGamma.Params spend, CustomerSummary customer, ModelSettings settings) {
        ModelSettings.ClvSettings clv = settings.clv();
        return Clv.value(
                purchases,
                spend,
                customer,
                clv.horizonPeriods(),
                (double) clv.periodDays() / clv.timeUnitDays(),
                clv.discountRate());
    }

    /**
     * Every profile's outputs on the tenant's scale and fit.
     *
     * @param before each profile's lifecycle state at the run before where the inputs do not carry
     *     it (absent: as the inputs say)
     */
    public static Run apply(
            List<ModelInputs.Profile> inputs,
            Fitted fitted,
            ModelSettings settings,
            Map<String, Lifecycle.State> before,
            Instant now) {
        Map<Rfm.Group, Long> groups = new EnumMap<>(Rfm.Group.class);
        Map<Lifecycle.Stage, Long> stages = new EnumMap<>(Lifecycle.Stage.class);
        Map<Aipl.Stage, Long> aipl = new EnumMap<>(Aipl.Stage.class);
        Map<Clv.Tier, Long> tiers = new EnumMap<>(Clv.Tier.class);
        long atRisk = 0;
        List<Profile> out = new ArrayList<>(inputs.size());
        for (ModelInputs.Profile p : inputs) {
            Rfm.Score score = p.rfm() == null ? null : Rfm.score(p.rfm(), fitted.rfm(), settings.rfm());
            Lifecycle.State was = before.getOrDefault(p.id(), p.lifecycleBefore());
            Lifecycle.State state = Lifecycle.next(p.lifecycle(), settings.lifecycle(), was, now);
            Double clv = null;
            Clv.Tier tier = null;
            if (fitted.clv().isPresent() && p.clv() != null) {
                ClvFit fit = fitted.clv().get();
                double value = value(fit.purchases(), fit.spend(), p.clv(), settings);
                if (Double.isFinite(value)) {
                    clv = value;
                    tier = fit.cuts().tier(value);
                    tiers.merge(tier, 1L, Long::sum);
                }
            }
            out.add(new Profile(p.id(), score, state, p.aipl(), p.atRisk(), clv, tier));
            if (score != null) {
                groups.merge(score.group(), 1L, Long::sum);
            }
            stages.merge(state.stage(), 1L, Long::sum);
            p.aipl().ifPresent(s -> aipl.merge(s, 1L, Long::sum));
            atRisk += p.atRisk() ? 1 : 0;
        }
        Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
        counts.put("rfm_group", codes(groups, Rfm.Group.values(), Rfm.Group::code));
        counts.put("lifecycle_stage", codes(stages, Lifecycle.Stage.values(), Lifecycle.Stage::code));
        counts.put("aipl_stage", codes(aipl, Aipl.Stage.values(), Aipl.Stage::code));
        counts.put("churn_risk", new TreeMap<>(Map.of("true", atRisk, "false", (long) inputs.size() - atRisk)));
        if (fitted.clv().isPresent()) {
            counts.put("clv_tier", codes(tiers, Clv.Tier.values(), Clv.Tier::code));
        }
        return new Run(out, counts);
    }

    /** Both steps over profiles that are the whole tenant. */
    public static Run compute(
            List<ModelInputs.Profile> inputs,
            ModelSettings settings,
            Map<String, Lifecycle.State> before,
            Instant now) {
        return apply(inputs, fit(statistics(inputs, settings), settings), settings, before, now);
    }

    /** Counts per class summed over partitions. */
    public static void merge(Map<String, Map<String, Long>> into, Map<String, Map<String, Long>> counts) {
        counts.forEach((model, classes) -> {
            Map<String, Long> sum = into.computeIfAbsent(model, m -> new LinkedHashMap<>());
            classes.forEach((c, n) -> sum.merge(c, n, Long::sum));
        });
    }

    /** Every class, zero where none. */
    private static <E extends Enum<E>> Map<String, Long> codes(
            Map<E, Long> counted, E[] all, Function<E, String> code) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (E e : all) {
            out.put(code.apply(e), counted.getOrDefault(e, 0L));
        }
        return out;
    }
}
