package io.strata.campaign.journey;

import java.util.List;
import java.util.Optional;

/** A condition node's test of the profile, evaluated against a {@link ProfileView} when the instance arrives. */
public sealed interface Predicate {

    /** Whether the predicate holds for the profile of an instance that entered at {@code entered}. */
    boolean test(ProfileView profile, java.time.Instant entered);

    record InAudience(String audience) implements Predicate {
        public boolean test(ProfileView profile, java.time.Instant entered) {
            return profile.inAudience(audience);
        }
    }

    /** The profile carries the tag (with this value, when one is given). */
    record HasTag(String tag, Optional<String> value) implements Predicate {
        public boolean test(ProfileView profile, java.time.Instant entered) {
            var actual = profile.tag(tag);
            return actual.isPresent() && value.map(v -> v.equals(actual.get())).orElse(true);
        }
    }

    enum Op {
        EQ,
        NE,
        GT,
        GTE,
        LT,
        LTE,
        EXISTS
    }

    /** A trait compared with a value: numerically when both are numbers, else as text (eq / ne only). */
    record Trait(String trait, Op op, String value) implements Predicate {
        public boolean test(ProfileView profile, java.time.Instant entered) {
            var actual = profile.trait(trait);
            if (op == Op.EXISTS) {
                return actual.isPresent();
            }
            if (actual.isEmpty()) {
                return op == Op.NE;
            }
            Double a = number(actual.get());
            Double b = number(value);
            int cmp =
                    a != null && b != null ? Double.compare(a, b) : actual.get().compareTo(value);
            return switch (op) {
                case EQ -> cmp == 0;
                case NE -> cmp != 0;
                case GT -> a != null && b != null && cmp > 0;
                case GTE -> a != null && b != null && cmp >= 0;
                case LT -> a != null && b != null && cmp < 0;
                case LTE -> a != null && b != null && cmp <= 0;
                case EXISTS -> true;
            };
        }

        private static Double number(String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /** The event happened since the instance entered the journey. */
    record EventSinceEntry(Node.EventMatch event) implements Predicate {
        public boolean test(ProfileView profile, java.time.Instant entered) {
            return profile.eventSince(event, entered).isPresent();
        }
    }

    record All(List<Predicate> all) implements Predicate {
        public boolean test(ProfileView profile, java.time.Instant entered) {
            return all.stream().allMatch(p -> p.test(profile, entered));
        }
    }

    record Any(List<Predicate> any) implements Predicate {
        public boolean test(ProfileView profile, java.time.Instant entered) {
            return any.stream().anyMatch(p -> p.test(profile, entered));
        }
    }

    record Not(Predicate not) implements Predicate {
        public boolean test(ProfileView profile, java.time.Instant entered) {
            return !not.test(profile, entered);
        }
    }
}
