package io.strata.profile.tags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.profile.domain.Behaviour;
import io.strata.profile.domain.IdentityType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a rule sees of one profile: its traits (read only when a rule asks), behaviour, identifiers
 * per type (likewise), first and last seen, the tags computed so far, and the time of evaluation.
 */
public final class TagInput {

    private Supplier<ObjectNode> traitsSource;
    private ObjectNode traits;
    private final Behaviour behaviour;
    private Supplier<Map<IdentityType, Integer>> identitiesSource;
    private Map<IdentityType, Integer> identities;
    private final Instant firstSeen;
    private final Instant lastSeen;
    private final ProfileTags tags;
    private final ZoneId zone;
    private final int today;
    private final LocalDate localToday;

    public TagInput(
            Supplier<ObjectNode> traits,
            Behaviour behaviour,
            Supplier<Map<IdentityType, Integer>> identities,
            Instant firstSeen,
            Instant lastSeen,
            ProfileTags tags,
            Instant now,
            ZoneId zone) {
        this.traitsSource = traits;
        this.behaviour = behaviour;
        this.identitiesSource = identities;
        this.firstSeen = firstSeen;
        this.lastSeen = lastSeen;
        this.tags = tags;
        this.zone = zone;
        this.today = Behaviour.day(now, zone);
        this.localToday = LocalDate.ofEpochDay(today);
    }

    private final Map<TagRule.Source, Object> values = new java.util.HashMap<>();

    /**
     * A source's value, computed once per evaluation (rules share sources: the cases of an enum
     * read the same one); a tag's is read each time, as tags are set while rules are evaluated.
     */
    Object value(TagRule.Source source) {
        if (source instanceof TagRule.Source.Tag) {
            return source.value(this);
        }
        Object value = values.get(source);
        if (value == null && !values.containsKey(source)) {
            value = source.value(this);
            values.put(source, value);
        }
        return value;
    }

    ObjectNode traits() {
        if (traits == null && traitsSource != null) {
            traits = traitsSource.get();
            traitsSource = null;
        }
        return traits;
    }

    Behaviour behaviour() {
        return behaviour;
    }

    int identities(IdentityType type) {
        if (identities == null) {
            identities = identitiesSource == null ? Map.of() : identitiesSource.get();
            identitiesSource = null;
        }
        return identities.getOrDefault(type, 0);
    }

    Instant firstSeen() {
        return firstSeen;
    }

    Instant lastSeen() {
        return lastSeen;
    }

    JsonNode tag(String key) {
        return tags.value(key);
    }

    int today() {
        return today;
    }

    LocalDate localToday() {
        return localToday;
    }

    /** Whole days of the tenant's zone from the day of {@code epochMillis} to today. */
    BigDecimal daysSince(long epochMillis) {
        return BigDecimal.valueOf(today - Behaviour.day(Instant.ofEpochMilli(epochMillis), zone));
    }
}
