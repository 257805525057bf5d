package io.strata.segmentation.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.segmentation.rules.Violation;
import java.time.Period;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A tenant's settings of every model, as one JSON document (docs/models.md): what is left out takes
 * its default, so {@code {}} is the defaults of the domain guide. {@link #parse} reports every
 * problem at once, each naming its setting ({@code rfm.window_days}); {@link #json} writes every
 * setting out.
 *
 * @param purchaseEvent the event of a purchase for RFM, the lifecycle and CLV
 * @param revenueProperty its property holding the amount
 */
public record ModelSettings(
        String purchaseEvent,
        String revenueProperty,
        Rfm.Settings rfm,
        Lifecycle.Settings lifecycle,
        ChurnWarning.Settings churn,
        Aipl.Settings aipl,
        ClvSettings clv) {

    /**
     * @param timeUnitDays the models' time unit (7: weeks, as the papers)
     * @param horizonPeriods the CLV horizon in periods ...
     * @param periodDays ... of this many days
     * @param discountRate per period (0: not discounted)
     */
    public record ClvSettings(
            int timeUnitDays, int horizonPeriods, int periodDays, double discountRate, Clv.Tiers tiers) {

        public static final ClvSettings DEFAULTS = new ClvSettings(7, 12, 30, 0, Clv.Tiers.DEFAULTS);

        public ClvSettings {
            if (timeUnitDays < 1) {
                throw new IllegalArgumentException("clv.time_unit_days must be at least 1, was " + timeUnitDays);
            }
            if (horizonPeriods < 1) {
                throw new IllegalArgumentException("clv.horizon_periods must be at least 1, was " + horizonPeriods);
            }
            if (periodDays < 1) {
                throw new IllegalArgumentException("clv.period_days must be at least 1, was " + periodDays);
            }
            if (!(discountRate >= 0 && discountRate < 1)) {
                throw new IllegalArgumentException("clv.discount_rate must be in [0, 1), was " + discountRate);
            }
        }
    }

    public static final ModelSettings DEFAULTS = new ModelSettings(
            "Order Completed",
            "revenue",
            Rfm.Settings.DEFAULTS,
            Lifecycle.Settings.DEFAULTS,
            ChurnWarning.Settings.DEFAULTS,
            Aipl.Settings.DEFAULTS,
            ClvSettings.DEFAULTS);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every setting, defaults included. */
    public ObjectNode json() {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("purchases").put("event", purchaseEvent).put("revenue", revenueProperty);
        ObjectNode r = root.putObject("rfm");
        r.put("window_days", rfm.windowDays());
        r.put("scoring", rfm.scoring().name().toLowerCase(Locale.ROOT));
        numbers(r.putArray("recency_cuts"), rfm.recencyCuts());
        numbers(r.putArray("frequency_cuts"), rfm.frequencyCuts());
        numbers(r.putArray("monetary_cuts"), rfm.monetaryCuts());
        ObjectNode split = r.putObject("split");
        switch (rfm.split()) {
            case Rfm.Split.MeanScore m -> split.put("by", "mean_score");
            case Rfm.Split.AtLeast a -> split.put("by", "score").put("value", a.score());
            case Rfm.Split.TopPercent t -> split.put("by", "top_percent").put("value", t.percent());
        }
        r.put("monetary", rfm.monetary().name().toLowerCase(Locale.ROOT));
        ObjectNode l = root.putObject("lifecycle");
        l.put("new_days", lifecycle.newDays());
        l.put("loyal_purchase_days", lifecycle.loyalPurchaseDays());
        l.put("loyal_window_days", lifecycle.loyalWindowDays());
        l.put("churned_days", lifecycle.churnedDays());
        l.put("recalled_days", lifecycle.recalledDays());
        ObjectNode c = root.putObject("churn");
        texts(c.putArray("activity"), churn.activity());
        c.put("window_days", churn.windowDays());
        c.put("max_share", churn.maxShare());
        ObjectNode a = root.putObject("aipl");
        texts(a.putArray("passive"), aipl.passive());
        a.put("awareness_days", aipl.awarenessDays());
        texts(a.putArray("active"), aipl.active());
        a.put("interest_days", aipl.interestDays());
        texts(a.putArray("purchases"), aipl.purchases());
        a.put("purchase_window_months", aipl.purchaseWindow().toTotalMonths());
        a.put("loyal_purchase_days", aipl.loyalPurchaseDays());
        a.put("loyal_window_days", aipl.loyalWindowDays());
        texts(a.putArray("advocacy"), aipl.advocacy());
        a.put("advocacy_days", aipl.advocacyDays());
        ObjectNode v = root.putObject("clv");
        v.put("time_unit_days", clv.timeUnitDays());
        v.put("horizon_periods", clv.horizonPeriods());
        v.put("period_days", clv.periodDays());
        v.put("discount_rate", clv.discountRate());
        v.putObject("tiers")
                .put("by", clv.tiers().byPercent() ? "top_percent" : "value")
                .put("high", clv.tiers().high())
                .put("mid", clv.tiers().mid());
        return root;
    }

    /**
     * Settings from their JSON, over the defaults.
     *
     * @throws InvalidSettingsException naming every setting that is unknown, of the wrong type or out
     *     of range
     */
    public static ModelSettings parse(JsonNode given) {
        Reader in = new Reader();
        if (given == null || given.isNull()) {
            given = JSON.createObjectNode();
        }
        if (!given.isObject()) {
            throw new InvalidSettingsException(List.of(new Violation("settings", "must be a JSON object")));
        }
        JsonNode merged = merge(DEFAULTS.json(), given, "", in);
        String purchaseEvent = in.text(merged, "purchases.event");
        String revenue = in.text(merged, "purchases.revenue");
        Rfm.Settings rfm = in.model("rfm", () -> {
            String split = in.choice(merged, "rfm.split.by", "mean_score", "score", "top_percent");
            return new Rfm.Settings(
                    in.integer(merged, "rfm.window_days"),
                    Rfm.Scoring.valueOf(in.choice(merged, "rfm.scoring", "quintiles", "quartiles", "custom")
                            .toUpperCase(Locale.ROOT)),
                    in.numbers(merged, "rfm.recency_cuts"),
                    in.numbers(merged, "rfm.frequency_cuts"),
                    in.numbers(merged, "rfm.monetary_cuts"),
                    switch (split) {
                        case "score" -> new Rfm.Split.AtLeast(in.number(merged, "rfm.split.value"));
                        case "top_percent" -> new Rfm.Split.TopPercent(in.number(merged, "rfm.split.value"));
                        default -> new Rfm.Split.MeanScore();
                    },
                    Rfm.Monetary.valueOf(in.choice(merged, "rfm.monetary", "total", "average")
                            .toUpperCase(Locale.ROOT)));
        });
        Lifecycle.Settings lifecycle = in.model(
                "lifecycle",
                () -> new Lifecycle.Settings(
                        in.integer(merged, "lifecycle.new_days"),
                        in.integer(merged, "lifecycle.loyal_purchase_days"),
                        in.integer(merged, "lifecycle.loyal_window_days"),
                        in.integer(merged, "lifecycle.churned_days"),
                        in.integer(merged, "lifecycle.recalled_days")));
        ChurnWarning.Settings churn = in.model(
                "churn",
                () -> new ChurnWarning.Settings(
                        in.texts(merged, "churn.activity"),
                        in.integer(merged, "churn.window_days"),
                        in.number(merged, "churn.max_share")));
        Aipl.Settings aipl = in.model(
                "aipl",
                () -> new Aipl.Settings(
                        in.texts(merged, "aipl.passive"),
                        in.integer(merged, "aipl.awareness_days"),
                        in.texts(merged, "aipl.active"),
                        in.integer(merged, "aipl.interest_days"),
                        in.texts(merged, "aipl.purchases"),
                        Period.ofMonths(in.integer(merged, "aipl.purchase_window_months")),
                        in.integer(merged, "aipl.loyal_purchase_days"),
                        in.integer(merged, "aipl.loyal_window_days"),
                        in.texts(merged, "aipl.advocacy"),
                        in.integer(merged, "aipl.advocacy_days")));
        ClvSettings clv = in.model("clv", () -> {
            String by = in.choice(merged, "clv.tiers.by", "top_percent", "value");
            return new ClvSettings(
                    in.integer(merged, "clv.time_unit_days"),
                    in.integer(merged, "clv.horizon_periods"),
                    in.integer(merged, "clv.period_days"),
                    in.number(merged, "clv.discount_rate"),
                    new Clv.Tiers(
                            by.equals("top_percent"),
                            in.number(merged, "clv.tiers.high"),
                            in.number(merged, "clv.tiers.mid")));
        });
        if (!in.violations.isEmpty()) {
            throw new InvalidSettingsException(in.violations);
        }
        return new ModelSettings(purchaseEvent, revenue, rfm, lifecycle, churn, aipl, clv);
    }

    /**
     * The settings that look further back than the events kept: a model counts only kept events in
     * its windows (lifetime facts, such as the last order for AIPL's purchase window, come from the
     * profile's aggregates instead).
     */
    public List<Violation> beyond(int retentionDays) {
        List<Violation> out = new ArrayList<>();
        Map<String, Integer> windows = new java.util.LinkedHashMap<>();
        windows.put("rfm.window_days", rfm.windowDays());
        windows.put("lifecycle.loyal_window_days", lifecycle.loyalWindowDays());
        windows.put("churn.window_days", (int) Math.min(Integer.MAX_VALUE, 2L * churn.windowDays()));
        windows.put("aipl.awareness_days", aipl.awarenessDays());
        windows.put("aipl.interest_days", aipl.interestDays());
        windows.put("aipl.loyal_window_days", aipl.loyalWindowDays());
        windows.put("aipl.advocacy_days", aipl.advocacyDays());
        windows.forEach((setting, days) -> {
            if (days > retentionDays) {
                out.add(new Violation(
                        setting,
                        "looks back " + days + " days"
                                + (setting.equals("churn.window_days") ? " (two windows)" : "")
                                + ", longer than the " + retentionDays + " days of events kept"));
            }
        });
        return out;
    }

    /** The defaults with the given values over them; a key the defaults lack is a violation. */
    private static JsonNode merge(JsonNode defaults, JsonNode given, String path, Reader in) {
        if (!defaults.isObject()) {
            return given;
        }
        if (!given.isObject()) {
            in.violations.add(new Violation(path, "must be an object"));
            return defaults;
        }
        ObjectNode out = ((ObjectNode) defaults).deepCopy();
        Iterator<Map.Entry<String, JsonNode>> fields = given.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            JsonNode known = defaults.get(field.getKey());
            boolean openObject = at.equals("rfm.split");
            if (known == null) {
                in.violations.add(new Violation(at, "is not a setting"));
            } else if (openObject) {
                // the split's fields depend on its kind: "by", and "value" unless by the mean score
                JsonNode split = field.getValue();
                if (!split.isObject()) {
                    in.violations.add(new Violation(at, "must be an object"));
                } else {
                    split.fieldNames().forEachRemaining(key -> {
                        boolean meanScore = "mean_score".equals(split.path("by").asText("mean_score"));
                        if (!key.equals("by") && !(key.equals("value") && !meanScore)) {
                            in.violations.add(new Violation(at + "." + key, "is not a setting"));
                        }
                    });
                    out.set(field.getKey(), split);
                }
            } else {
                out.set(field.getKey(), merge(known, field.getValue(), at, in));
            }
        }
        return out;
    }

    private static void numbers(ArrayNode out, List<Double> values) {
        values.forEach(out::add);
    }

    private static void texts(ArrayNode out, Set<String> values) {
        values.stream().sorted().forEach(out::add);
    }

    /** Reads typed values by their dotted path, noting what is wrong instead of stopping. */
    private static final class Reader {
        final List<Violation> violations = new ArrayList<>();

        private JsonNode at(JsonNode root, String path) {
            JsonNode node = root;
            for (String part : path.split("\\.")) {
                node = node == null ? null : node.get(part);
            }
            return node;
        }

        int integer(JsonNode root, String path) {
            JsonNode node = at(root, path);
            if (node == null || !node.canConvertToInt() || !node.isIntegralNumber()) {
                violations.add(new Violation(path, "must be a whole number"));
                return Integer.MAX_VALUE;
            }
            return node.asInt();
        }

        double number(JsonNode root, String path) {
            JsonNode node = at(root, path);
            if (node == null || !node.isNumber()) {
                violations.add(new Violation(path, "must be a number"));
                return Double.NaN;
            }
            return node.asDouble();
        }

        String text(JsonNode root, String path) {
            JsonNode node = at(root, path);
            if (node == null || !node.isTextual() || node.asText().isBlank()) {
                violations.add(new Violation(path, "must be a non-empty text"));
                return "";
            }
            return node.asText();
        }

        String choice(JsonNode root, String path, String... allowed) {
            String value = text(root, path);
            if (!value.isEmpty() && !List.of(allowed).contains(value)) {
                violations.add(new Violation(path, "must be one of " + String.join(", ", allowed)));
            }
            return List.of(allowed).contains(value) ? value : allowed[0];
        }

        List<Double> numbers(JsonNode root, String path) {
            JsonNode node = at(root, path);
            List<Double> out = new ArrayList<>();
            if (node == null || !node.isArray()) {
                violations.add(new Violation(path, "must be a list of numbers"));
                return out;
            }
            for (int i = 0; i < node.size(); i++) {
                if (!node.get(i).isNumber()) {
                    violations.add(new Violation(path + "[" + i + "]", "must be a number"));
                } else {
                    out.add(node.get(i).asDouble());
                }
            }
            return out;
        }

        Set<String> texts(JsonNode root, String path) {
            JsonNode node = at(root, path);
            Set<String> out = new LinkedHashSet<>();
            if (node == null || !node.isArray()) {
                violations.add(new Violation(path, "must be a list of event names"));
                return out;
            }
            for (int i = 0; i < node.size(); i++) {
                if (!node.get(i).isTextual() || node.get(i).asText().isBlank()) {
                    violations.add(new Violation(path + "[" + i + "]", "must be a non-empty text"));
                } else {
                    out.add(node.get(i).asText());
                }
            }
            return out;
        }

        /**
         * A model's settings; their own checks (a range, two settings together) become a violation
         * named by the setting their message starts with. Not built when a value was already wrong.
         */
        <T> T model(String name, Supplier<T> build) {
            int before = violations.size();
            T built;
            try {
                built = build.get();
            } catch (IllegalArgumentException e) {
                String message = String.valueOf(e.getMessage());
                int space = message.indexOf(' ');
                String first = space < 0 ? name : message.substring(0, space).replaceAll("[:,]$", "");
                String path = first.startsWith(name + ".") ? first : name;
                if (violations.size() == before) {
                    violations.add(new Violation(path, path.equals(name) ? message : message.substring(space + 1)));
                }
                return null;
            }
            return violations.size() == before ? built : null;
        }
    }
}
