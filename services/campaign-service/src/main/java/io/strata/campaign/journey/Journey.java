package io.strata.campaign.journey;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One version of a journey: its graph (ids to nodes, in the order written), how often a profile may
 * enter and the rules that end an instance from any step. Built by {@link JourneyParser}, which
 * checks it with {@link JourneyValidator}.
 */
public record Journey(
        String key, int version, String name, Map<String, Node> nodes, Reentry reentry, List<ExitRule> exitRules) {

    public Node.Trigger trigger() {
        return nodes.values().stream()
                .filter(Node.Trigger.class::isInstance)
                .map(Node.Trigger.class::cast)
                .findFirst()
                .orElseThrow();
    }

    public Node node(String id) {
        var node = nodes.get(id);
        if (node == null) {
            throw new IllegalArgumentException("journey " + key + " v" + version + " has no node " + id);
        }
        return node;
    }

    /** When a profile may enter again. */
    public enum ReentryMode {
        /** Once per profile, ever. */
        NEVER,
        /** Again once its last instance has ended and the cooldown has passed. */
        AFTER_EXIT,
        /** On every entry with a new entry key (e.g. every order), even while another instance runs. */
        EVERY_ENTRY
    }

    public record Reentry(ReentryMode mode, Duration cooldown) {}

    /** Ends an instance wherever it is. */
    public sealed interface ExitRule {
        record OnEvent(Node.EventMatch event) implements ExitRule {}

        record LeftAudience(String audience) implements ExitRule {}
    }
}
