package io.strata.profile.domain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.profile.consent.Consents;
import io.strata.profile.tags.ProfileTags;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A profile's contents while a batch works on it (traits, behaviour, first and last seen), and what
 * the batch changed since the last write, which the change feed announces.
 *
 * <p>Not thread-safe: one batch owns it.
 */
public final class ProfileState {

    private final UUID id;
    private Traits traits;
    private java.util.function.Supplier<Traits> storedTraits;
    private final Behaviour behaviour;
    private Instant firstSeen;
    private Instant lastSeen;
    private ProfileTags tags = ProfileTags.empty();
    private java.util.function.Supplier<Consents> storedConsents;
    private Consents consents;
    private boolean traitsDirty;
    private boolean merged;
    private final java.util.Map<IdentityType, Integer> identityCounts = new java.util.EnumMap<>(IdentityType.class);
    private boolean identityCountsDirty;
    private int evaluatedDay = Integer.MIN_VALUE;

    private boolean created;
    private final Set<String> changedTraits = new TreeSet<>();
    private final Behaviour.Changes changes = new Behaviour.Changes();
    private final List<IdentityKey> identitiesAdded = new ArrayList<>();
    private boolean seenChanged;

    public ProfileState(UUID id, Traits traits, Behaviour behaviour, Instant firstSeen, Instant lastSeen) {
        this.id = id;
        this.traits = traits;
        this.behaviour = behaviour;
        this.firstSeen = firstSeen;
        this.lastSeen = lastSeen;
    }

    /**
     * A stored profile whose traits are read only when an event or a merge needs them (most events
     * carry none): a write then leaves the stored traits as they are ({@link #traitsLoaded()}).
     */
    public ProfileState(
            UUID id,
            java.util.function.Supplier<Traits> storedTraits,
            Behaviour behaviour,
            Instant firstSeen,
            Instant lastSeen) {
        this.id = id;
        this.storedTraits = storedTraits;
        this.behaviour = behaviour;
        this.firstSeen = firstSeen;
        this.lastSeen = lastSeen;
    }

    /** A profile this batch creates. */
    public static ProfileState created(UUID id) {
        ProfileState state = new ProfileState(id, Traits.empty(), new Behaviour(), null, null);
        state.created = true;
        state.consents = Consents.parse(null);
        return state;
    }

    /**
     * The stored tags and consent (the consent read only when a merge needs it), the day its rule
     * tags were last evaluated (the day of its last write), and its identifiers per type.
     */
    public ProfileState stored(
            ProfileTags tags,
            java.util.function.Supplier<Consents> consents,
            int evaluatedDay,
            java.util.Map<IdentityType, Integer> identityCounts) {
        this.tags = tags;
        this.identityCounts.putAll(identityCounts);
        this.storedConsents = consents;
        this.evaluatedDay = evaluatedDay;
        return this;
    }

    /** Folds the event in: its traits (by event time), behaviour, first and last seen. */
    public void apply(IncomingEvent event, ObjectNode eventTraits, ZoneId zone, int today) {
        if (eventTraits != null) {
            traits().write(eventTraits, event.timestamp(), changedTraits);
            traitsDirty = true;
        }
        behaviour.add(event.countName(), event.timestamp(), event.revenue(), event.facets(), zone, today, changes);
        seen(event.timestamp(), event.timestamp());
    }

    /** Identifiers the profile gained (of an event, or moved from a profile merged into it). */
    public void attached(List<IdentityKey> identities) {
        identitiesAdded.addAll(identities);
        identities.forEach(i -> identityCounts.merge(i.type(), 1, Integer::sum));
        identityCountsDirty |= !identities.isEmpty();
    }

    /** Takes in everything of a profile merged into this one. */
    public void merge(ProfileState other, int today) {
        traits().merge(other.traits(), changedTraits);
        traitsDirty = true;
        merged = true;
        behaviour.merge(other.behaviour, today, changes);
        tags.merge(other.tags);
        consents().merge(other.consents());
        if (other.firstSeen != null) {
            seen(other.firstSeen, other.lastSeen);
        }
    }

    private void seen(Instant first, Instant last) {
        if (firstSeen == null || first.isBefore(firstSeen)) {
            firstSeen = first;
            seenChanged = true;
        }
        if (lastSeen == null || last.isAfter(lastSeen)) {
            lastSeen = last;
            seenChanged = true;
        }
    }

    /** Whether anything changed since the changes were last cleared. */
    public boolean changed() {
        return created
                || !changedTraits.isEmpty()
                || !changes.isEmpty()
                || !identitiesAdded.isEmpty()
                || seenChanged
                || !tags.changed().isEmpty()
                || (consents != null && !consents.changed().isEmpty());
    }

    /** Forgets what changed (it was announced). */
    public void clearChanges() {
        created = false;
        changedTraits.clear();
        changes.clear();
        identitiesAdded.clear();
        seenChanged = false;
        merged = false;
        tags.clearChanges();
        if (consents != null) {
            consents.clearChanges();
        }
    }

    public UUID id() {
        return id;
    }

    /** The traits (read from their stored form the first time). */
    public Traits traits() {
        if (traits == null) {
            traits = storedTraits.get();
            storedTraits = null;
        }
        return traits;
    }

    /** Whether the traits were read (or made): a rule may read them without changing them. */
    public boolean traitsLoaded() {
        return traits != null;
    }

    /** Whether the traits changed (an event's traits, a merge): only then are they written back. */
    public boolean traitsDirty() {
        return traitsDirty;
    }

    /** Whether another profile was merged into this one since the changes were last cleared. */
    public boolean wasMerged() {
        return merged;
    }

    /** Its identifiers per type (as stored, and those it gained since). */
    public java.util.Map<IdentityType, Integer> identityCounts() {
        return identityCounts;
    }

    /** Whether identifiers were gained: only then are the counts written back. */
    public boolean identityCountsDirty() {
        return identityCountsDirty;
    }

    public int evaluatedDay() {
        return evaluatedDay;
    }

    /** The rule tags were brought up to date on {@code day}. */
    public void evaluatedOn(int day) {
        evaluatedDay = day;
    }

    public ProfileTags tags() {
        return tags;
    }

    /** The consent (read from its stored form the first time). */
    public Consents consents() {
        if (consents == null) {
            consents = storedConsents == null ? Consents.parse(null) : storedConsents.get();
            storedConsents = null;
        }
        return consents;
    }

    /** Whether the consent changed (a merge, a statement): only then is it written back. */
    public boolean consentsDirty() {
        return consents != null && !consents.changed().isEmpty();
    }

    public Behaviour behaviour() {
        return behaviour;
    }

    public Instant firstSeen() {
        return firstSeen;
    }

    public Instant lastSeen() {
        return lastSeen;
    }

    public boolean isCreated() {
        return created;
    }

    public Set<String> changedTraits() {
        return changedTraits;
    }

    public Behaviour.Changes behaviourChanges() {
        return changes;
    }

    public List<IdentityKey> identitiesAdded() {
        return identitiesAdded;
    }

    public boolean seenChanged() {
        return seenChanged;
    }
}
