package io.strata.campaign.journey;

import java.util.List;

/** An instance's new state and what to write with it. {@code instance.wakeAt()} is its timer, if any. */
public record Step(Instance instance, List<Effect> effects) {

    public boolean changed() {
        return !effects.isEmpty();
    }
}
