package io.strata.ingestion.domain;

import java.util.List;

/** What became of a request's events: published, recognised as duplicates, or rejected. */
public record IntakeResult(int accepted, int duplicates, List<Rejection> rejected) {

    public boolean allAccepted() {
        return rejected.isEmpty();
    }
}
