package io.strata.segmentation.models;

import io.strata.segmentation.rules.Violation;
import java.util.List;
import java.util.stream.Collectors;

/** Model settings that cannot be used, with every problem found in them, each naming its setting. */
public final class InvalidSettingsException extends RuntimeException {

    private final List<Violation> violations;

    public InvalidSettingsException(List<Violation> violations) {
        super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("invalid settings have at least one violation");
        }
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
