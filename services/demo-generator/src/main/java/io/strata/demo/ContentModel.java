package io.strata.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which content reaches whom. A consumer uses each channel, follows each creator and is
 * interested in each topic independently, with a probability that is the feature's base rate
 * times the planted multiplier of the consumer's crowd (1 when none is planted). Every feature
 * a consumer has shows in at least one {@code Content Viewed}, and none other does, so "has seen
 * content with channel/topic/creator X" holds exactly with that probability, and the crowd's
 * TGI for X is its probability over the population's mean probability, times 100.
 */
final class ContentModel {

    enum Dimension {
        channel,
        topic,
        creator
    }

    /** A feature TGI is measured on: a value of {@code properties.<dimension>} of Content Viewed. */
    record Feature(int index, Dimension dimension, String value, double base) {}

    /** A crowd that over- (or under-) indexes on a feature by a factor. */
    record Plant(Crowd crowd, Dimension dimension, String value, double multiplier) {}

    static final double MAX_PROBABILITY = 0.95;

    private static final double[] CHANNEL_BASE = {0.62, 0.48, 0.36, 0.22};
    private static final double[] TOPIC_BASE = {
        0.16, 0.12, 0.08, 0.07, 0.10, 0.08, 0.10, 0.08, 0.10, 0.08, 0.07, 0.10, 0.10, 0.10, 0.07, 0.06, 0.06, 0.07,
        0.05, 0.04
    };
    private static final double[] CREATOR_BASE = {
        0.08, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.04, 0.06, 0.06, 0.04, 0.04, 0.04, 0.04,
        0.05, 0.05, 0.04, 0.05, 0.04, 0.03, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04
    };

    static final List<Plant> PLANTS = List.of(
            new Plant(Crowd.GEN_Z, Dimension.channel, "xiaohongshu", 1.8),
            new Plant(Crowd.GEN_Z, Dimension.topic, "guochao", 3.5),
            new Plant(Crowd.GEN_Z, Dimension.creator, "azhen_guochao", 4),
            new Plant(Crowd.REFINED_MUMS, Dimension.topic, "parenting", 5),
            new Plant(Crowd.REFINED_MUMS, Dimension.creator, "mama_lin_baby", 5),
            new Plant(Crowd.REFINED_MUMS, Dimension.channel, "xiaohongshu", 1.6),
            new Plant(Crowd.SMALL_TOWN_YOUTH, Dimension.channel, "douyin", 1.7),
            new Plant(Crowd.SMALL_TOWN_YOUTH, Dimension.topic, "deals", 3),
            new Plant(Crowd.SMALL_TOWN_YOUTH, Dimension.creator, "dage_haowu", 4),
            new Plant(Crowd.NEW_WHITE_COLLAR, Dimension.topic, "office_life", 3.5),
            new Plant(Crowd.NEW_WHITE_COLLAR, Dimension.creator, "office_lucy", 5),
            new Plant(Crowd.SENIOR_MIDDLE_CLASS, Dimension.topic, "wellness", 3),
            new Plant(Crowd.SENIOR_MIDDLE_CLASS, Dimension.creator, "dr_wang_health", 5),
            new Plant(Crowd.URBAN_SILVER, Dimension.topic, "square_dance", 5),
            new Plant(Crowd.URBAN_SILVER, Dimension.channel, "weibo", 0.4),
            new Plant(Crowd.SMALL_TOWN_MIDDLE_AGED, Dimension.topic, "cooking", 2.5),
            new Plant(Crowd.SMALL_TOWN_MIDDLE_AGED, Dimension.channel, "douyin", 1.5),
            new Plant(Crowd.URBAN_BLUE_COLLAR, Dimension.topic, "tech_gadgets", 3),
            new Plant(Crowd.URBAN_BLUE_COLLAR, Dimension.creator, "laoli_shuma", 5));

    /** Every feature, channels first, then topics, then creators. */
    static final List<Feature> FEATURES = features();

    /** probability[crowd][feature]. */
    private static final double[][] PROBABILITY = probabilities();

    private ContentModel() {}

    static double probability(Crowd crowd, int feature) {
        return PROBABILITY[crowd.ordinal()][feature];
    }

    static double multiplier(Crowd crowd, Feature feature) {
        for (Plant plant : PLANTS) {
            if (plant.crowd() == crowd
                    && plant.dimension() == feature.dimension()
                    && plant.value().equals(feature.value())) {
                return plant.multiplier();
            }
        }
        return 1;
    }

    static Feature feature(Dimension dimension, String value) {
        for (Feature f : FEATURES) {
            if (f.dimension() == dimension && f.value().equals(value)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no feature " + dimension + "=" + value);
    }

    /** Whether no crowd has a multiplier on the feature (its TGI is 100 for every crowd). */
    static boolean neutral(Feature feature) {
        return PLANTS.stream()
                .noneMatch(
                        p -> p.dimension() == feature.dimension() && p.value().equals(feature.value()));
    }

    /**
     * The TGI the model implies for a crowd and a feature, given the crowds' sizes: the crowd's
     * probability over the population's mean probability, times 100.
     */
    static double expectedTgi(Crowd crowd, int feature, long[] crowdSizes) {
        double total = 0;
        double mean = 0;
        for (Crowd c : Crowd.values()) {
            total += crowdSizes[c.ordinal()];
            mean += crowdSizes[c.ordinal()] * probability(c, feature);
        }
        return total == 0 ? Double.NaN : 100 * probability(crowd, feature) / (mean / total);
    }

    private static List<Feature> features() {
        List<Feature> all = new ArrayList<>();
        for (int i = 0; i < Catalog.CHANNELS.size(); i++) {
            all.add(new Feature(all.size(), Dimension.channel, Catalog.CHANNELS.get(i), CHANNEL_BASE[i]));
        }
        for (int i = 0; i < Catalog.TOPICS.size(); i++) {
            all.add(new Feature(
                    all.size(), Dimension.topic, Catalog.TOPICS.get(i).id(), TOPIC_BASE[i]));
        }
        for (int i = 0; i < Catalog.CREATORS.size(); i++) {
            all.add(new Feature(
                    all.size(), Dimension.creator, Catalog.CREATORS.get(i).id(), CREATOR_BASE[i]));
        }
        return Collections.unmodifiableList(all);
    }

    private static double[][] probabilities() {
        double[][] p = new double[Crowd.values().length][FEATURES.size()];
        for (Crowd crowd : Crowd.values()) {
            for (Feature f : FEATURES) {
                p[crowd.ordinal()][f.index()] = Math.min(MAX_PROBABILITY, f.base() * multiplier(crowd, f));
            }
        }
        return p;
    }
}
