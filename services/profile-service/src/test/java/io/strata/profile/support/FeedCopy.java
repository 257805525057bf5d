package io.strata.profile.support;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Value;
import io.strata.proto.common.v1.Identity;
import io.strata.proto.profile.v1.EventStats;
import io.strata.proto.profile.v1.FacetStats;
import io.strata.proto.profile.v1.OrderStats;
import io.strata.proto.profile.v1.ProfileChange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a downstream consumer keeps of profiles from {@code strata.profile-changes.v1} alone, applied
 * as the feed's contract says: per profile, only records above the version held; an entry replaces
 * the copy's entry; a merge removes the merged profile.
 */
public final class FeedCopy {

    /** One profile as the copy has it. */
    public static final class Copy {
        public long version;
        public final Map<String, Value> traits = new TreeMap<>();
        public final List<Identity> identities = new ArrayList<>();
        public final Map<String, EventStats> events = new TreeMap<>();
        public OrderStats orders;
        public final Map<String, FacetStats> facets = new TreeMap<>();
        public final Map<String, io.strata.proto.profile.v1.TagValue> tags = new TreeMap<>();
        public final Map<String, io.strata.proto.profile.v1.Consent> consents = new TreeMap<>();
    }

    public final Map<String, Copy> profiles = new HashMap<>();
    /** Records skipped because the copy already had their version (redeliveries). */
    public int skipped;

    public void apply(ConsumerRecord<String, byte[]> record) {
        try {
            apply(ProfileChange.parseFrom(record.value()));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    public void apply(ProfileChange change) {
        Copy copy = profiles.computeIfAbsent(change.getProfileId(), id -> new Copy());
        if (change.getVersion() <= copy.version) {
            skipped++;
            return;
        }
        copy.version = change.getVersion();
        switch (change.getChangeCase()) {
            case MERGED, DELETED -> profiles.remove(change.getProfileId());
            case UPDATED -> {
                var updated = change.getUpdated();
                copy.traits.putAll(updated.getTraitsMap());
                copy.identities.addAll(updated.getIdentitiesAddedList());
                copy.events.putAll(updated.getEventsMap());
                if (updated.hasOrders()) {
                    copy.orders = updated.getOrders();
                }
                for (FacetStats facet : updated.getFacetsList()) {
                    copy.facets.put(facet.getDimension() + "=" + facet.getValue(), facet);
                }
                copy.tags.putAll(updated.getTagsMap());
                updated.getTagsRemovedList().forEach(copy.tags::remove);
                updated.getConsentsList()
                        .forEach(
                                c -> copy.consents.put(c.getChannel() + "|" + c.getPurpose() + "|" + c.getSender(), c));
            }
            case UNMERGED, SNAPSHOT -> {
                // the whole profile: it replaces the copy
                var snapshot = change.getChangeCase() == ProfileChange.ChangeCase.SNAPSHOT
                        ? change.getSnapshot()
                        : change.getUnmerged().getProfile();
                copy.traits.clear();
                copy.traits.putAll(snapshot.getTraitsMap());
                copy.identities.clear();
                copy.identities.addAll(snapshot.getIdentitiesList());
                copy.events.clear();
                copy.events.putAll(snapshot.getBehaviour().getEventsMap());
                copy.orders = snapshot.getBehaviour().hasOrders()
                        ? snapshot.getBehaviour().getOrders()
                        : null;
                copy.facets.clear();
                for (FacetStats facet : snapshot.getBehaviour().getFacetsList()) {
                    copy.facets.put(facet.getDimension() + "=" + facet.getValue(), facet);
                }
                copy.tags.clear();
                copy.tags.putAll(snapshot.getTagsMap());
                copy.consents.clear();
                snapshot.getConsentsList()
                        .forEach(
                                c -> copy.consents.put(c.getChannel() + "|" + c.getPurpose() + "|" + c.getSender(), c));
            }
            default -> throw new IllegalStateException("unknown change " + change.getChangeCase());
        }
    }
}
