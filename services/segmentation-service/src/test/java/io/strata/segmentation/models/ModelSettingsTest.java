package io.strata.segmentation.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.segmentation.rules.Violation;
import java.time.Period;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Model settings in and out of JSON: defaults for what is left out, every problem named. */
class ModelSettingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    private static List<String> violations(String text) throws Exception {
        JsonNode given = json(text);
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class, () -> ModelSettings.parse(given));
        return e.violations().stream().map(Violation::toString).toList();
    }

    @Test
    void nothingGivenIsTheDefaults() throws Exception {
        assertEquals(ModelSettings.DEFAULTS, ModelSettings.parse(json("{}")));
        assertEquals(ModelSettings.DEFAULTS, ModelSettings.parse(null));
        // written out and read back: the same
        assertEquals(ModelSettings.DEFAULTS, ModelSettings.parse(ModelSettings.DEFAULTS.json()));
        assertEquals(30, ModelSettings.DEFAULTS.json().at("/churn/window_days").asInt());
        assertEquals(
                15, ModelSettings.DEFAULTS.json().at("/aipl/awareness_days").asInt());
    }

    @Test
    void givenValuesOverTheDefaults() throws Exception {
        ModelSettings s = ModelSettings.parse(
                json(
                        "{'rfm': {'scoring': 'custom', 'recency_cuts': [7, 30],"
                                + " 'frequency_cuts': [1, 3], 'monetary_cuts': [200], 'split': {'by': 'top_percent', 'value': 20},"
                                + " 'monetary': 'average'}, 'churn': {'window_days': 14, 'activity': ['page', 'Product Viewed']},"
                                + " 'aipl': {'purchase_window_months': 24}, 'clv': {'tiers': {'by': 'value', 'high': 1000, 'mid': 300}}}"));
        assertEquals(Rfm.Scoring.CUSTOM, s.rfm().scoring());
        assertEquals(List.of(7.0, 30.0), s.rfm().recencyCuts());
        assertEquals(new Rfm.Split.TopPercent(20), s.rfm().split());
        assertEquals(Rfm.Monetary.AVERAGE, s.rfm().monetary());
        assertEquals(365, s.rfm().windowDays()); // not given: the default
        assertEquals(new ChurnWarning.Settings(Set.of("page", "Product Viewed"), 14, 0.5), s.churn());
        assertEquals(Period.ofMonths(24), s.aipl().purchaseWindow());
        assertEquals(new Clv.Tiers(false, 1000, 300), s.clv().tiers());
        assertEquals(s, ModelSettings.parse(s.json()));
    }

    @Test
    void windowsLongerThanTheEventsKeptAreNamed() throws Exception {
        assertEquals(List.of(), ModelSettings.DEFAULTS.beyond(400));
        ModelSettings s = ModelSettings.parse(json("{'rfm': {'window_days': 500}, 'churn': {'window_days': 201}}"));
        assertEquals(
                List.of(
                        "rfm.window_days: looks back 500 days, longer than the 400 days of events kept",
                        "churn.window_days: looks back 402 days (two windows), longer than the 400 days of events kept"),
                s.beyond(400).stream().map(Violation::toString).toList());
        // the AIPL purchase window reads the last order of the profile's aggregates: not limited
        assertEquals(
                List.of(),
                ModelSettings.parse(json("{'aipl': {'purchase_window_months': 60}}"))
                        .beyond(400));
    }

    @Test
    void everyProblemIsNamedAtOnce() throws Exception {
        assertEquals(
                List.of(
                        "lifecycle.hours: is not a setting",
                        "rfm.window_days: must be a whole number",
                        "churn.max_share: must be in [0, 1), was 1.5",
                        "aipl.passive[1]: must be a non-empty text",
                        "clv.tiers: high and mid are shares with high > 0 and high + mid ≤ 100, were 80.0 and 30.0"),
                violations("{'rfm': {'window_days': 'a year'}, 'lifecycle': {'hours': 3},"
                        + " 'churn': {'max_share': 1.5}, 'aipl': {'passive': ['page', '']},"
                        + " 'clv': {'tiers': {'high': 80}}}"));
        assertEquals(
                List.of("lifecycle.churned_days: must be longer than lifecycle.new_days (30), was 20"),
                violations("{'lifecycle': {'churned_days': 20}}"));
        assertEquals(
                List.of("rfm.scoring: must be one of quintiles, quartiles, custom"),
                violations("{'rfm': {'scoring': 'deciles'}}"));
        assertEquals(
                List.of("rfm.recency_cuts: must name at least one cut point for custom scoring"),
                violations("{'rfm': {'scoring': 'custom', 'frequency_cuts': [1], 'monetary_cuts': [1]}}"));
        assertEquals(List.of("rfm.split.value: must be a number"), violations("{'rfm': {'split': {'by': 'score'}}}"));
        assertEquals(
                List.of("rfm.split.value: is not a setting"),
                violations("{'rfm': {'split': {'by': 'mean_score', 'value': 4}}}"));
        assertEquals(
                List.of("aipl.purchase_window_months: must be at least 1, was 0"),
                violations("{'aipl': {'purchase_window_months': 0}}"));
        assertEquals(List.of("purchases: must be an object"), violations("{'purchases': 'Order Completed'}"));
        assertEquals(List.of("settings: must be a JSON object"), violations("[1]"));
    }
}
