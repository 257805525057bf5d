package io.strata.campaign.experiment;

/** One arm of a split: its planned weight, how many were exposed (assigned) and how many converted. */
public record ArmCounts(String name, boolean control, int weight, long exposures, long conversions) {

    public ArmCounts {
        if (exposures < 0 || conversions < 0 || conversions > exposures) {
            throw new IllegalArgumentException(
                    "arm " + name + ": " + conversions + " conversions of " + exposures + " exposures");
        }
    }

    public double rate() {
        return exposures == 0 ? 0 : (double) conversions / exposures;
    }
}
