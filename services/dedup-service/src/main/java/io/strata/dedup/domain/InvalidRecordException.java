package io.strata.dedup.domain;

/** A record that can never be forwarded; the message is the reason given to the dead-letter topic. */
public class InvalidRecordException extends Exception {

    public InvalidRecordException(String reason) {
        super(reason, null, false, false);
    }
}
