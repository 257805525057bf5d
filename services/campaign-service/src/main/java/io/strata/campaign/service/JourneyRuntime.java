package io.strata.campaign.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.strata.campaign.delivery.Cap;
import io.strata.campaign.delivery.PastSend;
import io.strata.campaign.domain.RecipientState;
import io.strata.campaign.domain.TenantPolicy;
import io.strata.campaign.journey.Effect;
import io.strata.campaign.journey.EntryRules;
import io.strata.campaign.journey.Input;
import io.strata.campaign.journey.Instance;
import io.strata.campaign.journey.Journey;
import io.strata.campaign.journey.JourneyMachine;
import io.strata.campaign.journey.Node;
import io.strata.campaign.journey.Step;
import io.strata.campaign.messaging.MessageEvents;
import io.strata.campaign.repository.Db;
import io.strata.campaign.repository.RuntimeRepository;
import io.strata.campaign.repository.RuntimeRepository.StoredInstance;
import io.strata.campaign.repository.RuntimeRepository.Writes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs journeys durably on PostgreSQL. Every step is part of one transaction that locks the
 * person's recipient row (so one person's sends are checked one at a time across replicas), moves
 * the instance, sets its timer, and writes its history, its send ledger rows (unique send keys) and
 * its tag updates; the dispatcher calls the channels afterwards from the ledger. Due timers are
 * claimed with {@code FOR UPDATE SKIP LOCKED}, so replicas share them without doing any twice.
 */
public final class JourneyRuntime {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(JourneyRuntime.class);

    /** How far back the caps look at least (a calendar month and a bit). */
    private static final Duration HISTORY = Duration.ofDays(35);

    /** An event older than this (by the tenant's clock) starts no event-triggered journey. */
    static final Duration ENTRY_HORIZON = Duration.ofDays(1);

    private final Db db;
    private final JourneyCache journeys;
    private final PolicyCache policies;
    private final Clock clock;
    private final String defaultZone;
    private final String messagesTopic;
    private final Timer lateness;
    private final Counter fired;
    private final Counter queued;

    public JourneyRuntime(
            Db db,
            JourneyCache journeys,
            PolicyCache policies,
            Clock clock,
            String defaultZone,
            String messagesTopic,
            MeterRegistry registry) {
        this.db = db;
        this.messagesTopic = messagesTopic;
        this.journeys = journeys;
        this.policies = policies;
        this.clock = clock;
        this.defaultZone = defaultZone;
        this.lateness = Timer.builder("strata_campaign_timer_lateness")
                .description("how late due timers fire")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.fired = registry.counter("strata_campaign_timers_fired_total");
        this.queued = registry.counter("strata_campaign_sends_queued_total");
    }

    /** Fires one batch of due timers; returns how many. */
    public int fireDue(int batch) {
        Instant now = clock.instant();
        return db.inTransaction(s -> {
            var due = RuntimeRepository.claimDue(s, now, batch);
            if (due.isEmpty()) {
                return 0;
            }
            var byTenant = new LinkedHashMap<String, List<StoredInstance>>();
            due.forEach(d ->
                    byTenant.computeIfAbsent(d.tenant(), t -> new ArrayList<>()).add(d));
            var w = new Writes(new MessageEvents(messagesTopic));
            var held = RuntimeRepository.heldClocks(s);
            // pending entries started in this batch, per profile and journey (not in the database yet)
            var startedHere = new HashMap<String, List<EntryRules.Earlier>>();
            int n = 0;
            for (var tenant : byTenant.entrySet()) {
                var profiles = new LinkedHashSet<String>();
                tenant.getValue().forEach(d -> profiles.add(d.instance().profileId()));
                // a person known only from an instance gets a row; one whose row another
                // transaction holds waits for the next round
                RuntimeRepository.ensureRecipients(s, tenant.getKey(), profiles);
                var recipients = RuntimeRepository.lockRecipients(s, tenant.getKey(), profiles, true);
                // on a held clock each timer fires at its own due time (the batch is in due order)
                boolean replay = held.containsKey(tenant.getKey());
                Instant tenantNow =
                        replay ? tenant.getValue().get(0).instance().wakeAt().orElse(now) : now;
                var contexts = contexts(s, tenant.getKey(), recipients, tenant.getValue(), tenantNow);
                for (StoredInstance d : tenant.getValue()) {
                    var ctx = contexts.get(d.instance().profileId());
                    if (ctx == null) {
                        continue;
                    }
                    Instant dueAt = d.instance().wakeAt().orElse(now);
                    Instant at = replay ? dueAt : now;
                    if (!replay) {
                        lateness.record(Duration.between(dueAt, now));
                    }
                    Step step;
                    try {
                        var machine = journeys.machine(
                                s,
                                d.tenant(),
                                d.instance().journeyKey(),
                                d.instance().version());
                        if (machine.pending(d.instance())
                                && !mayStart(s, tenant.getKey(), machine, d.instance(), startedHere)) {
                            w.drop(d.instance().id());
                            n++;
                            continue;
                        }
                        step = machine.advance(d.instance(), new Input.Timer(at), ctx);
                    } catch (RuntimeException e) {
                        // an instance that cannot move must not hold up every timer behind it
                        LOG.errorf(
                                e,
                                "instance %s of journey %s cannot move: it ends",
                                d.instance().id(),
                                d.instance().journeyKey());
                        step = failed(d.instance(), e, at);
                    }
                    record(d.tenant(), d.instance(), step, w);
                    n++;
                }
            }
            RuntimeRepository.flush(s, w);
            fired.increment(n);
            queued.increment(w.queued());
            return n;
        });
    }

    /**
     * Whether a pending entry may start now that its time has come: the re-entry rule against the
     * instances that started before it (in due order, so the earliest entry wins).
     */
    private static boolean mayStart(
            Db.Session s,
            String tenant,
            JourneyMachine machine,
            Instance pending,
            Map<String, List<EntryRules.Earlier>> startedHere) {
        Journey journey = machine.journey();
        String key = pending.profileId() + "\n" + journey.key();
        var before = new ArrayList<>(RuntimeRepository.started(
                s, tenant, journey.key(), pending.profileId(), journey.trigger().id()));
        before.addAll(startedHere.getOrDefault(key, List.of()));
        if (!EntryRules.mayEnter(journey.reentry(), before, "pending:" + pending.id(), pending.enteredAt())) {
            return false;
        }
        startedHere
                .computeIfAbsent(key, k -> new ArrayList<>())
                .add(new EntryRules.Earlier("pending:" + pending.id(), true, Optional.empty()));
        return true;
    }

    /**
     * An entry from later than the held clock waits at the trigger until the clock reaches it
     * ({@link Instance#pending}); the same entry again (a redelivery) is not added twice.
     */
    private static int pend(
            Db.Session s, String tenant, Journey journey, String profileId, String entryKey, Instant at, Writes w) {
        var earlier = RuntimeRepository.earlier(s, tenant, journey.key(), profileId);
        if (earlier.getKey().stream().anyMatch(e -> e.entryKey().equals(entryKey))) {
            return 0;
        }
        Instance instance =
                Instance.pending(UUID.randomUUID().toString(), profileId, journey, earlier.getValue() + 1, at);
        w.insert(tenant, instance, entryKey);
        w.update(instance, null, null);
        return 1;
    }

    /** An instance that cannot move ends, with the reason. */
    static Step failed(Instance instance, RuntimeException e, Instant now) {
        String reason = "failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        Instance ended = new Instance(
                instance.id(),
                instance.profileId(),
                instance.journeyKey(),
                instance.version(),
                instance.iteration(),
                Instance.Status.EXITED,
                instance.node(),
                instance.enteredAt(),
                instance.arrivedAt(),
                instance.arm(),
                instance.assignedAt(),
                java.util.Optional.empty());
        return new Step(
                ended,
                List.of(new Effect.Left(instance.node(), now), new Effect.Ended(Instance.Status.EXITED, reason, now)));
    }

    /** What {@link #handle} did. */
    public record Outcome(int started, int moved, int queued) {}

    /**
     * Applies signals of one tenant's profiles in one transaction, in their order per profile:
     * events move running instances and start event-triggered journeys, audience transitions start
     * or end journeys, deletions end everything, starts start. A redelivered event or entry does
     * nothing again (event ids and entry keys are unique).
     */
    public Outcome handle(String tenant, List<Signal> signals) {
        if (signals.isEmpty()) {
            return new Outcome(0, 0, 0);
        }
        Instant wall = clock.instant();
        return db.inTransaction(s -> {
            // on a held clock it is the held instant for the tenant: entries made now happen then
            Optional<Instant> held = RuntimeRepository.heldClock(s, tenant);
            Instant now = held.filter(h -> h.isBefore(wall)).orElse(wall);
            var profiles = new LinkedHashSet<String>();
            signals.forEach(sig -> profiles.add(sig.profileId()));
            RuntimeRepository.ensureRecipients(s, tenant, profiles);
            var recipients = RuntimeRepository.lockRecipients(s, tenant, profiles, false);
            var active = new HashMap<String, List<Instance>>();
            var all = RuntimeRepository.active(s, tenant, profiles);
            profiles.forEach(p -> active.put(p, new ArrayList<>()));
            all.forEach(i -> active.get(i.instance().profileId()).add(i.instance()));
            var contexts = contexts(s, tenant, recipients, all, earliest(signals, now));
            var live = journeys.live(s, tenant);
            var w = new Writes(new MessageEvents(messagesTopic));
            int started = 0;
            int moved = 0;
            for (Signal sig : signals) {
                var ctx = contexts.get(sig.profileId());
                var running = active.get(sig.profileId());
                switch (sig) {
                    case Signal.Event e -> {
                        var acceptance = Subscriptions.accepted(e.event());
                        boolean watched = journeys.watched(s, tenant, e.event().name());
                        if (!watched && acceptance.isEmpty()) {
                            continue;
                        }
                        if (!RuntimeRepository.recordEvent(s, tenant, sig.profileId(), e.event())) {
                            continue; // seen before
                        }
                        if (acceptance.isPresent() && !ctx.state().deleted()) {
                            ctx.replace(ctx.state()
                                    .withQuota(
                                            acceptance.get().template(),
                                            acceptance.get().count()));
                        }
                        if (!watched) {
                            continue;
                        }
                        ctx.addEvent(e.event());
                        var input = new Input.Event(
                                e.event().name(),
                                e.event().properties(),
                                e.event().at());
                        moved += advanceAll(s, tenant, running, input, ctx, w);
                        // an event from long before now (an import of history) starts nothing
                        boolean recent = !e.event().at().isBefore(now.minus(ENTRY_HORIZON));
                        for (Journey j : live) {
                            if (recent
                                    && j.trigger().entry() instanceof Node.Entry.Event trigger
                                    && trigger.event()
                                            .matches(e.event().name(), e.event().properties())) {
                                if (held.isPresent() && e.event().at().isAfter(now)) {
                                    started += pend(
                                            s,
                                            tenant,
                                            j,
                                            sig.profileId(),
                                            "event:" + e.event().messageId(),
                                            e.event().at(),
                                            w);
                                    continue;
                                }
                                started += start(
                                        s,
                                        tenant,
                                        j,
                                        sig.profileId(),
                                        "event:" + e.event().messageId(),
                                        e.event().at(),
                                        ctx,
                                        running,
                                        w);
                            }
                        }
                    }
                    case Signal.Changed c -> {
                        if (c.change().version() > ctx.state().version()
                                && !ctx.state().deleted()) {
                            ctx.replace(ctx.state().apply(c.change()));
                        }
                    }
                    case Signal.Merged m ->
                        moved += advanceAll(
                                s, tenant, running, new Input.Exit("merged into " + m.into(), m.at()), ctx, w);
                    case Signal.Audience a -> {
                        if (!ctx.state().deleted()) {
                            w.transition(tenant, a.audience(), a.profileId(), a.entered(), a.at(), a.entryKey());
                        }
                        if (ctx.state().audiences().contains(a.audience()) != a.entered()) {
                            ctx.replace(ctx.state().withAudience(a.audience(), a.entered()));
                        }
                        if (!a.entered()) {
                            moved += advanceAll(
                                    s, tenant, running, new Input.LeftAudience(a.audience(), a.at()), ctx, w);
                        }
                        for (Journey j : live) {
                            if (j.trigger().entry() instanceof Node.Entry.Audience trigger
                                    && trigger.audience().equals(a.audience())
                                    && trigger.exit() != a.entered()) {
                                started += start(
                                        s,
                                        tenant,
                                        j,
                                        sig.profileId(),
                                        a.entryKey(),
                                        atMost(a.at(), now),
                                        ctx,
                                        running,
                                        w);
                            }
                        }
                    }
                    case Signal.Deleted d -> {
                        moved += advanceAll(s, tenant, running, new Input.Deleted(d.at()), ctx, w);
                        ctx.replace(ctx.state().erased());
                        RuntimeRepository.forgetEvents(s, tenant, d.profileId());
                    }
                    case Signal.Start st -> {
                        for (Journey j : live) {
                            if (j.key().equals(st.journeyKey())) {
                                started += start(
                                        s,
                                        tenant,
                                        j,
                                        sig.profileId(),
                                        st.entryKey(),
                                        atMost(st.at(), now),
                                        ctx,
                                        running,
                                        w);
                            }
                        }
                    }
                }
            }
            RuntimeRepository.flush(s, w);
            RuntimeRepository.saveRecipients(
                    s,
                    contexts.values().stream()
                            .filter(ProfileContext::dirty)
                            .map(ProfileContext::state)
                            .toList());
            queued.increment(w.queued());
            return new Outcome(started, moved, w.queued());
        });
    }

    private int start(
            Db.Session s,
            String tenant,
            Journey journey,
            String profileId,
            String entryKey,
            Instant at,
            ProfileContext ctx,
            List<Instance> running,
            Writes w) {
        if (ctx.state().deleted()) {
            return 0;
        }
        var earlier = RuntimeRepository.earlier(s, tenant, journey.key(), profileId);
        var before = new ArrayList<>(earlier.getKey());
        int iteration = earlier.getValue();
        // instances started earlier in this batch are not in the database yet
        for (Instance i : running) {
            if (i.journeyKey().equals(journey.key()) && w.startedInBatch(i.id())) {
                before.add(new EntryRules.Earlier(w.entryKey(i.id()), i.active(), java.util.Optional.empty()));
                iteration = Math.max(iteration, i.iteration());
            }
        }
        if (!EntryRules.mayEnter(journey.reentry(), before, entryKey, at)) {
            return 0;
        }
        Instance instance = Instance.start(UUID.randomUUID().toString(), profileId, journey, iteration + 1, at);
        w.insert(tenant, instance, entryKey);
        var machine = journeys.machine(s, tenant, journey.key(), journey.version());
        Step step = machine.advance(instance, new Input.Start(at), ctx);
        record(tenant, instance, step, w);
        if (step.instance().active()) {
            running.add(step.instance());
        }
        return 1;
    }

    private int advanceAll(
            Db.Session s, String tenant, List<Instance> running, Input input, ProfileContext ctx, Writes w) {
        int moved = 0;
        for (int k = 0; k < running.size(); k++) {
            Instance i = running.get(k);
            if (!i.active()) {
                continue;
            }
            var machine = journeys.machine(s, tenant, i.journeyKey(), i.version());
            Step step = machine.advance(i, input, ctx);
            if (step.changed()) {
                record(tenant, i, step, w);
                running.set(k, step.instance());
                moved++;
            }
        }
        return moved;
    }

    private Map<String, ProfileContext> contexts(
            Db.Session s,
            String tenant,
            Map<String, RecipientState> recipients,
            Collection<StoredInstance> instances,
            Instant now) {
        if (recipients.isEmpty()) {
            return Map.of();
        }
        TenantPolicy policy = policies.get(s, tenant);
        Duration longest = HISTORY;
        for (Cap cap : policy.send().caps()) {
            if (cap.window() instanceof Cap.Window.Rolling r && r.length().compareTo(longest) > 0) {
                longest = r.length();
            }
        }
        Instant since = now;
        for (StoredInstance i : instances) {
            if (i.instance().enteredAt().isBefore(since)) {
                since = i.instance().enteredAt();
            }
        }
        var sends = RuntimeRepository.sends(s, tenant, recipients.keySet(), now.minus(longest));
        var events = RuntimeRepository.events(s, tenant, recipients.keySet(), since);
        var out = new HashMap<String, ProfileContext>();
        for (var r : recipients.entrySet()) {
            out.put(
                    r.getKey(),
                    new ProfileContext(
                            r.getValue(),
                            policy,
                            new ArrayList<>(events.getOrDefault(r.getKey(), List.of())),
                            sends.getOrDefault(r.getKey(), List.<PastSend>of()),
                            defaultZone));
        }
        return out;
    }

    private static Instant atMost(Instant at, Instant now) {
        return at.isAfter(now) ? now : at;
    }

    private static Instant earliest(List<Signal> signals, Instant now) {
        Instant min = now;
        for (Signal sig : signals) {
            Instant at = switch (sig) {
                case Signal.Event e -> e.event().at();
                case Signal.Audience a -> a.at();
                case Signal.Deleted d -> d.at();
                case Signal.Start st -> st.at();
                case Signal.Merged m -> m.at();
                case Signal.Changed c -> min;
            };
            if (at.isBefore(min)) {
                min = at;
            }
        }
        return min;
    }

    /** Turns a step's effects into writes: the instance, its history, ledger rows and tag updates. */
    static void record(String tenant, Instance before, Step step, Writes w) {
        Instance after = step.instance();
        Instant endedAt = null;
        String endReason = null;
        // a departure and the next arrival are one row: a move from one node to the other
        Effect.Left left = null;
        for (Effect e : step.effects()) {
            switch (e) {
                case Effect.Arrived a -> {
                    if (left == null) {
                        w.history(tenant, after, a.node(), null, "entered", null, null, a.at());
                    } else {
                        w.history(tenant, after, a.node(), left.node(), "moved", null, null, a.at());
                        left = null;
                    }
                }
                case Effect.Left l -> {
                    if (left != null) {
                        w.history(tenant, after, left.node(), left.node(), "moved", null, "left", left.at());
                    }
                    left = l;
                }
                case Effect.Dispatch d -> {
                    w.ledger(
                            tenant,
                            after,
                            d.sendKey(),
                            d.node(),
                            d.channel(),
                            d.template(),
                            d.sender(),
                            d.marketing(),
                            d.tags(),
                            "queued",
                            null,
                            null,
                            d.at());
                    w.history(
                            tenant,
                            after,
                            d.node(),
                            null,
                            "queued",
                            after.arm().orElse(null),
                            d.channel() + ":" + d.template() + " " + d.sendKey(),
                            d.at());
                }
                case Effect.Suppressed x -> {
                    w.ledger(
                            tenant,
                            after,
                            x.sendKey(),
                            x.node(),
                            x.channel(),
                            x.template(),
                            "",
                            x.marketing(),
                            java.util.Set.of(),
                            "suppressed",
                            x.reason().name().toLowerCase(Locale.ROOT),
                            x.detail(),
                            x.at());
                    w.history(
                            tenant,
                            after,
                            x.node(),
                            null,
                            "suppressed",
                            after.arm().orElse(null),
                            x.reason().name().toLowerCase(Locale.ROOT) + ": " + x.detail(),
                            x.at());
                }
                case Effect.Deferred d ->
                    w.history(
                            tenant,
                            after,
                            d.node(),
                            null,
                            "deferred",
                            null,
                            d.reason().name().toLowerCase(Locale.ROOT) + " until " + d.until(),
                            after.arrivedAt());
                case Effect.Assigned a ->
                    w.history(
                            tenant, after, a.node(), null, "assigned", a.arm(), a.control() ? "control" : null, a.at());
                case Effect.SetTag t -> {
                    w.tag(tenant, after, t.tag(), t.value().orElse(null));
                    w.history(
                            tenant,
                            after,
                            after.node(),
                            null,
                            "tagged",
                            null,
                            t.tag() + "=" + t.value().orElse(""),
                            after.arrivedAt());
                }
                case Effect.Converted c ->
                    w.history(
                            tenant, after, c.node(), null, "converted", c.arm().orElse(null), c.goal(), c.at());
                case Effect.Ended end -> {
                    endedAt = end.at();
                    endReason = end.reason();
                    w.history(
                            tenant,
                            after,
                            left == null ? after.node() : left.node(),
                            null,
                            "ended",
                            after.arm().orElse(null),
                            end.status().name().toLowerCase(Locale.ROOT) + ": " + end.reason(),
                            end.at());
                    left = null;
                }
            }
        }
        if (left != null) {
            w.history(tenant, after, left.node(), left.node(), "moved", null, "left", left.at());
        }
        if (step.changed() || !before.equals(after)) {
            w.update(after, endedAt, endReason);
        }
    }
}
