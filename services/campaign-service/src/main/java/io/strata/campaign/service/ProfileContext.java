package io.strata.campaign.service;

import io.strata.campaign.delivery.Decision;
import io.strata.campaign.delivery.PastSend;
import io.strata.campaign.delivery.Recipient;
import io.strata.campaign.delivery.SendChecks;
import io.strata.campaign.delivery.SendRequest;
import io.strata.campaign.domain.ProfileEvent;
import io.strata.campaign.domain.RecipientState;
import io.strata.campaign.domain.TenantPolicy;
import io.strata.campaign.journey.Arms;
import io.strata.campaign.journey.JourneyContext;
import io.strata.campaign.journey.LocalTimes;
import io.strata.campaign.journey.Node;
import io.strata.campaign.journey.ProfileView;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One person's state for the steps of its instances in one transaction (its recipient row locked):
 * what the journeys read, and the send-time checks over its send history, to which each message
 * decided within the transaction is added at once.
 */
final class ProfileContext implements JourneyContext, ProfileView {

    private RecipientState state;
    private boolean dirty;
    private final TenantPolicy policy;
    private final List<ProfileEvent> events;
    private final List<PastSend> sends;
    private final ZoneId zone;
    private final boolean globalControl;

    ProfileContext(
            RecipientState state,
            TenantPolicy policy,
            List<ProfileEvent> events,
            List<PastSend> sends,
            String defaultZone) {
        this.state = state;
        this.policy = policy;
        this.events = events;
        this.sends = new ArrayList<>(sends);
        this.zone = LocalTimes.zone(state.zone(), Optional.of(policy.zone().orElse(defaultZone)));
        this.globalControl = policy.globalControlShare() > 0 // fixed per person, so a hash
                && Arms.unit("global-control/" + state.tenant() + "/" + state.profileId())
                        < policy.globalControlShare();
    }

    RecipientState state() {
        return state;
    }

    /** The person's state changed (the caller writes it back at the end of the transaction). */
    void replace(RecipientState next) {
        state = next;
        dirty = true;
    }

    boolean dirty() {
        return dirty;
    }

    void addEvent(ProfileEvent event) {
        events.add(event);
    }

    @Override
    public ProfileView profile() {
        return this;
    }

    @Override
    public ZoneId zone() {
        return zone;
    }

    @Override
    public Decision reserve(SendRequest send) {
        var recipient = new Recipient(
                state.deleted(), state.suppressed(), state.consents(), globalControl, zone, state.quota());
        Decision d = SendChecks.check(send, recipient, policy.send(), sends);
        if (d instanceof Decision.Send) {
            sends.add(new PastSend(send.at(), send.channel(), send.tags(), send.marketing()));
            if (policy.send().quotaChannels().contains(send.channel())) {
                // a WeChat subscription message spends the one-time acceptance it was sent on
                replace(state.withQuota(send.template(), -1));
            }
        }
        return d;
    }

    @Override
    public boolean inAudience(String audience) {
        return state.audiences().contains(audience);
    }

    @Override
    public Optional<String> tag(String tag) {
        return Optional.ofNullable(state.tags().get(tag));
    }

    @Override
    public Optional<String> trait(String trait) {
        return Optional.ofNullable(state.traits().get(trait));
    }

    @Override
    public Optional<LocalDate> date(String attribute) {
        return state.date(attribute);
    }

    @Override
    public Optional<Instant> eventSince(Node.EventMatch event, Instant since) {
        return events.stream()
                .filter(e -> !e.at().isBefore(since) && event.matches(e.name(), e.properties()))
                .map(ProfileEvent::at)
                .min(Instant::compareTo);
    }
}
