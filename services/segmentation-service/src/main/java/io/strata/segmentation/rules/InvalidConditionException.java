package io.strata.segmentation.rules;

import java.util.List;
import java.util.stream.Collectors;

/** A definition that cannot be used, with every problem found in it (the first names the field of the error). */
public final class InvalidConditionException extends RuntimeException {

    private final List<Violation> violations;

    public InvalidConditionException(List<Violation> violations) {
        super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("an invalid definition has at least one violation");
        }
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
