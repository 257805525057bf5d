package io.strata.campaign.journey;

import java.util.List;
import java.util.stream.Collectors;

/** A journey that cannot be saved or published, with every violation found (not just the first). */
public class InvalidJourneyException extends RuntimeException {

    private final List<Violation> violations;

    public InvalidJourneyException(List<Violation> violations) {
        super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
