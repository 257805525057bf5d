package io.strata.campaign.journey;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.Period;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One step of a journey's graph. Every node but {@link Exit} names the node that follows it; the
 * graph has no cycles, so an instance passes each node at most once. The JSON form is in
 * docs/journeys.md.
 */
public sealed interface Node {

    String id();

    /** The nodes this one may lead to, in the order the JSON names them. */
    List<String> successors();

    /** How a journey is entered. The trigger is the graph's only root. */
    record Trigger(String id, Entry entry, String next) implements Node {
        public List<String> successors() {
            return List.of(next);
        }
    }

    /** What starts an instance. */
    sealed interface Entry {
        /** A profile enters ({@code exit=false}) or leaves an audience. */
        record Audience(String audience, boolean exit) implements Entry {}

        /** An event with property filters. */
        record Event(EventMatch event) implements Entry {}

        /**
         * A date attribute of the profile (a trait such as {@code birthday}, or an aggregate such as
         * {@code first_purchase_at}) plus an offset, at a local time; {@code yearly} for anniversaries.
         */
        record DateAttribute(String attribute, int offsetDays, LocalTime at, boolean yearly) implements Entry {}

        /**
         * Everyone in an audience at a time (a broadcast): started by the broadcast, not by the feed,
         * at {@code at} or, without one, when the version is published.
         */
        record Broadcast(String audience, java.util.Optional<java.time.Instant> at) implements Entry {}
    }

    /** Waits a duration (calendar days in the profile's zone), until a local time or until a date attribute. */
    record Wait(String id, WaitFor until, String next) implements Node {
        public List<String> successors() {
            return List.of(next);
        }
    }

    sealed interface WaitFor {
        /** {@code P7D} keeps the local clock time across a daylight-saving change; {@code PT2H} is elapsed time. */
        record For(Period days, Duration time) implements WaitFor {}

        /** The next time the local clock shows {@code at} on one of {@code days}. */
        record LocalTimeOn(LocalTime at, Set<DayOfWeek> days) implements WaitFor {}

        /** The profile's date attribute plus an offset, at a local time. */
        record DateAttribute(String attribute, int offsetDays, LocalTime at) implements WaitFor {}
    }

    /**
     * Waits for the first of several events (each with its own branch) or a timeout. An event that
     * already happened since the instance entered counts on arrival.
     */
    record WaitForEvent(String id, List<EventBranch> branches, Duration timeout, String timeoutNext) implements Node {
        public List<String> successors() {
            var all = new java.util.ArrayList<String>();
            branches.forEach(b -> all.add(b.next()));
            all.add(timeoutNext);
            return List.copyOf(all);
        }
    }

    record EventBranch(EventMatch event, String next) {}

    /** Ordered predicates; the first that holds chooses the branch, else {@code elseNext}. */
    record Condition(String id, List<ConditionBranch> branches, String elseNext) implements Node {
        public List<String> successors() {
            var all = new java.util.ArrayList<String>();
            branches.forEach(b -> all.add(b.next()));
            all.add(elseNext);
            return List.copyOf(all);
        }
    }

    record ConditionBranch(Predicate when, String next) {}

    /**
     * Weighted arms, one of which may be the control. A profile's arm is a hash of the profile and
     * the salt, so it keeps its arm when it enters again.
     */
    record Split(String id, String salt, List<Arm> arms) implements Node {
        public List<String> successors() {
            return arms.stream().map(Arm::next).toList();
        }

        public Optional<Arm> control() {
            return arms.stream().filter(Arm::control).findFirst();
        }
    }

    record Arm(String name, int weight, boolean control, String next) {}

    /** What a send does when a check holds it back. */
    enum OnSuppressed {
        /** Go on to the next node without the message. */
        SKIP,
        /** Leave the journey. */
        EXIT,
        /** Wait until the check could pass (a cap's window frees a slot) and check again; else skip. */
        DEFER
    }

    /** Marketing messages need marketing consent and obey the control group, quiet hours and caps. */
    enum Purpose {
        MARKETING,
        TRANSACTIONAL
    }

    record Send(
            String id,
            String channel,
            String template,
            String sender,
            Purpose purpose,
            Set<String> tags,
            OnSuppressed onSuppressed,
            String next)
            implements Node {
        public List<String> successors() {
            return List.of(next);
        }
    }

    /** Sets ({@code value} present) or removes a tag of the profile. */
    record UpdateTag(String id, String tag, Optional<String> value, String next) implements Node {
        public List<String> successors() {
            return List.of(next);
        }
    }

    /**
     * A conversion: the event within {@code within} of the instance's assignment to its arm (of its
     * entry when it passed no split). Counted for every arm, the control included.
     */
    record Goal(String id, String name, EventMatch event, Duration within, String next) implements Node {
        public List<String> successors() {
            return List.of(next);
        }
    }

    record Exit(String id) implements Node {
        public List<String> successors() {
            return List.of();
        }
    }

    /** An event name with properties that must equal the given values. */
    record EventMatch(String name, Map<String, String> where) {
        public boolean matches(String eventName, Map<String, String> properties) {
            if (!name.equals(eventName)) {
                return false;
            }
            for (var w : where.entrySet()) {
                if (!w.getValue().equals(properties.get(w.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }
}
