package io.strata.segmentation.engine;

import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.Evaluator;
import io.strata.segmentation.rules.FieldCatalog;
import io.strata.segmentation.rules.Op;
import io.strata.segmentation.rules.ProfileFacts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.roaringbitmap.BatchIterator;
import org.roaringbitmap.RoaringBitmap;
import org.roaringbitmap.RoaringBitmapWriter;

/**
 * Evaluates a condition over every profile of a {@link ProfileTable} at once (the batch path):
 * field conditions are bitmap algebra over the columns, segment conditions the other segment's
 * bitmap, and event conditions a scan of the kept events of only the profiles still in question.
 * Each step narrows the candidates of the next: within an {@code all}, cheap conditions run first
 * and an event condition scans only the profiles that met them. Its result equals the row-wise
 * {@link Evaluator} applied to each profile; a property test keeps the two equal.
 */
public final class BitmapEvaluator {

    private final ProfileTable table;
    private final Instant now;
    private final Function<String, RoaringBitmap> segments;

    /**
     * @param segments the members of another segment (an unknown one: an empty bitmap)
     */
    public BitmapEvaluator(ProfileTable table, Instant now, Function<String, RoaringBitmap> segments) {
        this.table = table;
        this.now = now;
        this.segments = segments;
    }

    /** The live profiles meeting the condition. */
    public RoaringBitmap evaluate(Condition condition) {
        return evaluate(condition, table.live().clone());
    }

    /** The profiles of {@code candidates} meeting the condition (a new bitmap). */
    public RoaringBitmap evaluate(Condition condition, RoaringBitmap candidates) {
        if (candidates.isEmpty()) {
            return new RoaringBitmap();
        }
        return switch (condition) {
            case Condition.All all -> {
                RoaringBitmap acc = candidates;
                for (Condition child : cheapestFirst(all.conditions())) {
                    acc = evaluate(child, acc);
                    if (acc.isEmpty()) {
                        break;
                    }
                }
                yield acc == candidates ? candidates.clone() : acc;
            }
            case Condition.Any any -> {
                RoaringBitmap out = new RoaringBitmap();
                RoaringBitmap rest = candidates.clone();
                for (Condition child : cheapestFirst(any.conditions())) {
                    RoaringBitmap hits = evaluate(child, rest);
                    out.or(hits);
                    rest.andNot(hits);
                    if (rest.isEmpty()) {
                        break;
                    }
                }
                yield out;
            }
            case Condition.Not not -> RoaringBitmap.andNot(candidates, evaluate(not.condition(), candidates));
            case Condition.InSegment in -> RoaringBitmap.and(candidates, segments.apply(in.segment()));
            case Condition.Compare compare -> compare(compare, candidates);
            case Condition.Performed performed -> performed(performed, candidates);
        };
    }

    private RoaringBitmap compare(Condition.Compare compare, RoaringBitmap candidates) {
        if (FieldCatalog.countsZeroWhenAbsent(compare.field())) {
            // a profile without a value counts 0: the others are compared as they are
            Column column = table.column(compare.field());
            RoaringBitmap absent =
                    column == null ? candidates.clone() : RoaringBitmap.andNot(candidates, column.present());
            RoaringBitmap present = column == null
                    ? new RoaringBitmap()
                    : values(compare, column, RoaringBitmap.and(candidates, column.present()));
            boolean zeroMeets = Evaluator.matches(compare, ZERO, new Evaluator.Context(now, table.zone(), s -> false));
            return zeroMeets ? RoaringBitmap.or(present, absent) : present;
        }
        Column column = table.column(compare.field());
        if (column == null) {
            return compare.op() == Op.MISSING ? candidates.clone() : new RoaringBitmap();
        }
        return values(compare, column, candidates);
    }

    private RoaringBitmap values(Condition.Compare compare, Column column, RoaringBitmap candidates) {
        if (column.type() != compare.type()) {
            throw new IllegalArgumentException(
                    "field " + compare.field() + " is kept as " + column.type().label() + ", the condition asks for "
                            + compare.type().label());
        }
        return switch (compare.op()) {
            case MISSING -> RoaringBitmap.andNot(candidates, column.present());
            case EXISTS -> RoaringBitmap.and(candidates, column.present());
            default -> column.select(compare, now, candidates);
        };
    }

    /**
     * Counts, per candidate with at least one such event, the events in the window that pass the
     * filters; a profile without any meets "at most N" and "exactly 0" without a scan.
     */
    private RoaringBitmap performed(Condition.Performed performed, RoaringBitmap candidates) {
        RoaringBitmap doers = table.events().performed(performed.event());
        RoaringBitmap scan = RoaringBitmap.and(candidates, doers);
        boolean zeroMeets = switch (performed.times()) {
            case AT_LEAST -> performed.count() <= 0;
            case AT_MOST -> true;
            case EXACTLY -> performed.count() == 0;
        };
        RoaringBitmap out = zeroMeets ? RoaringBitmap.andNot(candidates, doers) : new RoaringBitmap();
        // the weekly postings decide most profiles; the logs of the rest are read
        EventStore.Narrowed narrowed = table.events().narrow(performed, now, scan);
        out.or(narrowed.meets());
        if (!narrowed.unknown().isEmpty()) {
            EventStore.Counter counter = table.events().counter(performed, now);
            out.or(scan(performed, counter, narrowed.unknown()));
        }
        return out;
    }

    /** The profiles of {@code scan} whose count meets the condition. */
    private static RoaringBitmap scan(Condition.Performed performed, EventStore.Counter counter, RoaringBitmap scan) {
        long wanted = performed.count();
        Condition.Times times = performed.times();
        RoaringBitmapWriter<RoaringBitmap> hits = RoaringBitmapWriter.writer().get();
        int[] batch = new int[256];
        long[] counts = new long[batch.length];
        BatchIterator ordinals = scan.getBatchIterator();
        while (ordinals.hasNext()) {
            int n = ordinals.nextBatch(batch);
            counter.count(batch, n, counts);
            for (int i = 0; i < n; i++) {
                long count = counts[i];
                boolean meets = switch (times) {
                    case AT_LEAST -> count >= wanted;
                    case AT_MOST -> count <= wanted;
                    case EXACTLY -> count == wanted;
                };
                if (meets) {
                    hits.add(batch[i]);
                }
            }
        }
        return hits.get();
    }

    /** A profile whose every field counts 0. */
    private static final ProfileFacts ZERO = new ProfileFacts() {
        @Override
        public Object value(String field) {
            return 0.0;
        }

        @Override
        public List<EventFact> events(String name) {
            return List.of();
        }
    };

    /** Conditions without event scans first, so the scans see the fewest profiles. */
    private static List<Condition> cheapestFirst(List<Condition> conditions) {
        List<Condition> ordered = new ArrayList<>(conditions);
        ordered.sort(Comparator.comparingInt(BitmapEvaluator::cost));
        return ordered;
    }

    private static int cost(Condition condition) {
        return switch (condition) {
            case Condition.Performed performed -> 2;
            case Condition.All all ->
                all.conditions().stream().mapToInt(BitmapEvaluator::cost).max().orElse(0);
            case Condition.Any any ->
                any.conditions().stream().mapToInt(BitmapEvaluator::cost).max().orElse(0);
            case Condition.Not not -> cost(not.condition());
            case Condition.InSegment in -> 0;
            case Condition.Compare compare -> 1;
        };
    }
}
