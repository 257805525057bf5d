package io.strata.segmentation.rules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks a definition's references to other segments: each must exist, and none may lead back to
 * the segment being defined, directly or through others (a cycle would make membership undefined).
 */
public final class SegmentReferences {

    private SegmentReferences() {}

    /**
     * The violations of {@code condition}, the definition of {@code segment}, given the tenant's
     * other definitions ({@code definitions}: a segment's current condition, or empty when there is
     * no such segment).
     */
    public static List<Violation> check(
            String segment, Condition condition, Function<String, Optional<Condition>> definitions) {
        List<Violation> out = new ArrayList<>();
        walk(condition, "", (reference, path) -> {
            if (reference.equals(segment)) {
                out.add(new Violation(path, "a segment cannot contain itself (" + segment + ")"));
                return;
            }
            Optional<Condition> referenced = definitions.apply(reference);
            if (referenced.isEmpty()) {
                out.add(new Violation(path, "unknown segment " + reference));
                return;
            }
            List<String> trail = cycle(reference, referenced.get(), segment, definitions, new HashSet<>());
            if (trail != null) {
                out.add(new Violation(
                        path,
                        "a cycle of segment references: " + segment + " → " + reference + " → "
                                + String.join(" → ", trail)));
            }
        });
        return out;
    }

    /** The references from {@code from} that lead to {@code target}, or null when none does. */
    private static List<String> cycle(
            String from,
            Condition condition,
            String target,
            Function<String, Optional<Condition>> definitions,
            Set<String> seen) {
        if (!seen.add(from)) {
            return null;
        }
        for (String next : Evaluator.references(condition)) {
            if (next.equals(target)) {
                return new ArrayList<>(List.of(target));
            }
            Optional<Condition> nextCondition = definitions.apply(next);
            if (nextCondition.isPresent()) {
                List<String> rest = cycle(next, nextCondition.get(), target, definitions, seen);
                if (rest != null) {
                    rest.add(0, next);
                    return rest;
                }
            }
        }
        return null;
    }

    private interface Visitor {
        void reference(String segment, String path);
    }

    /** Visits every segment reference with its place in the definition (as {@link ConditionParser} names places). */
    private static void walk(Condition condition, String path, Visitor visitor) {
        switch (condition) {
            case Condition.All all -> {
                for (int i = 0; i < all.conditions().size(); i++) {
                    walk(all.conditions().get(i), join(path, "all") + "[" + i + "]", visitor);
                }
            }
            case Condition.Any any -> {
                for (int i = 0; i < any.conditions().size(); i++) {
                    walk(any.conditions().get(i), join(path, "any") + "[" + i + "]", visitor);
                }
            }
            case Condition.Not not -> walk(not.condition(), join(path, "not"), visitor);
            case Condition.InSegment in -> visitor.reference(in.segment(), join(path, "segment"));
            default -> {}
        }
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
