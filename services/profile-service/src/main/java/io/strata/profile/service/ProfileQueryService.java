package io.strata.profile.service;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.strata.profile.domain.IdentifierNormalizer;
import io.strata.profile.domain.IdentityKey;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.domain.ProfileEntity;
import io.strata.profile.domain.ProfileView;
import io.strata.profile.repository.ProfileReadRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** Finds profiles by id or by any identifier; empty results are {@code null} items. */
@ApplicationScoped
public class ProfileQueryService {

    private final ProfileReadRepository profiles;

    public ProfileQueryService(ProfileReadRepository profiles) {
        this.profiles = profiles;
    }

    /** The profile, following merges: an id merged into another profile finds the survivor. */
    @WithSession
    public Uni<ProfileView> byId(String tenant, UUID id) {
        return profiles.find(tenant, id)
                .chain(found -> found != null
                        ? Uni.createFrom().item(found)
                        : profiles.mergedInto(tenant, id)
                                .chain(into ->
                                        into == null ? Uni.createFrom().nullItem() : profiles.find(tenant, into)))
                .chain(this::view);
    }

    /**
     * The profile owning an identifier, given raw as a caller knows it; the identifier is
     * normalised as events' identifiers are (emails lower-cased, phones to E.164...).
     */
    @WithSession
    public Uni<ProfileView> byIdentity(String tenant, IdentityType type, String raw) {
        IdentityKey key = IdentifierNormalizer.normalize(type, raw).orElse(null);
        if (key == null) {
            return Uni.createFrom().nullItem();
        }
        return profiles.owner(tenant, key)
                .chain(owner ->
                        owner == null ? Uni.createFrom().<ProfileEntity>nullItem() : profiles.find(tenant, owner))
                .chain(this::view);
    }

    private Uni<ProfileView> view(ProfileEntity profile) {
        if (profile == null) {
            return Uni.createFrom().nullItem();
        }
        return profiles.traits(profile.id)
                .chain(traits -> profiles.identities(profile.id)
                        .chain(identities -> profiles.counts(profile.id)
                                .map(counts -> new ProfileView(profile, traits, identities, counts))));
    }
}
