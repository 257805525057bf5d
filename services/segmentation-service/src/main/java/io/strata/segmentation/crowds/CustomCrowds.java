package io.strata.segmentation.crowds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Custom strategic crowds (DOMAIN.md): micro-groups of consumers (one per combination of the base
 * dimensions' values), each described by its smoothed cross-category preference vector, clustered
 * hierarchically; the number of crowds chosen by {@link ClusterCount}. Micro-groups smaller than
 * the settings' least size are left out of the tree (their vectors are mostly noise) and join the
 * crowd whose preference is nearest afterwards; a group without a single counted event joins none.
 * The same groups and settings give the same crowds: groups are taken in key order, the references
 * of the gap statistic come from the settings' seed, and crowds are numbered by size.
 */
public final class CustomCrowds {

    private CustomCrowds() {}

    /** The most micro-groups a run clusters (the tree's condensed distances grow with the square). */
    public static final int MOST_GROUPS = Agglomerative.MOST_ITEMS;

    /**
     * One micro-group.
     *
     * @param key its base dimensions' values, joined
     * @param values those values, in the dimensions' order
     * @param members its consumers
     * @param counts per category, the events counted of its consumers
     */
    public record Group(String key, List<String> values, long members, double[] counts) {}

    /**
     * @param leastMembers the smallest micro-group clustered (smaller ones join the nearest crowd)
     * @param smoothing the population mix's weight in pseudo-events (see {@link Preferences#smooth})
     * @param clustering metric, linkage and how the number of crowds is chosen
     */
    public record Settings(int leastMembers, double smoothing, ClusterCount.Settings clustering) {

        public static Settings defaults() {
            return new Settings(20, 10, ClusterCount.Settings.defaults());
        }
    }

    /**
     * One crowd found.
     *
     * @param number 1 for the largest, by members
     * @param groups the keys of its micro-groups, clustered and joined
     * @param members its consumers
     * @param preference its mix over the categories (its groups' counts together)
     * @param index per category: its share in the crowd over its share in the population × 100
     */
    public record Crowd(int number, List<String> groups, long members, double[] preference, double[] index) {}

    /**
     * What a run found.
     *
     * @param clustered the micro-groups in the tree, in its item order
     * @param tree their dendrogram
     * @param count the number of crowds and every count's silhouette and gap
     * @param crowdOf per micro-group key given (in key order): its crowd's number, 0 for none
     * @param keys the micro-groups given, in key order
     */
    public record Result(
            List<Group> clustered,
            Dendrogram tree,
            ClusterCount.Result count,
            List<Crowd> crowds,
            List<String> keys,
            int[] crowdOf,
            double[] population) {}

    /** Clusters the micro-groups over {@code categories} counts each. */
    public static Result cluster(List<Group> given, int categories, Settings settings) {
        List<Group> groups = new ArrayList<>(given);
        groups.sort(Comparator.comparing(Group::key));
        for (int i = 1; i < groups.size(); i++) {
            if (groups.get(i).key().equals(groups.get(i - 1).key())) {
                throw new IllegalArgumentException(
                        "micro-group " + groups.get(i).key() + " given twice");
            }
        }
        double[] population = new double[categories];
        for (Group g : groups) {
            if (g.counts().length != categories) {
                throw new IllegalArgumentException(
                        "micro-group " + g.key() + " has " + g.counts().length + " counts, not " + categories);
            }
            for (int c = 0; c < categories; c++) {
                population[c] += g.counts()[c];
            }
        }
        double total = Arrays.stream(population).sum();
        if (total <= 0) {
            throw new IllegalArgumentException("no events counted in any micro-group");
        }
        double[] prior = population.clone();
        for (int c = 0; c < categories; c++) {
            prior[c] /= total;
        }
        List<Integer> inTree = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            if (g.members() >= settings.leastMembers()
                    && Arrays.stream(g.counts()).sum() > 0) {
                inTree.add(i);
            }
        }
        if (inTree.size() < 2) {
            throw new IllegalArgumentException("only " + inTree.size() + " micro-groups have at least "
                    + settings.leastMembers() + " members and events: too few to cluster");
        }
        if (inTree.size() > MOST_GROUPS) {
            throw new IllegalArgumentException(
                    inTree.size() + " micro-groups to cluster, at most " + MOST_GROUPS + ": choose fewer dimensions");
        }
        int n = inTree.size();
        double[][] vectors = new double[n][];
        double[] weights = new double[n];
        List<Group> clustered = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            Group g = groups.get(inTree.get(j));
            clustered.add(g);
            vectors[j] = Preferences.smooth(g.counts(), prior, settings.smoothing());
            weights[j] = g.members();
        }
        ClusterCount.Settings cs = settings.clustering();
        Dendrogram tree = Agglomerative.cluster(n, Preferences.distances(vectors, cs.metric()), weights, cs.linkage());
        ClusterCount.Result count = ClusterCount.choose(vectors, weights, tree, cs);
        int k = count.chosen();
        int[] labels = tree.cut(k);

        // the crowds' mixes from their clustered groups, then the small groups to the nearest
        double[][] sums = new double[k][categories];
        for (int j = 0; j < n; j++) {
            add(sums[labels[j]], clustered.get(j).counts());
        }
        double[][] centres = new double[k][];
        for (int c = 0; c < k; c++) {
            centres[c] = Preferences.smooth(sums[c], prior, 0);
        }
        int[] label = new int[groups.size()];
        Arrays.fill(label, -1);
        for (int j = 0; j < n; j++) {
            label[inTree.get(j)] = labels[j];
        }
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            if (label[i] >= 0 || Arrays.stream(g.counts()).sum() == 0) {
                continue;
            }
            double[] v = Preferences.smooth(g.counts(), prior, settings.smoothing());
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (cs.metric().distance(v, centres[c]) < cs.metric().distance(v, centres[best])) {
                    best = c;
                }
            }
            label[i] = best;
        }

        // numbered by members, largest first (ties: the smaller first key)
        long[] members = new long[k];
        double[][] mix = new double[k][categories];
        List<List<String>> keys = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            keys.add(new ArrayList<>());
        }
        for (int i = 0; i < groups.size(); i++) {
            if (label[i] >= 0) {
                members[label[i]] += groups.get(i).members();
                add(mix[label[i]], groups.get(i).counts());
                keys.get(label[i]).add(groups.get(i).key());
            }
        }
        Integer[] order = new Integer[k];
        for (int c = 0; c < k; c++) {
            order[c] = c;
        }
        Arrays.sort(
                order,
                Comparator.<Integer>comparingLong(c -> -members[c])
                        .thenComparing(
                                c -> keys.get(c).isEmpty() ? "" : keys.get(c).get(0)));
        int[] number = new int[k];
        List<Crowd> crowds = new ArrayList<>();
        for (int r = 0; r < k; r++) {
            int c = order[r];
            number[c] = r + 1;
            double[] preference = Preferences.smooth(mix[c], prior, 0);
            double[] index = new double[categories];
            for (int x = 0; x < categories; x++) {
                index[x] = prior[x] == 0 ? 0 : preference[x] / prior[x] * 100;
            }
            crowds.add(new Crowd(r + 1, List.copyOf(keys.get(c)), members[c], preference, index));
        }
        int[] crowdOf = new int[groups.size()];
        List<String> allKeys = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            crowdOf[i] = label[i] < 0 ? 0 : number[label[i]];
            allKeys.add(groups.get(i).key());
        }
        return new Result(List.copyOf(clustered), tree, count, List.copyOf(crowds), allKeys, crowdOf, prior);
    }

    private static void add(double[] into, double[] counts) {
        for (int i = 0; i < into.length; i++) {
            into[i] += counts[i];
        }
    }
}
