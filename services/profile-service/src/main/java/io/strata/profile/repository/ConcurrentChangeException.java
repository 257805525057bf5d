package io.strata.profile.repository;

/**
 * Another writer changed what a batch was resolved against (a profile it read was written or
 * merged away, an identifier it meant to claim was claimed first): the batch's transaction is
 * rolled back and the batch resolved again against what was committed.
 */
public class ConcurrentChangeException extends RuntimeException {

    public ConcurrentChangeException(String message) {
        super(message, null, false, false);
    }
}
