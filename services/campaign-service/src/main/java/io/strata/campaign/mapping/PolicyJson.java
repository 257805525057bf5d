package io.strata.campaign.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.campaign.delivery.Cap;
import io.strata.campaign.delivery.QuietHours;
import io.strata.campaign.delivery.SendPolicy;
import io.strata.campaign.domain.TenantPolicy;
import io.strata.campaign.journey.Violation;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A tenant's send policy in its JSON form (docs/journeys.md), read with every violation named. */
public final class PolicyJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PolicyJson() {}

    /** The policy, or the violations (field and message) that stop it. */
    public record Parsed(Optional<TenantPolicy> policy, List<Violation> violations) {}

    public static Parsed parse(String json) {
        var violations = new ArrayList<Violation>();
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return new Parsed(Optional.empty(), List.of(new Violation(null, "policy", "is not JSON")));
        }
        if (root == null || !root.isObject()) {
            return new Parsed(Optional.empty(), List.of(new Violation(null, "policy", "must be a JSON object")));
        }
        Optional<String> zone = Optional.empty();
        if (root.hasNonNull("zone")) {
            try {
                zone = Optional.of(ZoneId.of(root.get("zone").asText()).getId());
            } catch (DateTimeException e) {
                violations.add(
                        new Violation(null, "zone", "'" + root.get("zone").asText() + "' is not a time zone"));
            }
        }
        double share = root.path("globalControlShare").asDouble(0);
        if (share < 0 || share > 0.5) {
            violations.add(new Violation(null, "globalControlShare", "must lie between 0 and 0.5"));
        }
        var dnd = new HashSet<LocalDate>();
        for (JsonNode d : root.path("doNotDisturb")) {
            try {
                dnd.add(LocalDate.parse(d.asText()));
            } catch (DateTimeException e) {
                violations.add(new Violation(null, "doNotDisturb", "'" + d.asText() + "' is not a date (yyyy-MM-dd)"));
            }
        }
        var quiet = new HashMap<String, QuietHours>();
        root.path("quietHours").properties().forEach(e -> {
            try {
                quiet.put(
                        e.getKey(),
                        new QuietHours(
                                LocalTime.parse(e.getValue().path("start").asText()),
                                LocalTime.parse(e.getValue().path("end").asText()),
                                dnd));
            } catch (DateTimeException ex) {
                violations.add(new Violation(null, "quietHours." + e.getKey(), "needs start and end as HH:mm"));
            }
        });
        var caps = new ArrayList<Cap>();
        int i = 0;
        for (JsonNode c : root.path("caps")) {
            String field = "caps[" + i++ + "]";
            try {
                var scope = Cap.Scope.valueOf(c.path("scope").asText("global").toUpperCase(Locale.ROOT));
                int limit = c.path("limit").asInt(0);
                if (limit < 1) {
                    violations.add(new Violation(null, field + ".limit", "must be at least 1"));
                    continue;
                }
                Cap.Window window;
                if (c.has("rolling")) {
                    Duration d = Duration.parse(c.get("rolling").asText());
                    if (d.isNegative() || d.isZero()) {
                        violations.add(new Violation(null, field + ".rolling", "must be a positive duration"));
                        continue;
                    }
                    window = new Cap.Window.Rolling(d);
                } else {
                    window = new Cap.Window.Calendar(Cap.Window.Unit.valueOf(
                            c.path("calendar").asText("day").toUpperCase(Locale.ROOT)));
                }
                String value = c.path("value").asText("");
                if (scope != Cap.Scope.GLOBAL && value.isBlank()) {
                    violations.add(new Violation(null, field + ".value", "names the channel or tag"));
                    continue;
                }
                caps.add(new Cap(c.path("name").asText(field), scope, value, limit, window));
            } catch (IllegalArgumentException | DateTimeException e) {
                violations.add(new Violation(
                        null, field, "scope global|channel|tag, limit, and rolling (P7D) or calendar day|week|month"));
            }
        }
        var quota = new HashSet<String>();
        root.path("quotaChannels").forEach(q -> quota.add(q.asText()));
        if (!root.has("quotaChannels")) {
            quota.add("wechat");
        }
        if (!violations.isEmpty()) {
            return new Parsed(Optional.empty(), violations);
        }
        var send = new SendPolicy(quiet, root.path("deferInQuietHours").asBoolean(true), caps, quota);
        return new Parsed(Optional.of(new TenantPolicy(send, zone, share)), List.of());
    }

    /** The JSON form of the defaults, as an example and the answer for a tenant without its own. */
    public static String defaults() {
        ObjectNode root = JSON.createObjectNode();
        root.put("deferInQuietHours", true);
        root.put("globalControlShare", 0);
        var quiet = root.putObject("quietHours");
        quiet.putObject("sms").put("start", "21:00").put("end", "08:00");
        quiet.putObject("push").put("start", "22:00").put("end", "08:00");
        root.putArray("doNotDisturb");
        root.putArray("caps")
                .addObject()
                .put("name", "wecom-monthly")
                .put("scope", "channel")
                .put("value", "wecom")
                .put("limit", 4)
                .put("calendar", "month");
        root.putArray("quotaChannels").add("wechat");
        return root.toString();
    }
}
