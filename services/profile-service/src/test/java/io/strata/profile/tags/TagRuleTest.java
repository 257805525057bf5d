package io.strata.profile.tags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.profile.domain.Behaviour;
import io.strata.profile.domain.Facet;
import io.strata.profile.domain.IdentityType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TagRuleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final Instant NOW = Instant.parse("2026-12-02T04:00:00Z");

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static TagDefinition define(String definition, String... earlier) {
        return TagDefinition.parse(json(definition), Set.of(earlier), false);
    }

    /** A profile: a woman born 1990-06-15 with two orders (skincare 20 days ago, masks 2 days ago). */
    private static TagInput profile(ProfileTags tags) {
        ObjectNode traits =
                (ObjectNode) json("{'gender':'female','birthday':'1990-06-15','kids':2,'address':{'city':'上海'}}");
        Behaviour behaviour = new Behaviour();
        int today = Behaviour.day(NOW, ZONE);
        Behaviour.Changes changes = new Behaviour.Changes();
        behaviour.add(
                "Order Completed",
                NOW.minusSeconds(20 * 86400),
                new BigDecimal("300"),
                List.of(new Facet("category", "skincare")),
                ZONE,
                today,
                changes);
        behaviour.add(
                "Order Completed",
                NOW.minusSeconds(2 * 86400),
                new BigDecimal("100"),
                List.of(new Facet("category", "masks")),
                ZONE,
                today,
                changes);
        behaviour.add("page", NOW.minusSeconds(86400), null, List.of(), ZONE, today, changes);
        return new TagInput(
                () -> traits,
                behaviour,
                () -> Map.of(IdentityType.DEVICE_ID, 3),
                NOW.minusSeconds(40 * 86400),
                NOW,
                tags,
                NOW,
                ZONE);
    }

    @Test
    void rulesReadTraitsBehaviourIdentifiersAndEarlierTags() {
        ProfileTags tags = ProfileTags.empty();
        TagInput in = profile(tags);
        assertEquals(
                BigDecimal.valueOf(36),
                define(
                                "{'key':'age','name':'Age','kind':'rule','valueType':'number','category':'demographic','rule':{'value':{'age':'birthday'}}}")
                        .rule()
                        .evaluate(in)
                        .decimalValue());
        assertEquals(
                "female",
                define(
                                "{'key':'gg','name':'G','kind':'rule','valueType':'enum','values':['female','male'],'category':'demographic','rule':{'cases':[{'value':'male','when':{'of':{'trait':'gender'},'op':'eq','value':'male'}},{'value':'female','when':{'of':{'trait':'gender'},'op':'eq','value':'female'}}]}}")
                        .rule()
                        .evaluate(in)
                        .asText());
        assertEquals(
                true,
                define(
                                "{'key':'sh','name':'SH','kind':'rule','valueType':'boolean','category':'demographic','rule':{'when':{'all':[{'of':{'trait':'address.city'},'op':'in','value':['上海','北京']},{'of':{'trait':'kids'},'op':'gte','value':2}]}}}")
                        .rule()
                        .evaluate(in)
                        .asBoolean());
        // orders: count, revenue, average, days since the last; a category's count; distinct categories; devices
        String orders =
                "{'key':'oo','name':'O','kind':'rule','valueType':'boolean','category':'value','rule':{'when':{'all':["
                        + "{'of':{'orders':'count'},'op':'eq','value':2},{'of':{'orders':'revenue'},'op':'eq','value':400},"
                        + "{'of':{'orders':'average_order_value'},'op':'eq','value':200},{'of':{'orders':'days_since_last'},'op':'eq','value':2},"
                        + "{'of':{'facet':'category','value':'skincare','measure':'count'},'op':'eq','value':1},"
                        + "{'of':{'facet':'category','measure':'distinct'},'op':'eq','value':2},"
                        + "{'of':{'facet':'category','measure':'top'},'op':'eq','value':'masks'},"
                        + "{'of':{'event':'Order Completed','measure':'last_7_days'},'op':'eq','value':1},"
                        + "{'of':{'event':'Order Completed','measure':'last_30_days'},'op':'eq','value':2},"
                        + "{'of':{'identities':'device_id'},'op':'eq','value':3},"
                        + "{'of':{'profile':'days_since_first_seen'},'op':'eq','value':40}]}}}";
        assertEquals(true, define(orders).rule().evaluate(in).asBoolean());
        // a source without a value: every comparison is false but ne and exists false
        String missing =
                "{'key':'mm','name':'M','kind':'rule','valueType':'boolean','category':'value','rule':{'when':{'of':{'trait':'income'},'op':'%s','value':%s}}}";
        assertNull(define(missing.formatted("gte", "1")).rule().evaluate(in));
        assertNull(define(missing.formatted("eq", "1")).rule().evaluate(in));
        assertEquals(
                true, define(missing.formatted("ne", "1")).rule().evaluate(in).asBoolean());
        assertEquals(
                true,
                define(missing.formatted("exists", "false")).rule().evaluate(in).asBoolean());
        // a tag before this one
        tags.set("vip", json("true"), "manual", 1);
        assertEquals(
                true,
                define(
                                "{'key':'tt','name':'T','kind':'rule','valueType':'boolean','category':'value','rule':{'when':{'of':{'tag':'vip'},'op':'eq','value':true}}}",
                                "vip")
                        .rule()
                        .evaluate(in)
                        .asBoolean());
    }

    @Test
    void onlyTheRulesReadingWhatChangedAreEvaluatedAndThoseReadingTheirTagsFollow() {
        TagDefinition female = define(
                "{'key':'is_female','name':'F','kind':'rule','valueType':'boolean','category':'demographic','rule':{'when':{'of':{'trait':'gender'},'op':'eq','value':'female'}}}");
        TagDefinition buyer = define(
                "{'key':'buyer','name':'B','kind':'rule','valueType':'boolean','category':'value','rule':{'when':{'of':{'orders':'count'},'op':'gte','value':1}}}");
        TagDefinition womanBuyer = define(
                "{'key':'woman_buyer','name':'WB','kind':'rule','valueType':'boolean','category':'value','rule':{'when':{'all':[{'of':{'tag':'is_female'},'op':'eq','value':true},{'of':{'tag':'buyer'},'op':'eq','value':true}]}}}",
                "is_female",
                "buyer");
        Catalog catalog = new Catalog(List.of(female, buyer, womanBuyer));
        ProfileTags tags = ProfileTags.empty();
        TagInput in = profile(tags);

        RuleInputs traits = new RuleInputs();
        traits.traits = true;
        catalog.evaluate(in, tags, 1, traits, false);
        assertEquals(
                Set.of("is_female"), tags.entries().keySet(), "only the trait's rule; buyer read nothing that changed");

        RuleInputs orders = new RuleInputs();
        orders.orders = true;
        catalog.evaluate(in, tags, 2, orders, false);
        assertEquals(
                Set.of("is_female", "buyer", "woman_buyer"),
                tags.entries().keySet(),
                "the orders' rule, then the rule reading its tag, in the same pass");
    }

    @Test
    void aBadDefinitionNamesItsField() {
        String base = "{'key':'x1','name':'X','kind':'rule','valueType':'boolean','category':'value','rule':%s}";
        Map<String, String> cases = Map.of(
                "{'when':{'of':{'orders':'profit'},'op':'gte','value':1}}", "rule.when.of.orders",
                "{'when':{'of':{'trait':'a'},'op':'like','value':1}}", "rule.when.op",
                "{'when':{'all':[{'of':{'trait':'a'},'op':'eq','value':1},{'of':{'tag':'later'},'op':'eq','value':1}]}}",
                        "rule.when.all[1].of.tag",
                "{'when':{'of':{'trait':'a'},'op':'in','value':1}}", "rule.when.value",
                "{'cases':[]}", "rule.cases",
                "{'when':{'of':{'facet':'colour','measure':'top'},'op':'eq','value':'x'}}", "rule.when.of.facet");
        cases.forEach((rule, field) -> assertEquals(
                field,
                assertThrows(InvalidTagException.class, () -> define(base.formatted(rule)))
                        .field(),
                rule));
        assertEquals(
                "rule.cases[0].value",
                assertThrows(
                                InvalidTagException.class,
                                () -> define(
                                        "{'key':'e1','name':'E','kind':'rule','valueType':'enum','values':['a'],'category':'value','rule':{'cases':[{'value':'b','when':{'of':{'trait':'a'},'op':'eq','value':1}}]}}"))
                        .field());
        assertEquals(
                "key",
                assertThrows(
                                InvalidTagException.class,
                                () -> define(
                                        "{'key':'Bad Key','name':'B','kind':'manual','valueType':'boolean','category':'value'}"))
                        .field());
        assertEquals(
                "rule",
                assertThrows(
                                InvalidTagException.class,
                                () -> define(
                                        "{'key':'m1','name':'M','kind':'manual','valueType':'boolean','category':'value','rule':{'when':{}}}"))
                        .field());
        assertEquals(
                "value",
                assertThrows(
                                InvalidTagException.class,
                                () -> define(
                                                "{'key':'n1','name':'N','kind':'manual','valueType':'number','category':'value'}")
                                        .value("many"))
                        .field());
    }

    @Test
    void theStandardCatalogCoversEveryGroupAndEvaluates() {
        List<TagDefinition> standard = TagCatalogs.standard();
        assertTrue(standard.size() >= 80, "80+ tags: " + standard.size());
        Set<String> groups = standard.stream().map(TagDefinition::group).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(
                groups.containsAll(
                        Set.of("demographic", "lifecycle", "value", "behaviour", "preference", "channel", "scenario")),
                groups.toString());
        Set<String> scenarios = standard.stream()
                .map(TagDefinition::category)
                .filter(c -> c.startsWith("scenario/"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(
                scenarios.containsAll(Set.of(
                        "scenario/office", "scenario/family", "scenario/study", "scenario/fitness", "scenario/travel")),
                scenarios.toString());
        ProfileTags tags = ProfileTags.empty();
        Catalog catalog = new Catalog(standard);
        catalog.evaluate(profile(tags), tags, NOW.toEpochMilli());
        assertEquals("female", tags.value("gender").asText());
        assertEquals(true, tags.value("repeat_buyer").asBoolean());
        assertEquals(2, tags.value("orders_total").asInt());
        assertNull(tags.value("first_time_buyer"));
        assertTrue(tags.changed().contains("gender"));
        // evaluating again changes nothing
        tags.clearChanges();
        assertEquals(false, catalog.evaluate(profile(tags), tags, NOW.toEpochMilli() + 1000));
    }

    @Test
    void onlyTheRulesReadingWhatChangedAreEvaluated() {
        TagDefinition gender = define(
                "{'key':'gg','name':'G','kind':'rule','valueType':'enum','values':['female','male'],'category':'demographic','rule':{'cases':[{'value':'male','when':{'of':{'trait':'gender'},'op':'eq','value':'male'}},{'value':'female','when':{'of':{'trait':'gender'},'op':'eq','value':'female'}}]}}");
        TagDefinition orders = define(
                "{'key':'oo','name':'O','kind':'rule','valueType':'number','category':'value','rule':{'value':{'orders':'count'}}}");
        TagDefinition many = define(
                "{'key':'mm','name':'M','kind':'rule','valueType':'boolean','category':'value','rule':{'when':{'of':{'tag':'oo'},'op':'gte','value':2}}}",
                "oo");
        TagDefinition recent = define(
                "{'key':'rr','name':'R','kind':'rule','valueType':'number','category':'value','rule':{'value':{'profile':'days_since_first_seen'}}}");
        Catalog catalog = new Catalog(List.of(gender, orders, many, recent));
        // stored values, each out of date
        ProfileTags tags = ProfileTags.empty();
        tags.set("gg", json("'male'".replace('\'', '"')), "rule", 1);
        tags.set("oo", json("1"), "rule", 1);
        tags.set("rr", json("9"), "rule", 1);
        tags.clearChanges();

        RuleInputs ordersChanged = new RuleInputs();
        ordersChanged.orders = true;
        catalog.evaluate(profile(tags), tags, NOW.toEpochMilli(), ordersChanged, false);
        assertEquals("male", tags.value("gg").asText(), "no trait changed: the gender rule is not evaluated");
        assertEquals(2, tags.value("oo").asInt());
        assertEquals(true, tags.value("mm").asBoolean(), "the tag it reads changed");
        assertEquals(9, tags.value("rr").asInt(), "the day did not change: days since stays as it was");

        RuleInputs nextDay = new RuleInputs();
        nextDay.time = true;
        catalog.evaluate(profile(tags), tags, NOW.toEpochMilli(), nextDay, false);
        assertEquals(40, tags.value("rr").asInt());
        assertEquals("male", tags.value("gg").asText());

        RuleInputs traits = new RuleInputs();
        traits.traits = true;
        tags.set("defined_elsewhere", json("true"), "rule", 1);
        catalog.evaluate(profile(tags), tags, NOW.toEpochMilli(), traits, false);
        assertEquals("female", tags.value("gg").asText());
        assertEquals(
                true,
                tags.value("defined_elsewhere").asBoolean(),
                "a cached catalog may not know a new tag: its value stays");
        catalog.evaluate(profile(tags), tags, NOW.toEpochMilli(), RuleInputs.everything(), true);
        assertNull(tags.value("defined_elsewhere"), "a recompute drops what its catalog does not define");
    }
}
