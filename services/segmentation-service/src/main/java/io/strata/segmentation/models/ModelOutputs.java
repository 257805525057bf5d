package io.strata.segmentation.models;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The stratification models run over a tenant's profiles at one instant: each profile's RFM group
 * (buyers of the window scored against each other), lifecycle stage (from its stage before),
 * AIPL stage and churn warning, as the model tags of the catalog, and the counts per output class
 * a run records.
 */
public final class ModelOutputs {

    /** A profile's outputs; {@code rfm} null when it bought nothing in the window, {@code aipl} empty without a stage. */
    public record Profile(
            String id, Rfm.Score rfm, Lifecycle.State lifecycle, Optional<Aipl.Stage> aipl, boolean churnRisk) {

        /** The model tags, by the catalog's keys (an absent value: the tag is cleared). */
        public Map<String, Object> tags() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("rfm_group", rfm == null ? null : rfm.group().code());
            out.put("lifecycle_stage", lifecycle.stage().code());
            out.put("aipl_stage", aipl.map(Aipl.Stage::code).orElse(null));
            out.put("churn_risk", churnRisk);
            return out;
        }
    }

    /** Every profile's outputs and the counts per output class, by model. */
    public record Run(List<Profile> profiles, Map<String, Map<String, Long>> counts) {}

    private ModelOutputs() {}

    /**
     * @param before each profile's lifecycle state at the run before (absent: not staged yet)
     */
    public static Run compute(
            List<ModelInputs.Profile> inputs,
            ModelSettings settings,
            Map<String, Lifecycle.State> before,
            Instant now) {
        List<Rfm.Input> buyers = new ArrayList<>();
        for (ModelInputs.Profile p : inputs) {
            if (p.rfm() != null) {
                buyers.add(p.rfm());
            }
        }
        Map<String, Rfm.Score> scores = new LinkedHashMap<>();
        for (Rfm.Score score : Rfm.score(buyers, settings.rfm())) {
            scores.put(score.id(), score);
        }
        Map<Rfm.Group, Long> groups = new EnumMap<>(Rfm.Group.class);
        Map<Lifecycle.Stage, Long> stages = new EnumMap<>(Lifecycle.Stage.class);
        Map<Aipl.Stage, Long> aipl = new EnumMap<>(Aipl.Stage.class);
        long atRisk = 0;
        List<Profile> out = new ArrayList<>(inputs.size());
        for (ModelInputs.Profile p : inputs) {
            Rfm.Score score = scores.get(p.id());
            Lifecycle.State state = Lifecycle.next(p.lifecycle(), settings.lifecycle(), before.get(p.id()), now);
            out.add(new Profile(p.id(), score, state, p.aipl(), p.atRisk()));
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
        return new Run(out, counts);
    }

    /** Every class, zero where none. */
    private static <E extends Enum<E>> Map<String, Long> codes(
            Map<E, Long> counted, E[] all, java.util.function.Function<E, String> code) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (E e : all) {
            out.put(code.apply(e), counted.getOrDefault(e, 0L));
        }
        return out;
    }
}
