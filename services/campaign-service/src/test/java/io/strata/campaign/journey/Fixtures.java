package io.strata.campaign.journey;

import io.strata.campaign.delivery.Decision;
import io.strata.campaign.delivery.PastSend;
import io.strata.campaign.delivery.Recipient;
import io.strata.campaign.delivery.SendChecks;
import io.strata.campaign.delivery.SendPolicy;
import io.strata.campaign.delivery.SendRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Journeys, a catalog and an in-memory profile for the journey tests. */
final class Fixtures {

    static final Catalog CATALOG = new Catalog() {
        public boolean audience(String key) {
            return Set.of("churn-warning", "new-members").contains(key);
        }

        public boolean channel(String channel) {
            return Set.of("sms", "push", "email", "wechat", "wecom", "webhook").contains(channel);
        }

        public boolean sender(String channel, String sender) {
            return "【Strata】".equals(sender);
        }

        public Optional<Template> template(String channel, String template) {
            return switch (template) {
                case "fp7_coupon", "winback_miss_you", "winback_coupon" -> Optional.of(new Template(true, true));
                case "fp7_guide" -> Optional.of(new Template(true, false));
                case "no_opt_out" -> Optional.of(new Template(true, false));
                case "draft_only" -> Optional.of(new Template(false, true));
                default -> Optional.empty();
            };
        }
    };

    private Fixtures() {}

    static String json(String name) {
        try (var in = Fixtures.class.getResourceAsStream("/journeys/" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Journey journey(String name) {
        return JourneyParser.parse(json(name), 1, CATALOG);
    }

    /** A profile in memory, its events and the send-time checks over its own history. */
    static final class Profile implements ProfileView, JourneyContext {
        final Map<String, String> traits = new HashMap<>();
        final Map<String, String> tags = new HashMap<>();
        final Set<String> audiences = new HashSet<>();
        final Map<String, LocalDate> dates = new HashMap<>();
        final List<Map.Entry<String, Instant>> events = new ArrayList<>();
        final List<PastSend> sent = new ArrayList<>();
        ZoneId zone = ZoneId.of("Asia/Shanghai");
        Recipient recipient;
        SendPolicy policy = new SendPolicy(Map.of(), true, List.of(), Set.of());

        Profile(Recipient recipient) {
            this.recipient = recipient;
        }

        public boolean inAudience(String audience) {
            return audiences.contains(audience);
        }

        public Optional<String> tag(String tag) {
            return Optional.ofNullable(tags.get(tag));
        }

        public Optional<String> trait(String trait) {
            return Optional.ofNullable(traits.get(trait));
        }

        public Optional<LocalDate> date(String attribute) {
            return Optional.ofNullable(dates.get(attribute));
        }

        public Optional<Instant> eventSince(Node.EventMatch event, Instant since) {
            return events.stream()
                    .filter(e ->
                            e.getKey().equals(event.name()) && !e.getValue().isBefore(since))
                    .map(Map.Entry::getValue)
                    .min(Instant::compareTo);
        }

        public ProfileView profile() {
            return this;
        }

        public ZoneId zone() {
            return zone;
        }

        public Decision reserve(SendRequest send) {
            Recipient r = new Recipient(
                    recipient.deleted(),
                    recipient.suppressed(),
                    recipient.consents(),
                    recipient.globalControl(),
                    zone,
                    recipient.subscriptionQuota());
            Decision d = SendChecks.check(send, r, policy, sent);
            if (d instanceof Decision.Send) {
                sent.add(new PastSend(send.at(), send.channel(), send.tags(), send.marketing()));
            }
            return d;
        }
    }
}
