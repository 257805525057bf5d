package io.strata.campaign.journey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JourneyParserTest {

    @Test
    void readsTheDemoJourneys() {
        Journey fp7 = Fixtures.journey("first-purchase-7d");
        assertEquals("first-purchase-7d", fp7.key());
        assertEquals(8, fp7.nodes().size());
        assertInstanceOf(Node.Entry.Event.class, fp7.trigger().entry());
        var split = (Node.Split) fp7.node("split");
        assertEquals("control", split.control().orElseThrow().name());
        assertEquals(Journey.ReentryMode.NEVER, fp7.reentry().mode());

        Journey winBack = Fixtures.journey("churn-win-back");
        assertEquals(new Journey.Reentry(Journey.ReentryMode.AFTER_EXIT, Duration.ofDays(30)), winBack.reentry());
        assertEquals(List.of(new Journey.ExitRule.LeftAudience("churn-warning")), winBack.exitRules());
        var condition = (Node.Condition) winBack.node("valuable");
        assertInstanceOf(Predicate.Any.class, condition.branches().get(0).when());
    }

    @Test
    void namesTheNodeAndFieldOfEveryViolation() {
        String json = """
                {"key": "bad", "nodes": [
                  {"id": "start", "type": "trigger", "on": {"audienceEnter": "nobody"}, "next": "w"},
                  {"id": "w", "type": "wait", "for": "soon", "next": "s"},
                  {"id": "s", "type": "send", "channel": "carrier-pigeon", "template": "x", "next": "gone"},
                  {"id": "t", "type": "teleport"}
                ]}""";
        var violations = violations(json);
        assertContains(
                violations,
                new Violation("start", "on", "audience 'nobody' does not exist"),
                new Violation("w", "for", "must be a positive ISO-8601 duration such as P7D or PT2H, not 'soon'"),
                new Violation("s", "channel", "channel 'carrier-pigeon' is not configured"),
                new Violation("s", "next", "names node 'gone', which does not exist"));
        assertTrue(
                violations.stream()
                        .anyMatch(v -> "t".equals(v.node()) && v.field().equals("type")),
                violations::toString);
    }

    @Test
    void refusesACycle() {
        String json = """
                {"key": "loop", "nodes": [
                  {"id": "start", "type": "trigger", "on": {"event": "Signed Up"}, "next": "a"},
                  {"id": "a", "type": "wait", "for": "P1D", "next": "b"},
                  {"id": "b", "type": "condition", "branches": [{"when": {"tag": "vip"}, "next": "a"}], "else": "end"},
                  {"id": "end", "type": "exit"}
                ]}""";
        assertEquals(
                List.of(new Violation("b", "next", "leads back to 'a': a journey has no cycles")), violations(json));
    }

    @Test
    void refusesUnreachableNodesAndLinksToTheTrigger() {
        String back = """
                {"key": "lost", "nodes": [
                  {"id": "start", "type": "trigger", "on": {"event": "Signed Up"}, "next": "w"},
                  {"id": "w", "type": "wait", "for": "PT1H", "next": "start"},
                  {"id": "island", "type": "exit"}
                ]}""";
        assertContains(violations(back), new Violation("w", "next", "leads to the trigger start"));

        String orphan = """
                {"key": "lost", "nodes": [
                  {"id": "start", "type": "trigger", "on": {"event": "Signed Up"}, "next": "w"},
                  {"id": "w", "type": "wait", "for": "PT1H", "next": "t"},
                  {"id": "t", "type": "updateTag", "tag": "x", "value": "y", "next": "island"},
                  {"id": "island", "type": "exit"},
                  {"id": "orphan", "type": "exit"}
                ]}""";
        assertEquals(List.of(new Violation("orphan", "id", "cannot be reached from the trigger")), violations(orphan));
    }

    @Test
    void checksTemplatesSendersAndTheControlArm() {
        String json = """
                {"key": "sends", "nodes": [
                  {"id": "start", "type": "trigger", "on": {"event": "Signed Up"}, "next": "split"},
                  {"id": "split", "type": "split", "arms": [
                    {"name": "a", "weight": 1, "next": "draft"},
                    {"name": "holdout", "weight": 1, "control": true, "next": "no-opt-out"}]},
                  {"id": "draft", "type": "send", "channel": "email", "template": "draft_only", "next": "end"},
                  {"id": "no-opt-out", "type": "send", "channel": "sms", "template": "no_opt_out", "sender": "Other", "next": "end"},
                  {"id": "end", "type": "exit"}
                ]}""";
        assertEquals(
                Set.of(
                        new Violation("draft", "template", "template 'draft_only' is not approved"),
                        new Violation(
                                "no-opt-out",
                                "template",
                                "a marketing SMS template must carry an opt-out instruction (回T退订)"),
                        new Violation("no-opt-out", "sender", "'Other' is not an approved sender of sms"),
                        new Violation("split", "arms", "the control arm 'holdout' reaches send node no-opt-out")),
                Set.copyOf(violations(json)));
    }

    @Test
    void refusesBadSplitsAndValues() {
        String json = """
                {"key": "arms", "reentry": {"mode": "sometimes"}, "nodes": [
                  {"id": "start", "type": "trigger", "on": {"event": "Signed Up"}, "next": "split"},
                  {"id": "split", "type": "split", "arms": [
                    {"name": "a", "weight": 0, "next": "end"},
                    {"name": "b", "weight": 1, "control": true, "next": "end"}]},
                  {"id": "end", "type": "exit"}
                ]}""";
        assertContains(
                violations(json),
                new Violation(null, "reentry.mode", "'sometimes' is not one of never, after_exit, every_entry"),
                new Violation("split", "arms[0].weight", "must be a positive whole number"));
        assertEquals(List.of(new Violation(null, "definition", "must be a JSON object")), violations("[1, 2]"));
        var broken = violations("{\"key\": \"k\"");
        assertEquals(1, broken.size());
        assertEquals("definition", broken.get(0).field());
    }

    private static void assertContains(List<Violation> actual, Violation... expected) {
        for (Violation v : expected) {
            assertTrue(actual.contains(v), () -> "expected " + v + " among " + actual);
        }
    }

    private static List<Violation> violations(String json) {
        var thrown = assertThrows(InvalidJourneyException.class, () -> JourneyParser.parse(json, 1, Fixtures.CATALOG));
        assertTrue(thrown.getMessage().contains(": "));
        return thrown.violations();
    }
}
