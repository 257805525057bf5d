package io.strata.segmentation.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * "Why is P in (or not in) S": every condition of a definition, parents before children, with
 * whether it held for the profile and what the profile has, in the same words and with the same
 * semantics as {@link Evaluator}.
 */
public final class Explainer {

    /** One condition: its place, how it reads, whether it held, what the profile has. */
    public record Line(String path, String condition, boolean held, String actual) {}

    private Explainer() {}

    public static List<Line> explain(Condition condition, ProfileFacts profile, Evaluator.Context context) {
        List<Line> out = new ArrayList<>();
        walk(condition, "$", profile, context, out);
        return out;
    }

    private static void walk(
            Condition condition, String path, ProfileFacts profile, Evaluator.Context context, List<Line> out) {
        boolean held = Evaluator.matches(condition, profile, context);
        switch (condition) {
            case Condition.All all -> {
                out.add(new Line(path, "all of " + all.conditions().size(), held, ""));
                for (int i = 0; i < all.conditions().size(); i++) {
                    walk(all.conditions().get(i), child(path, "all") + "[" + i + "]", profile, context, out);
                }
            }
            case Condition.Any any -> {
                out.add(new Line(path, "any of " + any.conditions().size(), held, ""));
                for (int i = 0; i < any.conditions().size(); i++) {
                    walk(any.conditions().get(i), child(path, "any") + "[" + i + "]", profile, context, out);
                }
            }
            case Condition.Not not -> {
                out.add(new Line(path, "not", held, ""));
                walk(not.condition(), child(path, "not"), profile, context, out);
            }
            case Condition.InSegment in ->
                out.add(new Line(
                        path,
                        "in segment " + in.segment(),
                        held,
                        context.memberOf().test(in.segment()) ? "a member" : "not a member"));
            case Condition.Compare compare ->
                out.add(new Line(path, text(compare), held, actual(profile.value(compare.field()))));
            case Condition.Performed performed ->
                out.add(new Line(
                        path, text(performed), held, Evaluator.count(performed, profile, context.now()) + " counted"));
        }
    }

    private static String child(String path, String key) {
        return path.equals("$") ? key : path + "." + key;
    }

    static String text(Condition.Compare compare) {
        String op = compare.op().label();
        return switch (compare.op().arity()) {
            case NONE -> compare.field() + " " + op;
            case DAYS -> compare.field() + " " + op + " " + compare.days() + " days";
            case ONE ->
                compare.field() + " " + op + " " + quoted(compare.values().get(0));
            default ->
                compare.field() + " " + op + " "
                        + compare.values().stream().map(Explainer::quoted).collect(Collectors.joining(", ", "[", "]"));
        };
    }

    static String text(Condition.Performed performed) {
        StringBuilder out = new StringBuilder("performed \"")
                .append(performed.event())
                .append("\" ")
                .append(performed.times().name().toLowerCase(java.util.Locale.ROOT))
                .append(' ')
                .append(performed.count())
                .append(performed.count() == 1 ? " time" : " times");
        if (performed.withinDays() > 0) {
            out.append(" in the last ").append(performed.withinDays()).append(" days");
        }
        for (Condition.PropertyFilter filter : performed.where()) {
            out.append(out.indexOf(" where ") < 0 ? " where " : " and ")
                    .append(filter.property())
                    .append(' ')
                    .append(filter.op().label());
            if (!filter.values().isEmpty()) {
                out.append(' ')
                        .append(
                                filter.values().size() == 1
                                        ? quoted(filter.values().get(0))
                                        : filter.values().stream()
                                                .map(Explainer::quoted)
                                                .collect(Collectors.joining(", ", "[", "]")));
            }
        }
        return out.toString();
    }

    private static String actual(Object value) {
        return value == null ? "no value" : quoted(value);
    }

    private static String quoted(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
