package io.strata.campaign.journey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.campaign.delivery.Cap;
import io.strata.campaign.delivery.ConsentEntry;
import io.strata.campaign.delivery.Decision;
import io.strata.campaign.delivery.PastSend;
import io.strata.campaign.delivery.QuietHours;
import io.strata.campaign.delivery.Recipient;
import io.strata.campaign.delivery.SendPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JourneyMachineTest {

    private static final Journey FP7 = Fixtures.journey("first-purchase-7d");
    private static final Journey WIN_BACK = Fixtures.journey("churn-win-back");
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final Instant ORDER = Instant.parse("2026-03-02T12:00:00Z"); // 20:00 in Shanghai
    private static final ConsentEntry SMS_OK =
            new ConsentEntry("sms", "marketing", "【Strata】", true, Instant.parse("2026-01-01T00:00:00Z"));
    private static final ConsentEntry PUSH_OK =
            new ConsentEntry("push", "marketing", "", true, Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void firstPurchasePlusSevenDaysSendsTheArmsMessageOnceAndCountsTheGoal() {
        var profile = profile(SMS_OK, PUSH_OK);
        var machine = new JourneyMachine(FP7);
        Instance instance = Instance.start("i-1", profileWithArm("coupon"), FP7, 1, ORDER);

        Step started = machine.advance(instance, new Input.Start(ORDER), profile);
        assertEquals("wait-7d", started.instance().node());
        assertEquals(
                Optional.of(Instant.parse("2026-03-09T12:00:00Z")),
                started.instance().wakeAt());
        assertEquals(
                List.of(
                        new Effect.Arrived("start", ORDER),
                        new Effect.Left("start", ORDER),
                        new Effect.Arrived("wait-7d", ORDER)),
                started.effects());

        Instant day7 = started.instance().wakeAt().orElseThrow();
        Step at10 = machine.advance(started.instance(), new Input.Timer(day7), profile);
        assertEquals("at-10", at10.instance().node());
        // 20:00 on day 7: the next 10:00 on the profile's clock is the morning after
        assertEquals(
                Optional.of(Instant.parse("2026-03-10T02:00:00Z")),
                at10.instance().wakeAt());

        Instant ten = at10.instance().wakeAt().orElseThrow();
        Step sent = machine.advance(at10.instance(), new Input.Timer(ten), profile);
        assertEquals("second-order", sent.instance().node());
        assertEquals(Optional.of(ten.plus(Duration.ofDays(14))), sent.instance().wakeAt());
        var dispatch = only(sent.effects(), Effect.Dispatch.class);
        assertEquals(Arms.sendKey("i-1", "sms-coupon", 1), dispatch.sendKey());
        assertEquals("sms", dispatch.channel());
        assertEquals(Optional.of("coupon"), dispatch.arm());
        assertTrue(sent.effects().contains(new Effect.Assigned("split", "coupon", false, ten)));

        // the same step again (a retry after a crash) gives the same send key
        var again = machine.advance(at10.instance(), new Input.Timer(ten), profile(SMS_OK, PUSH_OK));
        assertEquals(dispatch, only(again.effects(), Effect.Dispatch.class));

        Instant secondOrder = ten.plus(Duration.ofDays(3));
        Step converted =
                machine.advance(sent.instance(), new Input.Event("Order Completed", Map.of(), secondOrder), profile);
        assertFalse(converted.instance().active());
        assertEquals(Instance.Status.COMPLETED, converted.instance().status());
        assertTrue(converted
                .effects()
                .contains(new Effect.Converted("second-order", "second order", Optional.of("coupon"), secondOrder)));
    }

    @Test
    void theControlArmIsSentNothingAndItsConversionsCountFromAssignment() {
        var profile = profile(SMS_OK, PUSH_OK);
        var machine = new JourneyMachine(FP7);
        Instance instance = Instance.start("i-2", profileWithArm("control"), FP7, 1, ORDER);
        Step s = machine.advance(instance, new Input.Start(ORDER), profile);
        s = machine.advance(s.instance(), new Input.Timer(s.instance().wakeAt().orElseThrow()), profile);
        Instant assigned = s.instance().wakeAt().orElseThrow();
        profile.events.add(
                Map.entry("Order Completed", assigned.minusSeconds(60))); // before assignment: not a conversion
        s = machine.advance(s.instance(), new Input.Timer(assigned), profile);
        assertTrue(s.effects().stream().noneMatch(e -> e instanceof Effect.Dispatch));
        assertTrue(s.effects().contains(new Effect.Assigned("split", "control", true, assigned)));
        assertEquals("second-order", s.instance().node());

        Step timeout = machine.advance(s.instance(), new Input.Timer(assigned.plus(Duration.ofDays(14))), profile);
        assertEquals(Instance.Status.COMPLETED, timeout.instance().status());
        assertTrue(timeout.effects().stream().noneMatch(e -> e instanceof Effect.Converted));
    }

    @Test
    void historyArrivingAheadOfTheTimerIsAppliedWhenTheTimerComes() {
        var profile = profile(SMS_OK, PUSH_OK);
        var machine = new JourneyMachine(FP7);
        Step s = machine.advance(
                Instance.start("i-r", profileWithArm("coupon"), FP7, 1, ORDER), new Input.Start(ORDER), profile);
        Instant week = s.instance().wakeAt().orElseThrow();
        // a refund ten days on arrives while the instance still waits out its first week
        Instant refund = ORDER.plus(Duration.ofDays(10));
        profile.events.add(Map.entry("Refund Completed", refund));
        Step early = machine.advance(s.instance(), new Input.Event("Refund Completed", Map.of(), refund), profile);
        assertEquals(Instance.Status.ACTIVE, early.instance().status(), "not before its time");
        // the week passes: on to 10:00 and the split, as before the refund
        s = machine.advance(s.instance(), new Input.Timer(week), profile);
        s = machine.advance(s.instance(), new Input.Timer(s.instance().wakeAt().orElseThrow()), profile);
        assertEquals("second-order", s.instance().node());
        // the goal's timer comes after the refund: the exit rule ends it then, at the refund's time
        Step ended = machine.advance(
                s.instance(), new Input.Timer(s.instance().wakeAt().orElseThrow()), profile);
        assertEquals(Instance.Status.EXITED, ended.instance().status());
        assertTrue(ended.effects()
                .contains(new Effect.Ended(Instance.Status.EXITED, "exit rule: Refund Completed", refund)));
    }

    @Test
    void aGoalThatAlreadyHappenedWhileASendWaitedCountsOnArrival() {
        var profile = profile(SMS_OK, PUSH_OK);
        var morningQuiet = new QuietHours(java.time.LocalTime.of(9, 0), java.time.LocalTime.of(12, 0), Set.of());
        profile.policy = new SendPolicy(Map.of("push", morningQuiet), true, List.of(), Set.of());
        var machine = new JourneyMachine(FP7);
        Step s = machine.advance(
                Instance.start("i-3", profileWithArm("content"), FP7, 1, ORDER), new Input.Start(ORDER), profile);
        s = machine.advance(s.instance(), new Input.Timer(s.instance().wakeAt().orElseThrow()), profile);
        Instant ten = s.instance().wakeAt().orElseThrow();
        s = machine.advance(s.instance(), new Input.Timer(ten), profile);
        assertEquals("push-content", s.instance().node());
        Instant noon = ten.plus(Duration.ofHours(2));
        assertEquals(Optional.of(noon), s.instance().wakeAt());

        Instant bought = ten.plus(Duration.ofHours(1));
        profile.events.add(Map.entry("Order Completed", bought));
        Step done = machine.advance(s.instance(), new Input.Timer(noon), profile);
        assertEquals("push", only(done.effects(), Effect.Dispatch.class).channel());
        assertTrue(done.effects()
                .contains(new Effect.Converted("second-order", "second order", Optional.of("content"), bought)));
        assertEquals(Instance.Status.COMPLETED, done.instance().status());
    }

    @Test
    void aDeletedPersonInARunningJourneyGetsNothingMore() {
        var profile = profile(SMS_OK, PUSH_OK);
        var machine = new JourneyMachine(FP7);
        Step s = machine.advance(
                Instance.start("i-4", profileWithArm("coupon"), FP7, 1, ORDER), new Input.Start(ORDER), profile);
        Step deleted = machine.advance(s.instance(), new Input.Deleted(ORDER.plus(Duration.ofDays(1))), profile);
        assertEquals(Instance.Status.EXITED, deleted.instance().status());
        assertEquals(Optional.empty(), deleted.instance().wakeAt());
        assertTrue(deleted.effects()
                .contains(new Effect.Ended(Instance.Status.EXITED, "deleted", ORDER.plus(Duration.ofDays(1)))));
        Step later = machine.advance(deleted.instance(), new Input.Timer(ORDER.plus(Duration.ofDays(30))), profile);
        assertTrue(later.effects().isEmpty());
        assertEquals(deleted.instance(), later.instance());

        // a deletion the send-time checks see first (the feed's record not yet applied to the instance)
        var gone = new Fixtures.Profile(new Recipient(true, false, List.of(SMS_OK), false, SHANGHAI, Map.of()));
        Step a = machine.advance(
                Instance.start("i-5", profileWithArm("coupon"), FP7, 1, ORDER), new Input.Start(ORDER), gone);
        a = machine.advance(a.instance(), new Input.Timer(a.instance().wakeAt().orElseThrow()), gone);
        a = machine.advance(a.instance(), new Input.Timer(a.instance().wakeAt().orElseThrow()), gone);
        assertTrue(a.effects().stream().noneMatch(e -> e instanceof Effect.Dispatch));
        assertEquals(
                Decision.Reason.DELETED,
                only(a.effects(), Effect.Suppressed.class).reason());
    }

    @Test
    void journeyWideExitRulesFireFromAnyStep() {
        var profile = profile(SMS_OK);
        var machine = new JourneyMachine(FP7);
        Step s = machine.advance(
                Instance.start("i-6", profileWithArm("coupon"), FP7, 1, ORDER), new Input.Start(ORDER), profile);
        Instant refund = ORDER.plus(Duration.ofDays(2));
        Step exited = machine.advance(s.instance(), new Input.Event("Refund Completed", Map.of(), refund), profile);
        assertEquals(
                List.of(
                        new Effect.Left("wait-7d", refund),
                        new Effect.Ended(Instance.Status.EXITED, "exit rule: Refund Completed", refund)),
                exited.effects());

        Step unrelated = machine.advance(s.instance(), new Input.Event("Page Viewed", Map.of(), refund), profile);
        assertTrue(unrelated.effects().isEmpty());
        Step early = machine.advance(s.instance(), new Input.Timer(ORDER.plus(Duration.ofDays(1))), profile);
        assertTrue(early.effects().isEmpty(), "a timer before the wake time does nothing");

        var winBack = new JourneyMachine(WIN_BACK);
        Step w = winBack.advance(Instance.start("i-7", "p-7", WIN_BACK, 1, ORDER), new Input.Start(ORDER), profile);
        Step left = winBack.advance(w.instance(), new Input.LeftAudience("churn-warning", refund), profile);
        assertEquals(Instance.Status.EXITED, left.instance().status());
    }

    @Test
    void quietHoursDeferTheSendToTheMorningAndCheckEverythingAgain() {
        var profile = profile(SMS_OK);
        profile.policy = new SendPolicy(Map.of("sms", QuietHours.chinaSms()), true, List.of(), Set.of());
        var machine = new JourneyMachine(WIN_BACK);
        Instant late = Instant.parse("2026-03-02T15:30:00Z"); // 23:30 in Shanghai
        Step s = machine.advance(Instance.start("i-8", "p-8", WIN_BACK, 1, late), new Input.Start(late), profile);
        assertEquals("sms-miss-you", s.instance().node());
        Instant morning = Instant.parse("2026-03-03T00:00:00Z"); // 08:00 in Shanghai
        assertEquals(Optional.of(morning), s.instance().wakeAt());
        var deferred = only(s.effects(), Effect.Deferred.class);
        assertEquals(Decision.Reason.QUIET_HOURS, deferred.reason());

        Step sent = machine.advance(s.instance(), new Input.Timer(morning), profile);
        var dispatch = only(sent.effects(), Effect.Dispatch.class);
        assertEquals(deferred.sendKey(), dispatch.sendKey(), "the deferred message keeps its key");
        assertEquals("bought", sent.instance().node());
        assertEquals(
                Optional.of(morning.plus(Duration.ofDays(7))), sent.instance().wakeAt());

        // the person refused SMS overnight: the deferred message is checked again and not sent
        var refused = profile(SMS_OK, new ConsentEntry("sms", "marketing", "【Strata】", false, late.plusSeconds(60)));
        refused.policy = profile.policy;
        Step none = machine.advance(s.instance(), new Input.Timer(morning), refused);
        assertEquals(
                Decision.Reason.NO_CONSENT,
                only(none.effects(), Effect.Suppressed.class).reason());
        assertEquals("bought", none.instance().node(), "skip: the journey goes on without the message");
    }

    @Test
    void waitForEventTakesTheBranchOfAnEventThatAlreadyHappenedOrArrives() {
        var profile = profile(SMS_OK);
        var machine = new JourneyMachine(WIN_BACK);
        Instant noon = Instant.parse("2026-03-02T04:00:00Z");
        profile.events.add(Map.entry("Order Completed", noon)); // at the same instant as the entry
        Step s = machine.advance(Instance.start("i-9", "p-9", WIN_BACK, 1, noon), new Input.Start(noon), profile);
        assertEquals(Instance.Status.COMPLETED, s.instance().status());
        assertTrue(s.effects().contains(new Effect.Left("bought", noon)));

        var waiting = profile(SMS_OK);
        Step w = machine.advance(Instance.start("i-10", "p-10", WIN_BACK, 1, noon), new Input.Start(noon), waiting);
        assertEquals("bought", w.instance().node());
        // an order from after the seven days, arriving late (replayed history), is not this branch's
        Step late = machine.advance(
                w.instance(), new Input.Event("Order Completed", Map.of(), noon.plus(Duration.ofDays(9))), waiting);
        assertEquals("bought", late.instance().node());
        assertEquals(w.instance().wakeAt(), late.instance().wakeAt(), "the timeout's timer stays");
        Step bought = machine.advance(
                w.instance(), new Input.Event("Order Completed", Map.of(), noon.plus(Duration.ofDays(2))), waiting);
        assertEquals(Instance.Status.COMPLETED, bought.instance().status());
    }

    @Test
    void aCapHoldsTheCouponUntilItsWindowFreesASlot() {
        var profile = profile(SMS_OK);
        profile.tags.put("clv_tier", "high");
        var weekly =
                new Cap("promotion-weekly", Cap.Scope.TAG, "promotion", 1, new Cap.Window.Rolling(Duration.ofDays(7)));
        profile.policy = new SendPolicy(Map.of(), true, List.of(weekly), Set.of());
        var machine = new JourneyMachine(WIN_BACK);
        Instant noon = Instant.parse("2026-03-02T04:00:00Z");
        Step s = machine.advance(Instance.start("i-11", "p-11", WIN_BACK, 1, noon), new Input.Start(noon), profile);
        Instant timeout = s.instance().wakeAt().orElseThrow();
        Instant otherPromotion = timeout.minus(Duration.ofDays(2));
        profile.sent.add(new PastSend(otherPromotion, "email", Set.of("promotion"), true));

        Step held = machine.advance(s.instance(), new Input.Timer(timeout), profile);
        assertEquals("coupon", held.instance().node());
        var deferred = only(held.effects(), Effect.Deferred.class);
        assertEquals(Decision.Reason.FREQUENCY_CAP, deferred.reason());
        Instant free = otherPromotion.plus(Duration.ofDays(7));
        assertEquals(free, deferred.until());

        Step sent = machine.advance(held.instance(), new Input.Timer(free), profile);
        assertEquals("sms", only(sent.effects(), Effect.Dispatch.class).channel());
        assertEquals("win-back", sent.instance().node());

        // not valuable: tagged instead, and the journey ends
        var plain = profile(SMS_OK);
        Step p = machine.advance(Instance.start("i-12", "p-12", WIN_BACK, 1, noon), new Input.Start(noon), plain);
        Step tagged = machine.advance(p.instance(), new Input.Timer(timeout), plain);
        assertTrue(tagged.effects().contains(new Effect.SetTag("win_back", Optional.of("no_offer"))));
        assertEquals(Instance.Status.COMPLETED, tagged.instance().status());
    }

    @Test
    void armsAreStickyAndFollowTheWeights() {
        var split = (Node.Split) FP7.node("split");
        int control = 0;
        for (int i = 0; i < 20_000; i++) {
            String arm = Arms.assign("p-" + i, split.salt(), split.arms()).name();
            assertEquals(arm, Arms.assign("p-" + i, split.salt(), split.arms()).name());
            control += arm.equals("control") ? 1 : 0;
        }
        assertEquals(2_000, control, 120); // 10 % ± 4.5 σ
    }

    @Test
    void entryRules() {
        Instant now = Instant.parse("2026-03-02T04:00:00Z");
        var never = new Journey.Reentry(Journey.ReentryMode.NEVER, Duration.ZERO);
        assertTrue(EntryRules.mayEnter(never, List.of(), "o-1", now));
        var ended = new EntryRules.Earlier("o-1", false, Optional.of(now.minus(Duration.ofDays(40))));
        assertFalse(EntryRules.mayEnter(never, List.of(ended), "o-2", now));

        var afterExit = new Journey.Reentry(Journey.ReentryMode.AFTER_EXIT, Duration.ofDays(30));
        assertTrue(EntryRules.mayEnter(afterExit, List.of(ended), "o-2", now));
        assertFalse(EntryRules.mayEnter(afterExit, List.of(ended), "o-1", now), "an entry key enters once");
        var recent = new EntryRules.Earlier("o-1", false, Optional.of(now.minus(Duration.ofDays(10))));
        assertFalse(EntryRules.mayEnter(afterExit, List.of(recent), "o-2", now), "cooling down");
        var running = new EntryRules.Earlier("o-1", true, Optional.empty());
        assertFalse(EntryRules.mayEnter(afterExit, List.of(running), "o-2", now));

        var every = new Journey.Reentry(Journey.ReentryMode.EVERY_ENTRY, Duration.ZERO);
        assertTrue(EntryRules.mayEnter(every, List.of(running), "o-2", now));
        assertFalse(EntryRules.mayEnter(every, List.of(running), "o-1", now));
    }

    private static Fixtures.Profile profile(ConsentEntry... consents) {
        return new Fixtures.Profile(new Recipient(false, false, List.of(consents), false, SHANGHAI, Map.of()));
    }

    /** A profile id whose arm of the demo split is {@code arm}. */
    private static String profileWithArm(String arm) {
        var split = (Node.Split) FP7.node("split");
        for (int i = 0; ; i++) {
            if (Arms.assign("p-" + i, split.salt(), split.arms()).name().equals(arm)) {
                return "p-" + i;
            }
        }
    }

    private static <T extends Effect> T only(List<Effect> effects, Class<T> type) {
        var found = effects.stream().filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, found.size(), () -> "one " + type.getSimpleName() + " in " + effects);
        return found.get(0);
    }
}
