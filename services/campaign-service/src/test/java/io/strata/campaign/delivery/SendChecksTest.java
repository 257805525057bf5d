package io.strata.campaign.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SendChecksTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final Instant JAN = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant NOON = Instant.parse("2026-03-04T04:00:00Z"); // Wednesday 12:00 in Shanghai
    private static final ConsentEntry SMS_ANY = new ConsentEntry("sms", "marketing", "", true, JAN);
    private static final SendPolicy OPEN = new SendPolicy(Map.of(), true, List.of(), Set.of());

    @Test
    void checksRunInTheDocumentedOrder() {
        var sms = marketing("sms", NOON);
        var china = new SendPolicy(Map.of("sms", QuietHours.chinaSms()), true, List.of(), Set.of());
        Instant night = Instant.parse("2026-03-04T14:00:00Z"); // 22:00

        // deleted before consent, consent before control, control before quiet hours
        assertEquals(
                Decision.Reason.DELETED,
                reason(check(marketing("sms", night), recipient(true, false, false, SMS_ANY), china)));
        assertEquals(
                Decision.Reason.NO_CONSENT,
                reason(check(marketing("sms", night), recipient(false, false, true), china)));
        assertEquals(
                Decision.Reason.GLOBAL_CONTROL,
                reason(check(marketing("sms", night), recipient(false, false, true, SMS_ANY), china)));
        var quiet = check(marketing("sms", night), recipient(false, false, false, SMS_ANY), china);
        assertEquals(new Decision.Defer(Decision.Reason.QUIET_HOURS, Instant.parse("2026-03-05T00:00:00Z")), quiet);
        assertInstanceOf(Decision.Send.class, check(sms, recipient(false, false, false, SMS_ANY), china));
        assertEquals(Decision.Reason.SUPPRESSED, reason(check(sms, recipient(false, true, false, SMS_ANY), china)));

        var drop = new SendPolicy(Map.of("sms", QuietHours.chinaSms()), false, List.of(), Set.of());
        assertEquals(
                new Decision.Suppress(Decision.Reason.QUIET_HOURS, "quiet on the recipient's clock", Optional.empty()),
                check(marketing("sms", night), recipient(false, false, false, SMS_ANY), drop));
    }

    @Test
    void consentIsPerChannelPurposeAndSenderAndTheLatestStatementWins() {
        var fromA = new SendRequest("sms", "t", "【A】", true, Set.of(), NOON);
        var fromB = new SendRequest("sms", "t", "【B】", true, Set.of(), NOON);
        // granted for every sender, then "T" replied to signature A
        var optedOutOfA = recipient(
                false, false, false, SMS_ANY, new ConsentEntry("sms", "marketing", "【A】", false, JAN.plusSeconds(5)));
        assertEquals(Decision.Reason.NO_CONSENT, reason(check(fromA, optedOutOfA, OPEN)));
        assertInstanceOf(Decision.Send.class, check(fromB, optedOutOfA, OPEN));
        // an opt-out of every sender after a grant to A
        var allOut = recipient(
                false,
                false,
                false,
                new ConsentEntry("sms", "marketing", "【A】", true, JAN),
                new ConsentEntry("sms", "marketing", "", false, JAN.plusSeconds(5)));
        assertEquals(Decision.Reason.NO_CONSENT, reason(check(fromA, allOut, OPEN)));
        // email consent does not open SMS
        var emailOnly = recipient(false, false, false, new ConsentEntry("email", "marketing", "", true, JAN));
        assertEquals(Decision.Reason.NO_CONSENT, reason(check(fromA, emailOnly, OPEN)));
    }

    @Test
    void transactionalMessagesNeedOnlyThatThePersonHasNotRefusedThem() {
        var receipt = new SendRequest("sms", "t", "【A】", false, Set.of(), Instant.parse("2026-03-04T15:00:00Z"));
        var china = new SendPolicy(Map.of("sms", QuietHours.chinaSms()), true, List.of(dailyCap(1)), Set.of());
        var history = List.of(new PastSend(NOON, "sms", Set.of(), true));
        assertInstanceOf(Decision.Send.class, SendChecks.check(receipt, recipient(false, false, true), china, history));
        var refused = recipient(false, false, false, new ConsentEntry("sms", "transactional", "", false, JAN));
        assertEquals(Decision.Reason.NO_CONSENT, reason(SendChecks.check(receipt, refused, china, history)));
        assertEquals(
                Decision.Reason.DELETED,
                reason(SendChecks.check(receipt, recipient(true, false, false), china, history)));
    }

    @Test
    void capsCountRollingAndCalendarWindowsPerChannelAndTag() {
        var to = recipient(false, false, false, SMS_ANY, new ConsentEntry("push", "marketing", "", true, JAN));
        var rolling = new Cap("sms-3-per-7d", Cap.Scope.CHANNEL, "sms", 3, new Cap.Window.Rolling(Duration.ofDays(7)));
        var policy = new SendPolicy(Map.of(), true, List.of(rolling, dailyCap(2)), Set.of());
        var history = new ArrayList<PastSend>();
        Instant d1 = NOON.minus(Duration.ofDays(6));
        history.add(new PastSend(d1, "sms", Set.of(), true));
        history.add(new PastSend(NOON.minus(Duration.ofDays(3)), "sms", Set.of(), true));
        history.add(new PastSend(NOON.minus(Duration.ofDays(8)), "sms", Set.of(), true)); // outside the window
        history.add(new PastSend(NOON.minus(Duration.ofHours(1)), "sms", Set.of(), false)); // transactional
        assertInstanceOf(Decision.Send.class, SendChecks.check(marketing("sms", NOON), to, policy, history));
        history.add(new PastSend(NOON.minus(Duration.ofHours(2)), "sms", Set.of(), true));
        var capped = (Decision.Suppress) SendChecks.check(marketing("sms", NOON), to, policy, history);
        assertEquals(Decision.Reason.FREQUENCY_CAP, capped.reason());
        assertEquals(Optional.of(d1.plus(Duration.ofDays(7))), capped.retryAt(), "when the oldest leaves the window");
        // push is not capped by the SMS cap, but by the global daily one: 1 today so far
        assertInstanceOf(Decision.Send.class, SendChecks.check(marketing("push", NOON), to, policy, history));
        history.add(new PastSend(NOON.minus(Duration.ofMinutes(5)), "push", Set.of(), true));
        var daily = (Decision.Suppress) SendChecks.check(marketing("push", NOON), to, policy, history);
        assertEquals(Optional.of(Instant.parse("2026-03-04T16:00:00Z")), daily.retryAt(), "local midnight");
        // the calendar day is the recipient's: in Berlin it is still the same day at 23:00
        var berlin = new Recipient(false, false, to.consents(), false, ZoneId.of("Europe/Berlin"), Map.of());
        var lateInBerlin = Instant.parse("2026-03-04T22:00:00Z");
        assertInstanceOf(Decision.Send.class, SendChecks.check(marketing("push", lateInBerlin), to, policy, history));
        assertEquals(
                Decision.Reason.FREQUENCY_CAP,
                reason(SendChecks.check(marketing("push", lateInBerlin), berlin, policy, history)));

        var promo = new Cap("promo", Cap.Scope.TAG, "promotion", 1, new Cap.Window.Calendar(Cap.Window.Unit.MONTH));
        var tagged = new SendPolicy(Map.of(), true, List.of(promo), Set.of());
        var promoHistory =
                List.of(new PastSend(Instant.parse("2026-03-01T01:00:00Z"), "email", Set.of("promotion"), true));
        var promoSms = new SendRequest("sms", "t", "", true, Set.of("promotion"), NOON);
        var plainSms = new SendRequest("sms", "t", "", true, Set.of("service"), NOON);
        var monthly = (Decision.Suppress) SendChecks.check(promoSms, to, tagged, promoHistory);
        assertEquals(Optional.of(Instant.parse("2026-03-31T16:00:00Z")), monthly.retryAt());
        assertInstanceOf(Decision.Send.class, SendChecks.check(plainSms, to, tagged, promoHistory));
    }

    @Test
    void weChatSubscriptionMessagesSpendOneTimeAcceptances() {
        var policy = new SendPolicy(Map.of(), true, List.of(), Set.of("wechat"));
        var consent = new ConsentEntry("wechat", "marketing", "wx-app", true, JAN);
        var send = new SendRequest("wechat", "order_shipped", "wx-app", true, Set.of(), NOON);
        var none = new Recipient(false, false, List.of(consent), false, SHANGHAI, Map.of("other", 3));
        assertEquals(Decision.Reason.NO_SUBSCRIPTION_QUOTA, reason(SendChecks.check(send, none, policy, List.of())));
        var one = new Recipient(false, false, List.of(consent), false, SHANGHAI, Map.of("order_shipped", 1));
        assertInstanceOf(Decision.Send.class, SendChecks.check(send, one, policy, List.of()));
    }

    @Test
    void holidaysAreDoNotDisturbDays() {
        var springFestival = new QuietHours(
                QuietHours.chinaSms().start(), QuietHours.chinaSms().end(), Set.of(LocalDate.of(2026, 2, 17)));
        var policy = new SendPolicy(Map.of("sms", springFestival), true, List.of(), Set.of());
        var d = SendChecks.check(
                marketing("sms", Instant.parse("2026-02-17T04:00:00Z")),
                recipient(false, false, false, SMS_ANY),
                policy,
                List.of());
        assertEquals(new Decision.Defer(Decision.Reason.DO_NOT_DISTURB, Instant.parse("2026-02-18T00:00:00Z")), d);
    }

    private static Cap dailyCap(int limit) {
        return new Cap("daily", Cap.Scope.GLOBAL, "", limit, new Cap.Window.Calendar(Cap.Window.Unit.DAY));
    }

    private static SendRequest marketing(String channel, Instant at) {
        return new SendRequest(channel, "t", "", true, Set.of(), at);
    }

    private static Recipient recipient(boolean deleted, boolean suppressed, boolean control, ConsentEntry... consents) {
        return new Recipient(deleted, suppressed, List.of(consents), control, SHANGHAI, Map.of());
    }

    private static Decision check(SendRequest send, Recipient to, SendPolicy policy) {
        return SendChecks.check(send, to, policy, List.of());
    }

    private static Decision.Reason reason(Decision d) {
        return switch (d) {
            case Decision.Suppress s -> s.reason();
            case Decision.Defer s -> s.reason();
            case Decision.Send s -> null;
        };
    }
}
