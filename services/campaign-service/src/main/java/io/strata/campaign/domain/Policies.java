package io.strata.campaign.domain;

import io.strata.campaign.delivery.Cap;
import io.strata.campaign.delivery.QuietHours;
import io.strata.campaign.delivery.SendPolicy;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The send rules a tenant starts with, until it sets its own. */
public final class Policies {

    private Policies() {}

    /**
     * Marketing SMS only from 08:00 to 21:00 on the recipient's clock, deferred rather than dropped;
     * push not between 22:00 and 08:00; WeCom customer broadcasts at most 4 a calendar month per
     * customer; WeChat subscription messages spend one-time acceptances.
     */
    public static SendPolicy defaults() {
        return new SendPolicy(
                Map.of(
                        "sms",
                        QuietHours.chinaSms(),
                        "push",
                        new QuietHours(LocalTime.of(22, 0), LocalTime.of(8, 0), Set.of())),
                true,
                List.of(new Cap(
                        "wecom-monthly",
                        Cap.Scope.CHANNEL,
                        "wecom",
                        4,
                        new Cap.Window.Calendar(Cap.Window.Unit.MONTH))),
                Set.of("wechat"));
    }
}
