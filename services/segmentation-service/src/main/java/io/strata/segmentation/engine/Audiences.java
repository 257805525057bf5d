package io.strata.segmentation.engine;

import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.Evaluator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.roaringbitmap.RoaringBitmap;

/**
 * The audiences of one {@link ProfileTable}: each a bitmap of ordinals, kept by a rule (a {@link
 * Condition}) or set by hand (a static audience). Every operation returns the membership changes
 * it made, one per profile entering or leaving an audience, and nothing else: a profile whose
 * membership did not change yields no record, however often it is evaluated.
 *
 * <p>Rules are evaluated in the order of their references (an audience after the audiences it
 * names), so a change flows through "segment of segment" in one pass. Single-threaded like its
 * table.
 */
public final class Audiences {

    /** A profile entered or left an audience. */
    public record Change(String segment, int ordinal, boolean entered) {}

    /** The input key of an event name, beside the field names in {@link #inputs(Condition)}. */
    public static String eventInput(String name) {
        return "event:" + name;
    }

    private final ProfileTable table;
    private final Map<String, Condition> rules = new HashMap<>();
    private final Map<String, Set<String>> inputs = new HashMap<>();
    private final Map<String, RoaringBitmap> members = new HashMap<>();
    /** Every audience, those named by a rule before it. */
    private List<String> order = List.of();

    public Audiences(ProfileTable table) {
        this.table = table;
    }

    public Set<String> names() {
        return new TreeSet<>(members.keySet());
    }

    public boolean contains(String segment) {
        return members.containsKey(segment);
    }

    /** The audience's members (a view: not to be changed; empty for an unknown audience). */
    public RoaringBitmap members(String segment) {
        RoaringBitmap bitmap = members.get(segment);
        return bitmap == null ? new RoaringBitmap() : bitmap;
    }

    /** The audiences a profile is in. */
    public Set<String> segmentsOf(int ordinal) {
        Set<String> out = new TreeSet<>();
        members.forEach((segment, bitmap) -> {
            if (bitmap.contains(ordinal)) {
                out.add(segment);
            }
        });
        return out;
    }

    /**
     * Sets an audience's rule (a new audience, or a new version of one): the members are evaluated
     * over every profile beside the current ones, then replace them at once, and the audiences that
     * name it follow.
     *
     * @throws IllegalArgumentException when the rule names an unknown audience or closes a cycle
     */
    public List<Change> define(String segment, Condition condition, Instant now) {
        for (String named : Evaluator.references(condition)) {
            if (!members.containsKey(named) && !named.equals(segment)) {
                throw new IllegalArgumentException("segment " + segment + " names an unknown segment " + named);
            }
        }
        Condition before = rules.put(segment, condition);
        Set<String> beforeInputs = inputs.put(segment, inputs(condition));
        try {
            order = order(rules, members.keySet(), segment);
        } catch (IllegalArgumentException cycle) {
            restore(segment, before, beforeInputs);
            throw cycle;
        }
        members.putIfAbsent(segment, new RoaringBitmap());
        List<Change> changes = new ArrayList<>();
        Set<String> changed = new HashSet<>();
        replace(segment, evaluator(now).evaluate(condition), changes, changed);
        for (String other : order) {
            if (!other.equals(segment) && rules.containsKey(other) && namesAny(other, changed)) {
                replace(other, evaluator(now).evaluate(rules.get(other)), changes, changed);
            }
        }
        return changes;
    }

    /**
     * Restores an audience as it was stored (a rule, or null for a static audience, and its members)
     * without evaluating it or emitting anything; the audiences it names must be restored first.
     */
    public void restore(String segment, Condition rule, RoaringBitmap stored) {
        members.put(segment, RoaringBitmap.and(stored, table.live()));
        if (rule != null) {
            rules.put(segment, rule);
            inputs.put(segment, inputs(rule));
        }
        order = order(rules, members.keySet(), segment);
    }

    /** The rule of an audience; null for a static or unknown one. */
    public Condition rule(String segment) {
        return rules.get(segment);
    }

    /** Sets a static audience's members (replace; add by passing the union): no rule keeps it. */
    public List<Change> setMembers(String segment, RoaringBitmap wanted, Instant now) {
        if (rules.containsKey(segment)) {
            throw new IllegalArgumentException("segment " + segment + " is kept by a rule");
        }
        boolean known = members.containsKey(segment);
        members.putIfAbsent(segment, new RoaringBitmap());
        if (!known) {
            order = order(rules, members.keySet(), segment);
        }
        List<Change> changes = new ArrayList<>();
        Set<String> changed = new HashSet<>();
        replace(segment, RoaringBitmap.and(wanted, table.live()), changes, changed);
        for (String other : order) {
            if (rules.containsKey(other) && namesAny(other, changed)) {
                replace(other, evaluator(now).evaluate(rules.get(other)), changes, changed);
            }
        }
        return changes;
    }

    /**
     * Stops keeping an audience (archived): no records are emitted, its members are simply no
     * longer kept.
     *
     * @throws IllegalArgumentException while another audience's rule names it
     */
    public void drop(String segment) {
        for (Map.Entry<String, Condition> rule : rules.entrySet()) {
            if (!rule.getKey().equals(segment)
                    && Evaluator.references(rule.getValue()).contains(segment)) {
                throw new IllegalArgumentException("segment " + rule.getKey() + " names segment " + segment);
            }
        }
        rules.remove(segment);
        inputs.remove(segment);
        members.remove(segment);
        order = order.stream().filter(s -> !s.equals(segment)).toList();
    }

    /**
     * Re-evaluates one profile, row-wise, in the audiences whose rules read any of the inputs that
     * changed (field names and {@link #eventInput} keys; null: everything), and in those naming an
     * audience it entered or left.
     */
    public List<Change> profileChanged(int ordinal, Set<String> changedInputs, Instant now) {
        List<Change> changes = new ArrayList<>();
        if (!table.live().contains(ordinal)) {
            return changes;
        }
        Set<String> changed = new HashSet<>();
        Evaluator.Context context =
                new Evaluator.Context(now, table.zone(), s -> members(s).contains(ordinal));
        for (String segment : order) {
            Condition rule = rules.get(segment);
            if (rule == null) {
                continue;
            }
            boolean touched = changedInputs == null
                    || namesAny(segment, changed)
                    || inputs.get(segment).stream().anyMatch(changedInputs::contains);
            if (!touched) {
                continue;
            }
            boolean now_ = Evaluator.matches(rule, table.facts(ordinal), context);
            RoaringBitmap bitmap = members.get(segment);
            if (now_ != bitmap.contains(ordinal)) {
                if (now_) {
                    bitmap.add(ordinal);
                } else {
                    bitmap.remove(ordinal);
                }
                changes.add(new Change(segment, ordinal, now_));
                changed.add(segment);
            }
        }
        return changes;
    }

    /** Re-evaluates every rule over every profile. */
    public List<Change> reevaluate(Instant now) {
        return reevaluate(rules.keySet(), now);
    }

    /**
     * Re-evaluates some rules over every profile (the scheduled pass: those time alone can change),
     * and the rules naming an audience that changed.
     */
    public List<Change> reevaluate(Set<String> segments, Instant now) {
        return reevaluate(segments, now, segment -> {});
    }

    /** As {@link #reevaluate(Set, Instant)}, telling {@code before} of each rule it evaluates. */
    public List<Change> reevaluate(Set<String> segments, Instant now, java.util.function.Consumer<String> before) {
        List<Change> changes = new ArrayList<>();
        Set<String> changed = new HashSet<>();
        for (String segment : order) {
            Condition rule = rules.get(segment);
            if (rule != null && (segments.contains(segment) || namesAny(segment, changed))) {
                before.accept(segment);
                replace(segment, evaluator(now).evaluate(rule), changes, changed);
            }
        }
        return changes;
    }

    /** The profile leaves every audience (merged away or deleted); call before the table forgets it. */
    public List<Change> forget(int ordinal) {
        List<Change> changes = new ArrayList<>();
        for (String segment : order) {
            RoaringBitmap bitmap = members.get(segment);
            if (bitmap.contains(ordinal)) {
                bitmap.remove(ordinal);
                changes.add(new Change(segment, ordinal, false));
            }
        }
        return changes;
    }

    /**
     * Whether a rule's members can change with the passing of time alone (a relative date, an event
     * window, a rolling count), so the scheduled pass must re-evaluate it.
     */
    public static boolean isTimeRelative(Condition condition) {
        return switch (condition) {
            case Condition.All all -> all.conditions().stream().anyMatch(Audiences::isTimeRelative);
            case Condition.Any any -> any.conditions().stream().anyMatch(Audiences::isTimeRelative);
            case Condition.Not not -> isTimeRelative(not.condition());
            case Condition.Compare compare ->
                compare.op().arity() == io.strata.segmentation.rules.Op.Arity.DAYS
                        || compare.field().matches("events\\..+\\.last_\\d+_days");
            case Condition.Performed performed -> true;
            case Condition.InSegment in -> false;
        };
    }

    public BitmapEvaluator evaluator(Instant now) {
        return new BitmapEvaluator(table, now, this::members);
    }

    /** The fields and event names a rule reads (the audiences it names are not among them). */
    public static Set<String> inputs(Condition condition) {
        Set<String> out = new LinkedHashSet<>();
        collect(condition, out);
        return out;
    }

    private static void collect(Condition condition, Set<String> out) {
        switch (condition) {
            case Condition.All all -> all.conditions().forEach(c -> collect(c, out));
            case Condition.Any any -> any.conditions().forEach(c -> collect(c, out));
            case Condition.Not not -> collect(not.condition(), out);
            case Condition.Compare compare -> out.add(compare.field());
            case Condition.Performed performed -> out.add(eventInput(performed.event()));
            case Condition.InSegment in -> {}
        }
    }

    private boolean namesAny(String segment, Set<String> changed) {
        if (changed.isEmpty()) {
            return false;
        }
        Condition rule = rules.get(segment);
        return rule != null && Evaluator.references(rule).stream().anyMatch(changed::contains);
    }

    private void replace(String segment, RoaringBitmap next, List<Change> changes, Set<String> changed) {
        RoaringBitmap current = members.get(segment);
        RoaringBitmap entered = RoaringBitmap.andNot(next, current);
        RoaringBitmap left = RoaringBitmap.andNot(current, next);
        entered.forEach((int ordinal) -> changes.add(new Change(segment, ordinal, true)));
        left.forEach((int ordinal) -> changes.add(new Change(segment, ordinal, false)));
        if (!entered.isEmpty() || !left.isEmpty()) {
            changed.add(segment);
        }
        members.put(segment, next);
    }

    private void restore(String segment, Condition before, Set<String> beforeInputs) {
        if (before == null) {
            rules.remove(segment);
            inputs.remove(segment);
        } else {
            rules.put(segment, before);
            inputs.put(segment, beforeInputs);
        }
    }

    /** Every audience, each after those its rule names; a cycle is refused. */
    private static List<String> order(Map<String, Condition> rules, Set<String> known, String adding) {
        Set<String> all = new TreeSet<>(known);
        all.add(adding);
        List<String> out = new ArrayList<>();
        Set<String> done = new HashSet<>();
        Set<String> visiting = new HashSet<>();
        for (String segment : all) {
            visit(segment, rules, done, visiting, out);
        }
        return List.copyOf(out);
    }

    private static void visit(
            String segment, Map<String, Condition> rules, Set<String> done, Set<String> visiting, List<String> out) {
        if (done.contains(segment)) {
            return;
        }
        if (!visiting.add(segment)) {
            throw new IllegalArgumentException("segment " + segment + " is part of a cycle of segment references");
        }
        Condition rule = rules.get(segment);
        if (rule != null) {
            for (String named : Evaluator.references(rule)) {
                visit(named, rules, done, visiting, out);
            }
        }
        visiting.remove(segment);
        done.add(segment);
        out.add(segment);
    }
}
