package io.strata.segmentation.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * RFM: each buyer's recency (days since the last purchase), frequency (purchases in the window) and
 * monetary value (their total or average spend in it) scored 1..k by the population's quantiles or
 * by cut points (recency reversed: the most recent score highest), each score called high or low,
 * and the three together one of the eight classic groups.
 */
public final class Rfm {

    /** How values become scores. */
    public enum Scoring {
        /** Five classes by the 20/40/60/80 % quantiles. */
        QUINTILES,
        /** Four by the 25/50/75 % quantiles. */
        QUARTILES,
        /** By the settings' cut points (n cuts, n + 1 classes). */
        CUSTOM
    }

    /** What M is. */
    public enum Monetary {
        TOTAL,
        AVERAGE
    }

    /** How a score is called high. */
    public sealed interface Split {
        /** Above the mean of that dimension's scores. */
        record MeanScore() implements Split {}

        /** At least this score. */
        record AtLeast(double score) implements Split {}

        /** Among the best {@code percent} % of buyers by the value itself (ties at the edge included). */
        record TopPercent(double percent) implements Split {
            public TopPercent {
                if (!(percent > 0 && percent <= 100)) {
                    throw new IllegalArgumentException("rfm.split.value must be a share in (0, 100], was " + percent);
                }
            }
        }
    }

    /**
     * @param windowDays the purchases counted for F and M (R is the last purchase in it)
     * @param recencyCuts ascending days (CUSTOM only)
     */
    public record Settings(
            int windowDays,
            Scoring scoring,
            List<Double> recencyCuts,
            List<Double> frequencyCuts,
            List<Double> monetaryCuts,
            Split split,
            Monetary monetary) {

        /** 365 days, quintiles, high above the mean score, M the total spend. */
        public static final Settings DEFAULTS = new Settings(
                365, Scoring.QUINTILES, List.of(), List.of(), List.of(), new Split.MeanScore(), Monetary.TOTAL);

        public Settings {
            if (windowDays < 1) {
                throw new IllegalArgumentException("rfm.window_days must be at least 1, was " + windowDays);
            }
            recencyCuts = List.copyOf(recencyCuts);
            frequencyCuts = List.copyOf(frequencyCuts);
            monetaryCuts = List.copyOf(monetaryCuts);
            if (scoring == Scoring.CUSTOM) {
                ascending("rfm.recency_cuts", recencyCuts);
                ascending("rfm.frequency_cuts", frequencyCuts);
                ascending("rfm.monetary_cuts", monetaryCuts);
            }
            if (split instanceof Split.AtLeast least) {
                int most = switch (scoring) {
                    case QUINTILES -> 5;
                    case QUARTILES -> 4;
                    case CUSTOM ->
                        1 + Math.max(recencyCuts.size(), Math.max(frequencyCuts.size(), monetaryCuts.size()));
                };
                if (!(least.score() >= 1 && least.score() <= most)) {
                    throw new IllegalArgumentException(
                            "rfm.split.value must be a score from 1 to " + most + ", was " + least.score());
                }
            }
        }

        private static void ascending(String field, List<Double> cuts) {
            if (cuts.isEmpty()) {
                throw new IllegalArgumentException(field + " must name at least one cut point for custom scoring");
            }
            for (int i = 1; i < cuts.size(); i++) {
                if (!(cuts.get(i) > cuts.get(i - 1))) {
                    throw new IllegalArgumentException(field + " must ascend strictly, was " + cuts);
                }
            }
        }
    }

    /** The eight groups by R, F and M high (true) or low. */
    public enum Group {
        IMPORTANT_VALUE("important_value", "重要价值", true, true, true),
        IMPORTANT_RETAIN("important_retain", "重要保持", false, true, true),
        IMPORTANT_DEVELOP("important_develop", "重要发展", true, false, true),
        IMPORTANT_WIN_BACK("important_win_back", "重要挽留", false, false, true),
        GENERAL_VALUE("general_value", "一般价值", true, true, false),
        GENERAL_RETAIN("general_retain", "一般保持", false, true, false),
        GENERAL_DEVELOP("general_develop", "一般发展", true, false, false),
        GENERAL_WIN_BACK("general_win_back", "一般挽留", false, false, false);

        private final String code;
        private final String chinese;
        private final boolean r;
        private final boolean f;
        private final boolean m;

        Group(String code, String chinese, boolean r, boolean f, boolean m) {
            this.code = code;
            this.chinese = chinese;
            this.r = r;
            this.f = f;
            this.m = m;
        }

        /** The tag value (the catalog's {@code rfm_group}). */
        public String code() {
            return code;
        }

        public String chinese() {
            return chinese;
        }

        public static Group of(boolean r, boolean f, boolean m) {
            for (Group g : values()) {
                if (g.r == r && g.f == f && g.m == m) {
                    return g;
                }
            }
            throw new AssertionError();
        }
    }

    /** A buyer in the window: days since the last purchase, purchases, and the total spend. */
    public record Input(String id, double recencyDays, int purchases, double spend) {
        public Input {
            if (purchases < 1 || recencyDays < 0 || spend < 0) {
                throw new IllegalArgumentException("buyer " + id + ": recency " + recencyDays + ", purchases "
                        + purchases + " and spend " + spend + " cannot be scored");
            }
        }
    }

    /** A buyer's scores, their high/low calls and group. */
    public record Score(
            String id,
            int r,
            int f,
            int m,
            double recencyDays,
            int purchases,
            double monetary,
            boolean rHigh,
            boolean fHigh,
            boolean mHigh,
            Group group) {}

    /**
     * One dimension's values over the buyers: each distinct value and how many buyers have it. The
     * histograms of the partitions merge into the tenant's, from which the scale is found exactly,
     * so no replica needs another's buyers.
     */
    public static final class Histogram {

        private final TreeMap<Double, Long> counts = new TreeMap<>();
        private long total;

        public void add(double value, long count) {
            if (count > 0) {
                counts.merge(value, count, Long::sum);
                total += count;
            }
        }

        public void addAll(Histogram other) {
            other.counts.forEach(this::add);
        }

        /** The buyers counted. */
        public long total() {
            return total;
        }

        /** Each distinct value, ascending, with its count. */
        public NavigableMap<Double, Long> counts() {
            return Collections.unmodifiableNavigableMap(counts);
        }

        /** The {@code rank}-th smallest value (1-based; 0 when empty). */
        double atRank(long rank) {
            long seen = 0;
            for (Map.Entry<Double, Long> e : counts.entrySet()) {
                seen += e.getValue();
                if (seen >= rank) {
                    return e.getKey();
                }
            }
            return counts.isEmpty() ? 0 : counts.lastKey();
        }
    }

    /** The buyers' three histograms (M already total or average, as the settings say). */
    public record Histograms(Histogram recency, Histogram frequency, Histogram monetary) {

        public static Histograms empty() {
            return new Histograms(new Histogram(), new Histogram(), new Histogram());
        }

        public void add(Input buyer, Settings settings) {
            recency.add(buyer.recencyDays(), 1);
            frequency.add(buyer.purchases(), 1);
            monetary.add(Rfm.monetary(buyer, settings), 1);
        }

        public void addAll(Histograms other) {
            recency.addAll(other.recency);
            frequency.addAll(other.frequency);
            monetary.addAll(other.monetary);
        }
    }

    /**
     * How one dimension is scored and called high: its cut points, and a score above {@code
     * threshold} (the mean score), at least it (a fixed score), or a value at least (at most, for
     * recency) {@code threshold} (top N %).
     */
    public record Dimension(double[] cuts, boolean reversed, HighBy by, double threshold) {

        public Dimension {
            cuts = cuts.clone();
        }

        @Override
        public double[] cuts() {
            return cuts.clone();
        }

        public int score(double value) {
            int above = 0;
            for (double cut : cuts) {
                above += value > cut ? 1 : 0;
            }
            return reversed ? cuts.length + 1 - above : 1 + above;
        }

        public boolean high(double value) {
            return switch (by) {
                case SCORE_ABOVE -> score(value) > threshold;
                case SCORE_AT_LEAST -> score(value) >= threshold;
                case VALUE_EDGE -> reversed ? value <= threshold : value >= threshold;
            };
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Dimension d
                    && Arrays.equals(cuts, d.cuts)
                    && reversed == d.reversed
                    && by == d.by
                    && Double.compare(threshold, d.threshold) == 0;
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(cuts), reversed, by, threshold);
        }

        @Override
        public String toString() {
            return "Dimension[cuts=" + Arrays.toString(cuts) + ", reversed=" + reversed + ", " + by + " " + threshold
                    + "]";
        }
    }

    /** What a dimension's threshold is compared with. */
    public enum HighBy {
        SCORE_ABOVE,
        SCORE_AT_LEAST,
        VALUE_EDGE
    }

    /** The tenant's scale: how each dimension is scored and split, found from all its buyers. */
    public record Scale(Dimension recency, Dimension frequency, Dimension monetary) {}

    private Rfm() {}

    /** Scores every buyer against the others. */
    public static List<Score> score(List<Input> buyers, Settings settings) {
        Histograms histograms = Histograms.empty();
        buyers.forEach(b -> histograms.add(b, settings));
        Scale scale = scale(histograms, settings);
        List<Score> out = new ArrayList<>(buyers.size());
        for (Input b : buyers) {
            out.add(score(b, scale, settings));
        }
        return out;
    }

    /** The scale the buyers of these histograms set. */
    public static Scale scale(Histograms histograms, Settings settings) {
        return new Scale(
                dimension(histograms.recency(), settings, settings.recencyCuts(), true),
                dimension(histograms.frequency(), settings, settings.frequencyCuts(), false),
                dimension(histograms.monetary(), settings, settings.monetaryCuts(), false));
    }

    /** One buyer scored on the tenant's scale. */
    public static Score score(Input buyer, Scale scale, Settings settings) {
        double m = monetary(buyer, settings);
        boolean rHigh = scale.recency().high(buyer.recencyDays());
        boolean fHigh = scale.frequency().high(buyer.purchases());
        boolean mHigh = scale.monetary().high(m);
        return new Score(
                buyer.id(),
                scale.recency().score(buyer.recencyDays()),
                scale.frequency().score(buyer.purchases()),
                scale.monetary().score(m),
                buyer.recencyDays(),
                buyer.purchases(),
                m,
                rHigh,
                fHigh,
                mHigh,
                Group.of(rHigh, fHigh, mHigh));
    }

    private static double monetary(Input buyer, Settings settings) {
        return settings.monetary() == Monetary.AVERAGE ? buyer.spend() / buyer.purchases() : buyer.spend();
    }

    private static Dimension dimension(Histogram values, Settings settings, List<Double> custom, boolean reversed) {
        double[] cuts = cuts(values, settings, custom);
        return switch (settings.split()) {
            case Split.MeanScore mean -> {
                Dimension scoring = new Dimension(cuts, reversed, HighBy.SCORE_ABOVE, 0);
                double sum = 0;
                for (Map.Entry<Double, Long> e : values.counts().entrySet()) {
                    sum += (double) scoring.score(e.getKey()) * e.getValue();
                }
                yield new Dimension(cuts, reversed, HighBy.SCORE_ABOVE, values.total() == 0 ? 0 : sum / values.total());
            }
            case Split.AtLeast least -> new Dimension(cuts, reversed, HighBy.SCORE_AT_LEAST, least.score());
            case Split.TopPercent top -> {
                long n = values.total();
                long rank = Math.max(1, ofShare(top.percent(), n));
                // the best rank-th value: the rank-th smallest recency, the rank-th largest otherwise
                double edge = n == 0 ? Double.NaN : values.atRank(reversed ? rank : n - rank + 1);
                yield new Dimension(cuts, reversed, HighBy.VALUE_EDGE, edge);
            }
        };
    }

    /**
     * The cut points: the given ones, or the values at the j/k quantiles by nearest rank (the
     * ⌈jN/k⌉-th smallest value).
     */
    static double[] cuts(Histogram values, Settings settings, List<Double> custom) {
        int classes = switch (settings.scoring()) {
            case QUINTILES -> 5;
            case QUARTILES -> 4;
            case CUSTOM -> custom.size() + 1;
        };
        if (settings.scoring() == Scoring.CUSTOM) {
            return custom.stream().mapToDouble(Double::doubleValue).toArray();
        }
        long n = values.total();
        double[] cuts = new double[classes - 1];
        for (int j = 1; j < classes; j++) {
            long rank = (long) Math.ceil((double) j * n / classes);
            cuts[j - 1] = n == 0 ? 0 : values.atRank(Math.max(1, rank));
        }
        return cuts;
    }

    /**
     * How many of {@code n} make {@code percent} %, rounded up: 7 % of 100 is 7 (computed as
     * percent × n / 100, less a hair, so a whole result is not pushed up by the binary fraction).
     */
    static int ofShare(double percent, int n) {
        return (int) ofShare(percent, (long) n);
    }

    static long ofShare(double percent, long n) {
        return (long) Math.min(n, Math.max(0, Math.ceil(percent * n / 100 - 1e-9)));
    }
}
