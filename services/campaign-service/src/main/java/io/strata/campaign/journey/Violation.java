package io.strata.campaign.journey;

/**
 * One thing wrong with a journey: the node it is in ({@code null} for the journey's own fields), the
 * field and what is wrong.
 */
public record Violation(String node, String field, String message) {

    @Override
    public String toString() {
        return (node == null ? "" : "node " + node + ": ") + field + ": " + message;
    }
}
