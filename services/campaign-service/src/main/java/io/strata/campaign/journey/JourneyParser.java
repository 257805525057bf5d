package io.strata.campaign.journey;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.Period;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a journey's JSON form (docs/journeys.md) into a {@link Journey}, collecting every violation
 * with the node and field it is in. Structure and references are then checked by {@link
 * JourneyValidator}.
 */
public final class JourneyParser {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int MAX_NODES = 200;

    private final List<Violation> violations = new ArrayList<>();
    private String node;

    private JourneyParser() {}

    /** Parses and validates; throws {@link InvalidJourneyException} listing every violation. */
    public static Journey parse(String json, int version, Catalog catalog) {
        var checked = check(json, version, catalog);
        if (!checked.violations().isEmpty()) {
            throw new InvalidJourneyException(checked.violations());
        }
        return checked.journey().orElseThrow();
    }

    /** A definition read and checked: the journey when it has no violation, and every violation. */
    public record Checked(java.util.Optional<Journey> journey, List<Violation> violations) {}

    /** Parses and validates without throwing. */
    public static Checked check(String json, int version, Catalog catalog) {
        var parser = new JourneyParser();
        Journey journey = parser.read(json, version);
        var all = new ArrayList<>(parser.violations);
        if (journey != null) {
            all.addAll(JourneyValidator.validate(journey, catalog));
        }
        return new Checked(
                all.isEmpty() ? java.util.Optional.of(journey) : java.util.Optional.empty(), List.copyOf(all));
    }

    /**
     * The journey as far as it can be read, its references unchecked (empty when its structure is
     * broken): what it names, to check those names before the full check.
     */
    public static java.util.Optional<Journey> structure(String json) {
        return check(json, 0, Catalog.ANY).journey();
    }

    /**
     * A published version, read again to run it: its structure is checked as at publishing, its
     * references are not (they were checked then; a template removed since is refused at dispatch).
     */
    public static Journey parsePublished(String json, int version) {
        return parse(json, version, Catalog.ANY);
    }

    private Journey read(String json, int version) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            fail("definition", "is not JSON: " + e.getOriginalMessage());
            return null;
        }
        if (root == null || !root.isObject()) {
            fail("definition", "must be a JSON object");
            return null;
        }
        String key = text(root, "key", true);
        if (key != null && !ID.matcher(key).matches()) {
            fail("key", "must be 1 to 64 letters, digits, '-' or '_'");
        }
        String name = Optional.ofNullable(text(root, "name", false)).orElse(key);
        var reentry = reentry(root.get("reentry"));
        var exitRules = exitRules(root.get("exitWhen"));
        var nodes = new LinkedHashMap<String, Node>();
        JsonNode list = root.get("nodes");
        if (list == null || !list.isArray() || list.isEmpty()) {
            fail("nodes", "must be a non-empty array");
        } else if (list.size() > MAX_NODES) {
            fail("nodes", "has " + list.size() + " nodes; at most " + MAX_NODES);
        } else {
            for (int i = 0; i < list.size(); i++) {
                JsonNode n = list.get(i);
                node = null;
                String id = n.isObject() ? text(n, "id", false) : null;
                if (id == null || !ID.matcher(id).matches()) {
                    fail("nodes[" + i + "].id", "must be 1 to 64 letters, digits, '-' or '_'");
                    continue;
                }
                node = id;
                if (nodes.containsKey(id)) {
                    fail("id", "is used by another node");
                    continue;
                }
                Node parsed = node(n, id);
                if (parsed != null) {
                    nodes.put(id, parsed);
                }
            }
            node = null;
        }
        return key == null || nodes.isEmpty()
                ? null
                : new Journey(key, version, name, java.util.Collections.unmodifiableMap(nodes), reentry, exitRules);
    }

    private Node node(JsonNode n, String id) {
        String type = text(n, "type", true);
        if (type == null) {
            return null;
        }
        return switch (type) {
            case "trigger" -> {
                var entry = entry(n.get("on"));
                String next = text(n, "next", true);
                yield entry == null || next == null ? null : new Node.Trigger(id, entry, next);
            }
            case "wait" -> {
                var until = waitFor(n);
                String next = text(n, "next", true);
                yield until == null || next == null ? null : new Node.Wait(id, until, next);
            }
            case "waitForEvent" -> waitForEvent(n, id);
            case "condition" -> condition(n, id);
            case "split" -> split(n, id);
            case "send" -> send(n, id);
            case "updateTag" -> {
                String tag = text(n, "tag", true);
                JsonNode value = n.get("value");
                if (value != null && !value.isNull() && !value.isTextual()) {
                    fail("value", "must be text, or null to remove the tag");
                }
                String next = text(n, "next", true);
                yield tag == null || next == null
                        ? null
                        : new Node.UpdateTag(
                                id,
                                tag,
                                value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText()),
                                next);
            }
            case "goal" -> {
                String goalName = Optional.ofNullable(text(n, "name", false)).orElse(id);
                var event = eventMatch(n, "event");
                Duration within = duration(n, "within", true);
                String next = text(n, "next", true);
                yield event == null || within == null || next == null
                        ? null
                        : new Node.Goal(id, goalName, event, within, next);
            }
            case "exit" -> new Node.Exit(id);
            default -> {
                fail(
                        "type",
                        "unknown type '" + type
                                + "'; one of trigger, wait, waitForEvent, condition, split, send, updateTag, goal, exit");
                yield null;
            }
        };
    }

    private Node.Entry entry(JsonNode on) {
        if (on == null || !on.isObject()) {
            fail("on", "must be an object: audienceEnter, audienceExit, event, date or broadcast");
            return null;
        }
        if (on.has("audienceEnter")) {
            String a = text(on, "audienceEnter", true);
            return a == null ? null : new Node.Entry.Audience(a, false);
        }
        if (on.has("audienceExit")) {
            String a = text(on, "audienceExit", true);
            return a == null ? null : new Node.Entry.Audience(a, true);
        }
        if (on.has("event")) {
            var m = eventMatch(on, "event");
            return m == null ? null : new Node.Entry.Event(m);
        }
        if (on.has("date")) {
            String attribute = text(on, "date", true);
            int offset = on.path("offsetDays").asInt(0);
            LocalTime at = localTime(on, "at");
            boolean yearly = on.path("yearly").asBoolean(false);
            return attribute == null || at == null ? null : new Node.Entry.DateAttribute(attribute, offset, at, yearly);
        }
        if (on.has("broadcast")) {
            String a = text(on, "broadcast", true);
            java.util.Optional<java.time.Instant> at = java.util.Optional.empty();
            if (on.has("at")) {
                try {
                    at = java.util.Optional.of(
                            java.time.OffsetDateTime.parse(on.path("at").asText())
                                    .toInstant());
                } catch (DateTimeException e) {
                    // the node stays (as if sent at publishing) so that only this violation is reported
                    fail("on.at", "a time with its offset, like 2026-12-24T10:00:00+08:00");
                }
            }
            return a == null ? null : new Node.Entry.Broadcast(a, at);
        }
        fail("on", "must name one of audienceEnter, audienceExit, event, date or broadcast");
        return null;
    }

    private Node.WaitFor waitFor(JsonNode n) {
        if (n.has("for")) {
            String text = text(n, "for", true);
            if (text == null) {
                return null;
            }
            var parsed = periodAndDuration(text);
            if (parsed == null || (parsed.days().isZero() && parsed.time().isZero())) {
                fail("for", "must be a positive ISO-8601 duration such as P7D or PT2H, not '" + text + "'");
                return null;
            }
            return parsed;
        }
        if (n.has("until")) {
            JsonNode u = n.get("until");
            LocalTime at = localTime(u, "at");
            Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
            if (u.has("days")) {
                days = EnumSet.noneOf(DayOfWeek.class);
                for (JsonNode d : u.get("days")) {
                    try {
                        days.add(DayOfWeek.valueOf(d.asText().toUpperCase(Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        fail("until.days", "'" + d.asText() + "' is not a day of the week (MONDAY … SUNDAY)");
                    }
                }
                if (days.isEmpty()) {
                    fail("until.days", "names no day");
                }
            }
            return at == null || days.isEmpty() ? null : new Node.WaitFor.LocalTimeOn(at, days);
        }
        if (n.has("untilDate")) {
            JsonNode u = n.get("untilDate");
            String attribute = text(u, "attribute", true);
            LocalTime at = localTime(u, "at");
            return attribute == null || at == null
                    ? null
                    : new Node.WaitFor.DateAttribute(
                            attribute, u.path("offsetDays").asInt(0), at);
        }
        fail("for", "a wait needs 'for' (a duration), 'until' (a local time) or 'untilDate'");
        return null;
    }

    private Node waitForEvent(JsonNode n, String id) {
        var branches = new ArrayList<Node.EventBranch>();
        JsonNode list = n.get("branches");
        int expected = list == null || !list.isArray() ? -1 : list.size();
        if (expected < 1) {
            fail("branches", "must list at least one event branch");
        } else {
            for (JsonNode b : list) {
                var m = eventMatch(b, "event");
                String next = text(b, "next", true);
                if (m != null && next != null) {
                    branches.add(new Node.EventBranch(m, next));
                }
            }
        }
        Duration timeout = duration(n, "timeout", true);
        String timeoutNext = text(n, "timeoutNext", true);
        return timeout == null || timeoutNext == null || branches.size() != expected
                ? null
                : new Node.WaitForEvent(id, List.copyOf(branches), timeout, timeoutNext);
    }

    private Node condition(JsonNode n, String id) {
        var branches = new ArrayList<Node.ConditionBranch>();
        JsonNode list = n.get("branches");
        if (list == null || !list.isArray() || list.isEmpty()) {
            fail("branches", "must list at least one {when, next}");
            return null;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode b = list.get(i);
            var p = predicate(b.get("when"), "branches[" + i + "].when");
            String next = text(b, "next", true);
            if (p != null && next != null) {
                branches.add(new Node.ConditionBranch(p, next));
            }
        }
        String elseNext = text(n, "else", true);
        return elseNext == null || branches.size() != list.size()
                ? null
                : new Node.Condition(id, List.copyOf(branches), elseNext);
    }

    private Predicate predicate(JsonNode p, String field) {
        if (p == null || !p.isObject()) {
            fail(field, "must be an object (inAudience, tag, trait, eventSinceEntry, all, any or not)");
            return null;
        }
        if (p.has("inAudience")) {
            return new Predicate.InAudience(p.get("inAudience").asText());
        }
        if (p.has("tag")) {
            JsonNode v = p.get("value");
            return new Predicate.HasTag(
                    p.get("tag").asText(), v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText()));
        }
        if (p.has("trait")) {
            String opText = p.path("op").asText("eq");
            Predicate.Op op;
            try {
                op = Predicate.Op.valueOf(opText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                fail(field + ".op", "'" + opText + "' is not one of eq, ne, gt, gte, lt, lte, exists");
                return null;
            }
            if (op != Predicate.Op.EXISTS && !p.has("value")) {
                fail(field + ".value", "is required for op " + opText);
                return null;
            }
            return new Predicate.Trait(
                    p.get("trait").asText(), op, p.path("value").asText());
        }
        if (p.has("eventSinceEntry")) {
            var m = eventMatch(p, "eventSinceEntry");
            return m == null ? null : new Predicate.EventSinceEntry(m);
        }
        if (p.has("all") || p.has("any")) {
            String kind = p.has("all") ? "all" : "any";
            JsonNode list = p.get(kind);
            if (!list.isArray() || list.isEmpty()) {
                fail(field + "." + kind, "must be a non-empty array");
                return null;
            }
            var parts = new ArrayList<Predicate>();
            for (int i = 0; i < list.size(); i++) {
                var part = predicate(list.get(i), field + "." + kind + "[" + i + "]");
                if (part == null) {
                    return null;
                }
                parts.add(part);
            }
            return kind.equals("all") ? new Predicate.All(List.copyOf(parts)) : new Predicate.Any(List.copyOf(parts));
        }
        if (p.has("not")) {
            var inner = predicate(p.get("not"), field + ".not");
            return inner == null ? null : new Predicate.Not(inner);
        }
        fail(field, "must name one of inAudience, tag, trait, eventSinceEntry, all, any or not");
        return null;
    }

    private Node split(JsonNode n, String id) {
        String salt = Optional.ofNullable(text(n, "salt", false)).orElse(id);
        JsonNode list = n.get("arms");
        if (list == null || !list.isArray() || list.isEmpty()) {
            fail("arms", "must list the arms");
            return null;
        }
        var arms = new ArrayList<Node.Arm>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode a = list.get(i);
            String armName = text(a, "name", true);
            JsonNode w = a.get("weight");
            if (w == null || !w.canConvertToInt() || w.asInt() <= 0 || !w.isIntegralNumber()) {
                fail("arms[" + i + "].weight", "must be a positive whole number");
                continue;
            }
            String next = text(a, "next", true);
            if (armName != null && next != null) {
                arms.add(new Node.Arm(armName, w.asInt(), a.path("control").asBoolean(false), next));
            }
        }
        return arms.size() != list.size() ? null : new Node.Split(id, salt, List.copyOf(arms));
    }

    private Node send(JsonNode n, String id) {
        String channel = text(n, "channel", true);
        String template = text(n, "template", true);
        String sender = text(n, "sender", false);
        String purposeText = n.path("purpose").asText("marketing");
        Node.Purpose purpose = enumValue(Node.Purpose.class, purposeText, "purpose");
        String onText = n.path("onSuppressed").asText("skip");
        Node.OnSuppressed on = enumValue(Node.OnSuppressed.class, onText, "onSuppressed");
        var tags = new LinkedHashSet<String>();
        if (n.has("tags")) {
            if (!n.get("tags").isArray()) {
                fail("tags", "must be an array of cap tags");
            } else {
                n.get("tags").forEach(t -> tags.add(t.asText()));
            }
        }
        String next = text(n, "next", true);
        return channel == null || template == null || purpose == null || on == null || next == null
                ? null
                : new Node.Send(id, channel, template, sender, purpose, Set.copyOf(tags), on, next);
    }

    private Journey.Reentry reentry(JsonNode r) {
        if (r == null || r.isNull()) {
            return new Journey.Reentry(Journey.ReentryMode.NEVER, Duration.ZERO);
        }
        var mode = enumValue(Journey.ReentryMode.class, r.path("mode").asText("never"), "reentry.mode");
        Duration cooldown = r.has("cooldown") ? duration(r, "cooldown", false) : Duration.ZERO;
        if (cooldown != null && mode != Journey.ReentryMode.AFTER_EXIT && !cooldown.isZero()) {
            fail("reentry.cooldown", "only applies to mode after_exit");
        }
        return new Journey.Reentry(
                mode == null ? Journey.ReentryMode.NEVER : mode, cooldown == null ? Duration.ZERO : cooldown);
    }

    private List<Journey.ExitRule> exitRules(JsonNode list) {
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            fail("exitWhen", "must be an array");
            return List.of();
        }
        var rules = new ArrayList<Journey.ExitRule>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode r = list.get(i);
            if (r.has("event")) {
                var m = eventMatch(r, "event");
                if (m != null) {
                    rules.add(new Journey.ExitRule.OnEvent(m));
                }
            } else if (r.has("leftAudience")) {
                rules.add(
                        new Journey.ExitRule.LeftAudience(r.get("leftAudience").asText()));
            } else {
                fail("exitWhen[" + i + "]", "must name an event or leftAudience");
            }
        }
        return List.copyOf(rules);
    }

    private Node.EventMatch eventMatch(JsonNode n, String field) {
        String name = text(n, field, true);
        if (name == null) {
            return null;
        }
        var where = new LinkedHashMap<String, String>();
        JsonNode w = n.get("where");
        if (w != null && !w.isNull()) {
            if (!w.isObject()) {
                fail("where", "must be an object of property → value");
                return null;
            }
            w.properties().forEach(e -> where.put(e.getKey(), e.getValue().asText()));
        }
        return new Node.EventMatch(name, Map.copyOf(where));
    }

    /** {@code P7D} (calendar days), {@code PT2H} (elapsed time) or both ({@code P1DT12H}). */
    static Node.WaitFor.For periodAndDuration(String text) {
        try {
            int t = text.indexOf('T');
            Period days = t < 0 ? Period.parse(text) : t == 1 ? Period.ZERO : Period.parse(text.substring(0, t));
            Duration time = t < 0 ? Duration.ZERO : Duration.parse("PT" + text.substring(t + 1));
            if (days.isNegative() || time.isNegative() || days.getYears() != 0 || days.getMonths() != 0) {
                return null;
            }
            return new Node.WaitFor.For(days, time);
        } catch (DateTimeException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    private Duration duration(JsonNode n, String field, boolean positive) {
        String text = text(n, field, true);
        if (text == null) {
            return null;
        }
        try {
            Duration d = Duration.parse(text);
            if (d.isNegative() || (positive && d.isZero())) {
                fail(field, "must be a positive duration");
                return null;
            }
            return d;
        } catch (DateTimeException e) {
            fail(field, "must be an ISO-8601 duration such as P7D or PT2H, not '" + text + "'");
            return null;
        }
    }

    private LocalTime localTime(JsonNode n, String field) {
        String text = text(n, field, true);
        if (text == null) {
            return null;
        }
        try {
            return LocalTime.parse(text);
        } catch (DateTimeException e) {
            fail(field, "must be a local time such as 09:30, not '" + text + "'");
            return null;
        }
    }

    private <E extends Enum<E>> E enumValue(Class<E> type, String text, String field) {
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            var names = EnumSet.allOf(type).stream()
                    .map(v -> v.name().toLowerCase(Locale.ROOT))
                    .toList();
            fail(field, "'" + text + "' is not one of " + String.join(", ", names));
            return null;
        }
    }

    private String text(JsonNode n, String field, boolean required) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            if (required) {
                fail(field, "is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            fail(field, "must be text");
            return null;
        }
        return v.asText();
    }

    private void fail(String field, String message) {
        violations.add(new Violation(node, field, message));
    }
}
