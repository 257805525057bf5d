package io.strata.campaign.journey;

import java.util.Set;
import java.util.TreeSet;

/** What a journey names outside itself. */
public final class References {

    private References() {}

    /** The audiences a journey's trigger, conditions and exit rules name. */
    public static Set<String> audiences(Journey journey) {
        var out = new TreeSet<String>();
        for (var rule : journey.exitRules()) {
            if (rule instanceof Journey.ExitRule.LeftAudience left) {
                out.add(left.audience());
            }
        }
        for (Node node : journey.nodes().values()) {
            switch (node) {
                case Node.Trigger t when t.entry() instanceof Node.Entry.Audience a -> out.add(a.audience());
                case Node.Trigger t when t.entry() instanceof Node.Entry.Broadcast b -> out.add(b.audience());
                case Node.Condition c -> c.branches().forEach(b -> audiences(b.when(), out));
                default -> {}
            }
        }
        return out;
    }

    private static void audiences(Predicate p, Set<String> out) {
        switch (p) {
            case Predicate.InAudience a -> out.add(a.audience());
            case Predicate.All all -> all.all().forEach(q -> audiences(q, out));
            case Predicate.Any any -> any.any().forEach(q -> audiences(q, out));
            case Predicate.Not not -> audiences(not.not(), out);
            default -> {}
        }
    }
}
