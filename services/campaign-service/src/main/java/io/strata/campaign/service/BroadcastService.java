package io.strata.campaign.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.strata.campaign.config.CampaignConfig;
import io.strata.campaign.delivery.Decision;
import io.strata.campaign.delivery.SendRequest;
import io.strata.campaign.domain.TenantPolicy;
import io.strata.campaign.repository.CatalogRepository;
import io.strata.campaign.repository.Db;
import io.strata.campaign.repository.JourneyRepository;
import io.strata.campaign.repository.RuntimeRepository;
import io.strata.platform.errors.Errors;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Broadcasts as the API offers them: a message to everyone in an audience, now or at a time, with an
 * optional split (arms and a control) and goal. A broadcast is a journey whose trigger is
 * {@code broadcast} (docs/journeys.md), so it has versions, the send-time checks, exactly-once
 * sends, per-node counts and experiment results like any other; this service writes that journey
 * from the short form and publishes it, lists the runs, and previews who would get the message.
 */
@ApplicationScoped
public class BroadcastService {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The preview looks at this many members at most (the counts say when it stopped short). */
    static final int PREVIEW_LIMIT = 1_000_000;

    private static final int SAMPLE = 20;

    /** The short form: what to send to whom, when, with which arms and goal. */
    public record Spec(
            String key,
            String name,
            String audience,
            String channel,
            String template,
            String sender,
            boolean marketing,
            Optional<Instant> at,
            List<Arm> arms,
            Optional<Goal> goal) {}

    public record Arm(String name, int weight, boolean control) {}

    public record Goal(String event, Duration within) {}

    /** Who would get the message now: members, reachable, deferred by quiet hours, the rest by reason. */
    public record Preview(
            long members,
            long reachable,
            long deferred,
            long noAddress,
            Map<String, Long> suppressed,
            List<String> sample,
            boolean truncated) {}

    private final Db db;
    private final JourneyService journeys;
    private final PolicyCache policies;
    private final Clock clock;
    private final String defaultZone;

    public BroadcastService(Db db, JourneyService journeys, PolicyCache policies, Clock clock, CampaignConfig config) {
        this.db = db;
        this.journeys = journeys;
        this.policies = policies;
        this.clock = clock;
        this.defaultZone = config.defaultZone();
    }

    /** Writes the broadcast's journey from the short form (checked as any journey) and publishes it. */
    public Uni<Map.Entry<JourneyRepository.JourneyRow, Integer>> create(String tenant, Spec spec, String by) {
        String definition = definition(spec);
        return journeys.save(tenant, definition, by).chain(saved -> journeys.publish(tenant, spec.key(), by));
    }

    /** The journey JSON of a broadcast: trigger → (split) → send → (goal) → exit. */
    static String definition(Spec spec) {
        ObjectNode j = JSON.createObjectNode().put("key", spec.key()).put("name", spec.name());
        j.putObject("reentry").put("mode", "never");
        ArrayNode nodes = j.putArray("nodes");
        ObjectNode trigger = nodes.addObject().put("id", "start").put("type", "trigger");
        ObjectNode on = trigger.putObject("on").put("broadcast", spec.audience());
        spec.at().ifPresent(at -> on.put("at", at.toString()));
        String afterSend = spec.goal().isPresent() ? "goal" : "done";
        if (spec.arms().isEmpty()) {
            trigger.put("next", "send");
            send(nodes, "send", spec, afterSend);
        } else {
            trigger.put("next", "split");
            ObjectNode split =
                    nodes.addObject().put("id", "split").put("type", "split").put("salt", spec.key());
            ArrayNode arms = split.putArray("arms");
            for (Arm a : spec.arms()) {
                String sendId = "send_" + a.name();
                arms.addObject()
                        .put("name", a.name())
                        .put("weight", a.weight())
                        .put("control", a.control())
                        .put("next", a.control() ? afterSend : sendId);
                if (!a.control()) {
                    send(nodes, sendId, spec, afterSend);
                }
            }
        }
        spec.goal().ifPresent(g -> {
            ObjectNode goal = nodes.addObject()
                    .put("id", "goal")
                    .put("type", "goal")
                    .put("within", g.within().toString());
            goal.put("event", g.event());
            goal.put("next", "done");
        });
        nodes.addObject().put("id", "done").put("type", "exit");
        return j.toString();
    }

    private static void send(ArrayNode nodes, String id, Spec spec, String next) {
        ObjectNode send = nodes.addObject()
                .put("id", id)
                .put("type", "send")
                .put("channel", spec.channel())
                .put("template", spec.template())
                .put("purpose", spec.marketing() ? "marketing" : "transactional")
                .put("next", next);
        if (!spec.sender().isBlank()) {
            send.put("sender", spec.sender());
        }
    }

    public Uni<List<Broadcasts.Run>> list(String tenant) {
        return blocking(() -> db.inTransaction(s -> Broadcasts.list(s, tenant)));
    }

    /**
     * Runs the send-time checks for every member of the audience as of now (the tenant's clock), as
     * a send of the channel, template, sender and purpose would: nothing is written.
     */
    public Uni<Preview> preview(
            String tenant, String audience, String channel, String template, String sender, boolean marketing) {
        if (!CatalogRepository.CHANNELS.contains(channel)) {
            return Uni.createFrom().failure(Errors.invalid("channel", "unknown channel " + channel));
        }
        if (audience.isBlank()) {
            return Uni.createFrom().failure(Errors.invalid("audience", "audience is required"));
        }
        return blocking(() -> db.inTransaction(s -> {
            Instant now = RuntimeRepository.heldClock(s, tenant).orElse(clock.instant());
            TenantPolicy policy = policies.get(s, tenant);
            var request = new SendRequest(channel, template, sender, marketing, java.util.Set.of(), now);
            long members = 0;
            long reachable = 0;
            long deferred = 0;
            long noAddress = 0;
            var suppressed = new TreeMap<String, Long>();
            var sample = new ArrayList<String>();
            String cursor = "";
            boolean truncated = false;
            while (true) {
                var page = new ArrayList<io.strata.campaign.domain.RecipientState>();
                for (Row row : s.query(
                        "select * from recipients where tenant = $1 and audiences @> array[$2]::text[] and not deleted"
                                + " and profile_id > $3 order by profile_id limit 1000",
                        Tuple.of(tenant, audience, cursor))) {
                    page.add(RuntimeRepository.recipient(row));
                }
                if (page.isEmpty()) {
                    break;
                }
                cursor = page.get(page.size() - 1).profileId();
                var ids = page.stream()
                        .map(io.strata.campaign.domain.RecipientState::profileId)
                        .toList();
                var sends = RuntimeRepository.sends(s, tenant, ids, now.minus(Duration.ofDays(35)));
                for (var state : page) {
                    members++;
                    var ctx = new ProfileContext(
                            state,
                            policy,
                            new ArrayList<>(),
                            sends.getOrDefault(state.profileId(), List.of()),
                            defaultZone);
                    Decision d = ctx.reserve(request);
                    if (d instanceof Decision.Suppress x) {
                        suppressed.merge(x.reason().name().toLowerCase(Locale.ROOT), 1L, Long::sum);
                    } else if (!state.addresses().containsKey(channel)) {
                        noAddress++;
                    } else if (d instanceof Decision.Defer) {
                        deferred++;
                    } else {
                        reachable++;
                        if (sample.size() < SAMPLE) {
                            sample.add(state.profileId());
                        }
                    }
                }
                if (members >= PREVIEW_LIMIT) {
                    truncated = true;
                    break;
                }
            }
            return new Preview(
                    members, reachable, deferred, noAddress, Map.copyOf(suppressed), List.copyOf(sample), truncated);
        }));
    }

    private static <T> Uni<T> blocking(java.util.function.Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
