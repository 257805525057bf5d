package io.strata.profile.service;

import io.smallrye.mutiny.Uni;
import io.strata.profile.domain.IdentifierNormalizer;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.ProfileSummary;
import io.strata.profile.domain.ProfileView;
import io.strata.profile.repository.ProfileReadRepository;
import io.strata.profile.repository.ProfileSummaryRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Finds profiles by id or by any identifier, and sums a tenant's up; empty results are null items. */
@ApplicationScoped
public class ProfileQueryService {

    private final ProfileReadRepository profiles;
    private final ProfileSummaryRepository summaries;

    public ProfileQueryService(ProfileReadRepository profiles, ProfileSummaryRepository summaries) {
        this.profiles = profiles;
        this.summaries = summaries;
    }

    /** The profile, following merges: an id merged into another profile finds the survivor. */
    public Uni<ProfileView> byId(String tenant, UUID id) {
        return profiles.find(tenant, id)
                .chain(found -> found != null
                        ? Uni.createFrom().item(found)
                        : profiles.mergedInto(tenant, id)
                                .chain(into ->
                                        into == null ? Uni.createFrom().nullItem() : profiles.find(tenant, into)));
    }

    /**
     * The profile owning an identifier, given raw as a caller knows it; the identifier is
     * normalised as events' identifiers are (emails lower-cased, phones to E.164...).
     */
    public Uni<ProfileView> byIdentity(String tenant, IdentityType type, String raw) {
        IdentityKey key = IdentifierNormalizer.normalize(type, raw).orElse(null);
        if (key == null) {
            return Uni.createFrom().nullItem();
        }
        // one query: the identifier and its profile as of one snapshot
        return profiles.findByIdentity(tenant, key);
    }

    public Uni<List<ProfileView>> list(String tenant, ProfileReadRepository.Filter filter, UUID after, int limit) {
        return profiles.list(tenant, filter, after, limit);
    }

    public Uni<ProfileSummary> summarize(String tenant, int topEvents) {
        return summaries.summarize(tenant, topEvents);
    }
}
