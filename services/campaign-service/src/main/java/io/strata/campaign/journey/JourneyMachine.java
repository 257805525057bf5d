package io.strata.campaign.journey;

import io.strata.campaign.delivery.Decision;
import io.strata.campaign.delivery.SendRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Moves one instance of one journey version on an input, through every node that does not wait,
 * and says what to write: the instance's new state (with its one timer), the node counts, sends,
 * suppressions, tag updates, arm assignments, conversions and the end. Plain Java and
 * deterministic: the same instance, input and context give the same step, so a step retried after
 * a crash produces the same send keys.
 */
public final class JourneyMachine {

    /** A send deferred (by quiet hours or a cap) for longer than this is dropped. */
    public static final Duration MAX_DEFERRAL = Duration.ofDays(7);

    private final Journey journey;

    public JourneyMachine(Journey journey) {
        this.journey = journey;
    }

    public Journey journey() {
        return journey;
    }

    /** Whether the instance is an entry waiting for a held clock to reach it ({@link Instance#pending}). */
    public boolean pending(Instance instance) {
        return instance.active()
                && instance.wakeAt().isPresent()
                && instance.node().equals(journey.trigger().id());
    }

    public Step advance(Instance instance, Input input, JourneyContext ctx) {
        if (!instance.active()) {
            return new Step(instance, List.of());
        }
        if (instance.version() != journey.version() || !instance.journeyKey().equals(journey.key())) {
            throw new IllegalArgumentException("instance " + instance.id() + " runs " + instance.journeyKey() + " v"
                    + instance.version() + ", not v" + journey.version());
        }
        var effects = new ArrayList<Effect>();
        Instant now = input.at();
        Node here = journey.node(instance.node());
        switch (input) {
            case Input.Deleted d -> {
                return end(instance, Instance.Status.EXITED, "deleted", now, effects);
            }
            case Input.Exit x -> {
                return end(instance, Instance.Status.EXITED, x.reason(), now, effects);
            }
            case Input.Start s -> {
                if (!(here instanceof Node.Trigger trigger) || instance.wakeAt().isPresent()) {
                    return new Step(instance, List.of());
                }
                effects.add(new Effect.Arrived(trigger.id(), now));
                effects.add(new Effect.Left(trigger.id(), now));
                return run(instance, trigger.next(), now, ctx, effects);
            }
            case Input.LeftAudience left -> {
                for (var rule : journey.exitRules()) {
                    if (rule instanceof Journey.ExitRule.LeftAudience l
                            && l.audience().equals(left.audience())) {
                        return end(instance, Instance.Status.EXITED, "left audience " + left.audience(), now, effects);
                    }
                }
                return new Step(instance, List.of());
            }
            case Input.Event e -> {
                if (e.at().isBefore(instance.enteredAt())) {
                    return new Step(instance, List.of());
                }
                String following = null;
                if (here instanceof Node.Goal goal
                        && goal.event().matches(e.name(), e.properties())
                        && e.at().isAfter(instance.assignedAt())
                        && !e.at().isAfter(instance.assignedAt().plus(goal.within()))) {
                    effects.add(new Effect.Converted(goal.id(), goal.name(), instance.arm(), e.at()));
                    following = goal.next();
                }
                // an event after the pending timer (history arriving ahead of a held clock) is left to
                // the timer's step, which finds it among the stored events when its time comes
                boolean due = instance.wakeAt().map(w -> !e.at().isAfter(w)).orElse(true);
                for (var rule : journey.exitRules()) {
                    if (due
                            && rule instanceof Journey.ExitRule.OnEvent on
                            && on.event().matches(e.name(), e.properties())) {
                        return end(instance, Instance.Status.EXITED, "exit rule: " + e.name(), now, effects);
                    }
                }
                if (following == null && here instanceof Node.WaitForEvent wait) {
                    for (var branch : wait.branches()) {
                        // an event after the timeout (arriving late) leaves the timeout's way to the timer
                        if (branch.event().matches(e.name(), e.properties())
                                && !e.at().isBefore(instance.arrivedAt())
                                && !e.at().isAfter(instance.arrivedAt().plus(wait.timeout()))) {
                            following = branch.next();
                            break;
                        }
                    }
                }
                if (following == null) {
                    return new Step(instance, effects);
                }
                effects.add(new Effect.Left(here.id(), now));
                return run(instance, following, now, ctx, effects);
            }
            case Input.Timer t -> {
                if (instance.wakeAt().isEmpty()
                        || now.isBefore(instance.wakeAt().get())) {
                    return new Step(instance, List.of()); // an early or stale timer
                }
                for (var rule : journey.exitRules()) {
                    if (rule instanceof Journey.ExitRule.OnEvent on) {
                        var when = ctx.profile()
                                .eventSince(on.event(), instance.enteredAt().plusNanos(1));
                        if (when.isPresent() && !when.get().isAfter(now)) {
                            return end(
                                    instance,
                                    Instance.Status.EXITED,
                                    "exit rule: " + on.event().name(),
                                    when.get(),
                                    effects);
                        }
                    }
                }
                if (here instanceof Node.Trigger trigger) {
                    // a pending entry whose time has come
                    effects.add(new Effect.Arrived(trigger.id(), now));
                    effects.add(new Effect.Left(trigger.id(), now));
                    return run(instance, trigger.next(), now, ctx, effects);
                }
                String following = switch (here) {
                    case Node.Wait w -> w.next();
                    case Node.WaitForEvent w -> w.timeoutNext();
                    case Node.Goal g -> g.next();
                    case Node.Send s -> null; // a deferred send: check it again
                    default ->
                        throw new IllegalStateException("instance " + instance.id() + " has a timer at " + here.id());
                };
                if (following == null) {
                    Step step = arrive(instance, here, now, ctx, effects);
                    if (!step.instance().active() || step.instance().wakeAt().isPresent()) {
                        return step;
                    }
                    return run(step.instance(), step.instance().node(), now, ctx, effects);
                }
                effects.add(new Effect.Left(here.id(), now));
                return run(instance, following, now, ctx, effects);
            }
        }
    }

    /** Arrives at {@code nodeId} and keeps going until a node waits or the instance ends. */
    private Step run(Instance instance, String nodeId, Instant now, JourneyContext ctx, List<Effect> effects) {
        Instance current = instance;
        String next = nodeId;
        for (int guard = 0; guard <= journey.nodes().size(); guard++) {
            Node node = journey.node(next);
            current = current.at(node.id(), now);
            effects.add(new Effect.Arrived(node.id(), now));
            Step step = arrive(current, node, now, ctx, effects);
            if (!step.instance().active() || step.instance().wakeAt().isPresent()) {
                return step;
            }
            current = step.instance();
            next = current.node();
        }
        throw new IllegalStateException("journey " + journey.key() + " did not stop: is it acyclic?");
    }

    /**
     * Handles an instance at {@code node}: the returned step either waits there (a timer set), ends,
     * or sits at the following node with no timer (the caller arrives there next).
     */
    private Step arrive(Instance instance, Node node, Instant now, JourneyContext ctx, List<Effect> effects) {
        ProfileView profile = ctx.profile();
        switch (node) {
            case Node.Trigger t -> throw new IllegalStateException("nothing leads to the trigger");
            case Node.Exit x -> {
                return end(instance, Instance.Status.COMPLETED, "completed", now, effects);
            }
            case Node.Wait w -> {
                Optional<Instant> wake = switch (w.until()) {
                    case Node.WaitFor.For f -> Optional.of(LocalTimes.after(now, f, ctx.zone()));
                    case Node.WaitFor.LocalTimeOn l -> Optional.of(LocalTimes.next(now, l.at(), l.days(), ctx.zone()));
                    case Node.WaitFor.DateAttribute d ->
                        profile.date(d.attribute())
                                .map(date -> LocalTimes.on(date, d.offsetDays(), d.at(), ctx.zone()));
                };
                if (wake.isEmpty()) {
                    var d = (Node.WaitFor.DateAttribute) w.until();
                    return end(instance, Instance.Status.EXITED, "no " + d.attribute() + " to wait for", now, effects);
                }
                if (!wake.get().isAfter(now)) {
                    return leave(instance, w, w.next(), now, effects);
                }
                return new Step(instance.waking(wake.get()), effects);
            }
            case Node.WaitForEvent w -> {
                Instant earliest = null;
                String branchNext = null;
                for (var branch : w.branches()) {
                    var when = profile.eventSince(branch.event(), instance.arrivedAt());
                    if (when.isPresent() && (earliest == null || when.get().isBefore(earliest))) {
                        earliest = when.get();
                        branchNext = branch.next();
                    }
                }
                if (branchNext != null) {
                    return leave(instance, w, branchNext, now, effects);
                }
                return new Step(instance.waking(instance.arrivedAt().plus(w.timeout())), effects);
            }
            case Node.Condition c -> {
                for (var branch : c.branches()) {
                    if (branch.when().test(profile, instance.enteredAt())) {
                        return leave(instance, c, branch.next(), now, effects);
                    }
                }
                return leave(instance, c, c.elseNext(), now, effects);
            }
            case Node.Split s -> {
                Node.Arm arm = Arms.assign(instance.profileId(), s.salt(), s.arms());
                effects.add(new Effect.Assigned(s.id(), arm.name(), arm.control(), now));
                return leave(instance.assigned(arm.name(), now), s, arm.next(), now, effects);
            }
            case Node.UpdateTag u -> {
                effects.add(new Effect.SetTag(u.tag(), u.value()));
                return leave(instance, u, u.next(), now, effects);
            }
            case Node.Goal g -> {
                Instant deadline = instance.assignedAt().plus(g.within());
                // strictly after: the event that started the journey is no conversion
                var when = profile.eventSince(g.event(), instance.assignedAt().plusNanos(1));
                if (when.isPresent() && !when.get().isAfter(deadline)) {
                    effects.add(new Effect.Converted(g.id(), g.name(), instance.arm(), when.get()));
                    return leave(instance, g, g.next(), now, effects);
                }
                if (!deadline.isAfter(now)) {
                    return leave(instance, g, g.next(), now, effects);
                }
                return new Step(instance.waking(deadline), effects);
            }
            case Node.Send s -> {
                return send(instance, s, now, ctx, effects);
            }
        }
    }

    private Step send(Instance instance, Node.Send s, Instant now, JourneyContext ctx, List<Effect> effects) {
        String key = Arms.sendKey(instance.id(), s.id(), instance.iteration());
        boolean marketing = s.purpose() == Node.Purpose.MARKETING;
        var decision = ctx.reserve(new SendRequest(s.channel(), s.template(), s.sender(), marketing, s.tags(), now));
        boolean expired = !now.isBefore(instance.arrivedAt().plus(MAX_DEFERRAL));
        switch (decision) {
            case Decision.Send ok -> {
                effects.add(new Effect.Dispatch(
                        key, s.id(), s.channel(), s.template(), s.sender(), marketing, s.tags(), instance.arm(), now));
                return leave(instance, s, s.next(), now, effects);
            }
            case Decision.Defer d
            when !expired && d.until().isBefore(instance.arrivedAt().plus(MAX_DEFERRAL)) -> {
                effects.add(new Effect.Deferred(key, s.id(), d.reason(), d.until()));
                return new Step(instance.waking(d.until()), effects);
            }
            case Decision.Defer d -> {
                effects.add(new Effect.Suppressed(
                        key,
                        s.id(),
                        s.channel(),
                        s.template(),
                        marketing,
                        d.reason(),
                        "deferred past " + MAX_DEFERRAL.toDays() + " days",
                        now));
                return leave(instance, s, s.next(), now, effects);
            }
            case Decision.Suppress x -> {
                if (s.onSuppressed() == Node.OnSuppressed.DEFER
                        && x.retryAt().isPresent()
                        && x.retryAt().get().isBefore(instance.arrivedAt().plus(MAX_DEFERRAL))) {
                    effects.add(new Effect.Deferred(
                            key, s.id(), x.reason(), x.retryAt().get()));
                    return new Step(instance.waking(x.retryAt().get()), effects);
                }
                effects.add(new Effect.Suppressed(
                        key, s.id(), s.channel(), s.template(), marketing, x.reason(), x.detail(), now));
                if (s.onSuppressed() == Node.OnSuppressed.EXIT) {
                    return end(
                            instance,
                            Instance.Status.EXITED,
                            "suppressed: " + x.reason().name().toLowerCase(java.util.Locale.ROOT),
                            now,
                            effects);
                }
                return leave(instance, s, s.next(), now, effects);
            }
        }
    }

    /** Leaves {@code node} for {@code next}; the caller arrives there. */
    private static Step leave(Instance instance, Node node, String next, Instant now, List<Effect> effects) {
        effects.add(new Effect.Left(node.id(), now));
        return new Step(instance.at(next, now), effects);
    }

    private static Step end(
            Instance instance, Instance.Status status, String reason, Instant now, List<Effect> effects) {
        effects.add(new Effect.Left(instance.node(), now));
        effects.add(new Effect.Ended(status, reason, now));
        return new Step(instance.ended(status), effects);
    }
}
