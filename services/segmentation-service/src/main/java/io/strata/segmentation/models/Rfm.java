package io.strata.segmentation.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

    private Rfm() {}

    /** Scores every buyer against the others. */
    public static List<Score> score(List<Input> buyers, Settings settings) {
        int n = buyers.size();
        double[] recency = new double[n];
        double[] frequency = new double[n];
        double[] monetary = new double[n];
        for (int i = 0; i < n; i++) {
            Input b = buyers.get(i);
            recency[i] = b.recencyDays();
            frequency[i] = b.purchases();
            monetary[i] = settings.monetary() == Monetary.AVERAGE ? b.spend() / b.purchases() : b.spend();
        }
        int[] r = scores(recency, cuts(recency, settings, settings.recencyCuts()), true);
        int[] f = scores(frequency, cuts(frequency, settings, settings.frequencyCuts()), false);
        int[] m = scores(monetary, cuts(monetary, settings, settings.monetaryCuts()), false);
        boolean[] rHigh = high(r, recency, true, settings.split());
        boolean[] fHigh = high(f, frequency, false, settings.split());
        boolean[] mHigh = high(m, monetary, false, settings.split());
        List<Score> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Input b = buyers.get(i);
            out.add(new Score(
                    b.id(),
                    r[i],
                    f[i],
                    m[i],
                    recency[i],
                    b.purchases(),
                    monetary[i],
                    rHigh[i],
                    fHigh[i],
                    mHigh[i],
                    Group.of(rHigh[i], fHigh[i], mHigh[i])));
        }
        return out;
    }

    /**
     * The cut points: the given ones, or the values at the j/k quantiles by nearest rank (the
     * ⌈jN/k⌉-th smallest value).
     */
    static double[] cuts(double[] values, Settings settings, List<Double> custom) {
        int classes = switch (settings.scoring()) {
            case QUINTILES -> 5;
            case QUARTILES -> 4;
            case CUSTOM -> custom.size() + 1;
        };
        if (settings.scoring() == Scoring.CUSTOM) {
            return custom.stream().mapToDouble(Double::doubleValue).toArray();
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] cuts = new double[classes - 1];
        for (int j = 1; j < classes; j++) {
            int rank = (int) Math.ceil((double) j * sorted.length / classes);
            cuts[j - 1] = sorted.length == 0 ? 0 : sorted[Math.max(0, rank - 1)];
        }
        return cuts;
    }

    /** 1 + the cuts a value is above; reversed (recency), k minus them. */
    static int[] scores(double[] values, double[] cuts, boolean reversed) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            int above = 0;
            for (double cut : cuts) {
                above += values[i] > cut ? 1 : 0;
            }
            out[i] = reversed ? cuts.length + 1 - above : 1 + above;
        }
        return out;
    }

    private static boolean[] high(int[] scores, double[] values, boolean smallerIsBetter, Split split) {
        boolean[] out = new boolean[scores.length];
        switch (split) {
            case Split.MeanScore mean -> {
                double sum = 0;
                for (int s : scores) {
                    sum += s;
                }
                double average = scores.length == 0 ? 0 : sum / scores.length;
                for (int i = 0; i < scores.length; i++) {
                    out[i] = scores[i] > average;
                }
            }
            case Split.AtLeast least -> {
                for (int i = 0; i < scores.length; i++) {
                    out[i] = scores[i] >= least.score();
                }
            }
            case Split.TopPercent top -> {
                if (values.length == 0) {
                    break;
                }
                double[] sorted = values.clone();
                Arrays.sort(sorted);
                int rank = Math.max(1, ofShare(top.percent(), sorted.length));
                double edge = smallerIsBetter ? sorted[rank - 1] : sorted[sorted.length - rank];
                for (int i = 0; i < values.length; i++) {
                    out[i] = smallerIsBetter ? values[i] <= edge : values[i] >= edge;
                }
            }
        }
        return out;
    }

    /**
     * How many of {@code n} make {@code percent} %, rounded up: 7 % of 100 is 7 (computed as
     * percent × n / 100, less a hair, so a whole result is not pushed up by the binary fraction).
     */
    static int ofShare(double percent, int n) {
        return (int) Math.min(n, Math.max(0, Math.ceil(percent * n / 100 - 1e-9)));
    }
}
