package io.strata.campaign.service;

import io.strata.campaign.domain.ProfileEvent;
import java.util.Optional;

/**
 * WeChat one-time subscriptions: a mini-program asks the person to accept a template
 * ({@code wx.requestSubscribeMessage}) and the brand tracks each acceptance as the event
 * {@value #EVENT} with the template's key in {@code template} (or WeChat's {@code template_id}) and,
 * when the person accepted several times at once, their number in {@code count}. Each acceptance
 * allows one subscription message of that template; each send spends one.
 */
final class Subscriptions {

    static final String EVENT = "Subscription Accepted";

    /** The template and the number of sends one acceptance event allows. */
    record Acceptance(String template, int count) {}

    private Subscriptions() {}

    static Optional<Acceptance> accepted(ProfileEvent event) {
        if (!EVENT.equals(event.name())) {
            return Optional.empty();
        }
        String template =
                event.properties().getOrDefault("template", event.properties().get("template_id"));
        if (template == null || template.isBlank()) {
            return Optional.empty();
        }
        int count = 1;
        String n = event.properties().get("count");
        if (n != null) {
            try {
                count = (int) Math.min(1000, Double.parseDouble(n.strip()));
            } catch (NumberFormatException e) {
                count = 1;
            }
        }
        // WeChat lets a person accept a template at most a few dozen times at once; more is noise
        return count < 1 ? Optional.empty() : Optional.of(new Acceptance(template.strip(), Math.min(count, 100)));
    }
}
