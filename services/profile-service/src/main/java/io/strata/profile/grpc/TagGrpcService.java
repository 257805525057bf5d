package io.strata.profile.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.security.Access;
import io.strata.platform.security.Caller;
import io.strata.platform.security.Roles;
import io.strata.profile.config.ProfileConfig;
import io.strata.profile.domain.IdentityType;
import io.strata.profile.mapping.ProfileMapper;
import io.strata.profile.service.ProfileQueryService;
import io.strata.profile.service.TagCommands;
import io.strata.profile.service.TagJobs;
import io.strata.profile.tags.TagDefinition;
import io.strata.proto.profile.v1.CountTagsRequest;
import io.strata.proto.profile.v1.CountTagsResponse;
import io.strata.proto.profile.v1.CreateTagDefinitionRequest;
import io.strata.proto.profile.v1.DeleteTagDefinitionRequest;
import io.strata.proto.profile.v1.DeleteTagDefinitionResponse;
import io.strata.proto.profile.v1.GetTagDefinitionRequest;
import io.strata.proto.profile.v1.GetTagJobRequest;
import io.strata.proto.profile.v1.ListTagDefinitionsRequest;
import io.strata.proto.profile.v1.ListTagDefinitionsResponse;
import io.strata.proto.profile.v1.LookupTagsRequest;
import io.strata.proto.profile.v1.LookupTagsResponse;
import io.strata.proto.profile.v1.Profile;
import io.strata.proto.profile.v1.RecomputeTagsRequest;
import io.strata.proto.profile.v1.SetTagsRequest;
import io.strata.proto.profile.v1.SetTagsResponse;
import io.strata.proto.profile.v1.TagCount;
import io.strata.proto.profile.v1.TagJob;
import io.strata.proto.profile.v1.TagService;
import io.strata.proto.profile.v1.UpdateTagDefinitionRequest;
import jakarta.annotation.security.RolesAllowed;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The tag catalog and values. Users (through the gateway) read with the viewer role, change values
 * and definitions as marketers; the services of {@code strata.profile.tags.service-writers} read the
 * catalog and write model tags; a partner looks up a profile's tags and consent for its tenant.
 */
@GrpcService
@RolesAllowed({Roles.SERVICE, Roles.PARTNER})
public class TagGrpcService implements TagService {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TagCommands tags;
    private final TagJobs jobs;
    private final ProfileQueryService profiles;
    private final Access access;
    private final CurrentIdentityAssociation identity;
    private final Set<String> services;

    public TagGrpcService(
            TagCommands tags,
            TagJobs jobs,
            ProfileQueryService profiles,
            Access access,
            CurrentIdentityAssociation identity,
            ProfileConfig config) {
        this.tags = tags;
        this.jobs = jobs;
        this.profiles = profiles;
        this.access = access;
        this.identity = identity;
        this.services = config.tags().serviceWriters();
    }

    @Override
    public Uni<ListTagDefinitionsResponse> listTagDefinitions(ListTagDefinitionsRequest request) {
        return users(request.getTenant(), Roles.VIEWER, true, caller -> {
            String kind = request.getKind().toUpperCase(Locale.ROOT);
            return tags.catalog(request.getTenant()).map(catalog -> {
                ListTagDefinitionsResponse.Builder out = ListTagDefinitionsResponse.newBuilder();
                for (TagDefinition d : catalog.definitions().values()) {
                    boolean inCategory = request.getCategory().isEmpty()
                            || d.category().equals(request.getCategory())
                            || d.category().startsWith(request.getCategory() + "/");
                    if (inCategory && (kind.isEmpty() || d.kind().name().equals(kind))) {
                        out.addDefinitions(toProto(d));
                    }
                }
                return out.build();
            });
        });
    }

    @Override
    public Uni<io.strata.proto.profile.v1.GetTagDefinitionResponse> getTagDefinition(GetTagDefinitionRequest request) {
        return users(
                request.getTenant(),
                Roles.VIEWER,
                true,
                caller -> tags.catalog(request.getTenant()).map(catalog -> {
                    TagDefinition d = catalog.get(request.getKey());
                    if (d == null) {
                        throw Errors.notFound("tag " + request.getKey() + " not found");
                    }
                    return io.strata.proto.profile.v1.GetTagDefinitionResponse.newBuilder()
                            .setDefinition(toProto(d))
                            .build();
                }));
    }

    @Override
    public Uni<io.strata.proto.profile.v1.CreateTagDefinitionResponse> createTagDefinition(
            CreateTagDefinitionRequest request) {
        return users(
                request.getTenant(),
                Roles.MARKETER,
                false,
                caller -> tags.create(request.getTenant(), fromProto(request.getDefinition()), caller.user())
                        .map(d -> io.strata.proto.profile.v1.CreateTagDefinitionResponse.newBuilder()
                                .setDefinition(toProto(d))
                                .build()));
    }

    @Override
    public Uni<io.strata.proto.profile.v1.UpdateTagDefinitionResponse> updateTagDefinition(
            UpdateTagDefinitionRequest request) {
        return users(
                request.getTenant(),
                Roles.MARKETER,
                false,
                caller -> tags.update(request.getTenant(), fromProto(request.getDefinition()))
                        .map(d -> io.strata.proto.profile.v1.UpdateTagDefinitionResponse.newBuilder()
                                .setDefinition(toProto(d))
                                .build()));
    }

    @Override
    public Uni<DeleteTagDefinitionResponse> deleteTagDefinition(DeleteTagDefinitionRequest request) {
        return users(
                request.getTenant(),
                Roles.MARKETER,
                false,
                caller -> tags.delete(request.getTenant(), request.getKey())
                        .map(job -> DeleteTagDefinitionResponse.newBuilder()
                                .setJob(toProto(job))
                                .build()));
    }

    @Override
    public Uni<SetTagsResponse> setTags(SetTagsRequest request) {
        return users(request.getTenant(), Roles.MARKETER, true, caller -> {
            if (request.getTenant().isBlank()) {
                throw Errors.invalid("tenant", "tenant is required");
            }
            String source;
            if (caller.forUser()) {
                source = switch (request.getSource()) {
                    case "", "manual" -> "manual";
                    case "import" -> "import";
                    default -> throw Errors.invalid("source", "source is manual or import");
                };
            } else {
                source = "model:" + caller.client();
            }
            return tags.set(request.getTenant(), request.getTagKey(), request.getAssignmentsList(), source)
                    .map(result -> SetTagsResponse.newBuilder()
                            .setApplied(result.applied())
                            .setChanged(result.changed())
                            .addAllRefused(result.refused())
                            .build());
        });
    }

    @Override
    public Uni<io.strata.proto.profile.v1.RecomputeTagsResponse> recomputeTags(RecomputeTagsRequest request) {
        return users(
                request.getTenant(),
                Roles.MARKETER,
                false,
                caller -> jobs.create(request.getTenant(), "requested by " + caller.user())
                        .map(job -> io.strata.proto.profile.v1.RecomputeTagsResponse.newBuilder()
                                .setJob(toProto(job))
                                .build()));
    }

    @Override
    public Uni<io.strata.proto.profile.v1.GetTagJobResponse> getTagJob(GetTagJobRequest request) {
        return users(request.getTenant(), Roles.VIEWER, false, caller -> {
            UUID id;
            try {
                id = UUID.fromString(request.getId());
            } catch (IllegalArgumentException e) {
                throw Errors.invalid("id", "id must be a UUID");
            }
            return jobs.get(request.getTenant(), id).map(job -> {
                if (job == null || !"recompute".equals(job.kind())) {
                    throw Errors.notFound("tag job " + id + " not found");
                }
                return io.strata.proto.profile.v1.GetTagJobResponse.newBuilder()
                        .setJob(toProto(job))
                        .build();
            });
        });
    }

    @Override
    public Uni<CountTagsResponse> countTags(CountTagsRequest request) {
        return users(
                request.getTenant(),
                Roles.VIEWER,
                false,
                caller -> tags.count(request.getTenant()).map(counts -> {
                    CountTagsResponse.Builder out =
                            CountTagsResponse.newBuilder().setProfiles(counts.profiles());
                    counts.byTag()
                            .forEach((key, n) -> out.addTags(TagCount.newBuilder()
                                    .setKey(key)
                                    .setProfiles(n)
                                    .putAllValues(counts.byValue().getOrDefault(key, java.util.Map.of()))));
                    return out.build();
                }));
    }

    @Override
    public Uni<LookupTagsResponse> lookupTags(LookupTagsRequest request) {
        return access.call(identity.getDeferredIdentity())
                .forAnyone(request.getTenant(), Roles.VIEWER, services)
                .chain(caller -> caller.within(Uni.createFrom().deferred(() -> {
                    String tenant = caller.tenant() != null ? caller.tenant() : request.getTenant();
                    if (tenant == null || tenant.isBlank()) {
                        throw Errors.invalid("tenant", "tenant is required");
                    }
                    if (!request.hasIdentity()
                            || request.getIdentity().getValue().isBlank()) {
                        throw Errors.invalid("identity.value", "identity.value is required");
                    }
                    IdentityType type;
                    try {
                        type = ProfileMapper.fromProto(request.getIdentity().getType());
                    } catch (IllegalArgumentException e) {
                        throw Errors.invalid("identity.type", e.getMessage());
                    }
                    return profiles.byIdentity(
                                    tenant, type, request.getIdentity().getValue())
                            .map(view -> {
                                if (view == null) {
                                    throw Errors.notFound(
                                            "no profile has that " + type.name().toLowerCase(Locale.ROOT));
                                }
                                Profile profile = ProfileMapper.toProto(view);
                                return LookupTagsResponse.newBuilder()
                                        .setProfileId(profile.getId())
                                        .putAllTags(profile.getTagsMap())
                                        .addAllConsents(profile.getConsentsList())
                                        .build();
                            });
                })));
    }

    /**
     * A call for a user of the tenant holding {@code role}; with {@code services}, also a service's
     * own call by the clients of {@code strata.profile.tags.service-writers}.
     */
    private <T> Uni<T> users(String tenant, String role, boolean services, Function<Caller, Uni<T>> call) {
        var credentials = access.call(identity.getDeferredIdentity());
        Uni<Caller> caller =
                services ? credentials.forAnyone(tenant, role, this.services) : credentials.forUser(tenant, role);
        return caller.chain(c -> {
            if (c.client() != null && c.user() == null && c.tenant() != null) {
                // a partner: only LookupTags is theirs
                throw Errors.denied(
                        io.strata.platform.errors.Reason.CLIENT_NOT_ALLOWED, "a partner may only look up tags");
            }
            if (!c.forUser() && (tenant == null || tenant.isBlank())) {
                throw Errors.invalid("tenant", "tenant is required");
            }
            return c.within(Uni.createFrom().deferred(() -> call.apply(c)));
        });
    }

    static io.strata.proto.profile.v1.TagDefinition toProto(TagDefinition d) {
        var out = io.strata.proto.profile.v1.TagDefinition.newBuilder()
                .setKey(d.key())
                .setName(d.name())
                .setNameZh(d.nameZh())
                .setKind(d.kind().name().toLowerCase(Locale.ROOT))
                .setValueType(d.valueType().name().toLowerCase(Locale.ROOT))
                .addAllValues(d.values())
                .setCategory(d.category())
                .setOwner(d.owner())
                .setDescription(d.description())
                .setStandard(d.standard());
        JsonNode rule = d.json().get("rule");
        if (rule != null && rule.isObject()) {
            Struct.Builder struct = Struct.newBuilder();
            try {
                JsonFormat.parser().merge(rule.toString(), struct);
            } catch (InvalidProtocolBufferException e) {
                throw Errors.internal("a rule cannot be shown", e);
            }
            out.setRule(struct);
        }
        return out.build();
    }

    static ObjectNode fromProto(io.strata.proto.profile.v1.TagDefinition d) {
        ObjectNode json = JSON.createObjectNode();
        json.put("key", d.getKey());
        json.put("name", d.getName());
        if (!d.getNameZh().isEmpty()) {
            json.put("nameZh", d.getNameZh());
        }
        json.put("kind", d.getKind());
        json.put("valueType", d.getValueType());
        if (d.getValuesCount() > 0) {
            d.getValuesList().forEach(json.putArray("values")::add);
        }
        json.put("category", d.getCategory());
        if (!d.getOwner().isEmpty()) {
            json.put("owner", d.getOwner());
        }
        if (!d.getDescription().isEmpty()) {
            json.put("description", d.getDescription());
        }
        if (d.hasRule()) {
            try {
                json.set("rule", integers(JSON.readTree(JsonFormat.printer().print(d.getRule()))));
            } catch (InvalidProtocolBufferException | com.fasterxml.jackson.core.JsonProcessingException e) {
                throw Errors.invalid("definition.rule", "the rule is not valid JSON");
            }
        }
        return json;
    }

    /** Whole numbers of a Struct (all doubles) back as integers, so a stored rule reads as written. */
    private static JsonNode integers(JsonNode node) {
        if (node.isDouble()
                && node.doubleValue() == Math.rint(node.doubleValue())
                && Math.abs(node.doubleValue()) < 1e15) {
            return JSON.getNodeFactory().numberNode((long) node.doubleValue());
        }
        if (node.isObject()) {
            ObjectNode copy = JSON.createObjectNode();
            node.fields().forEachRemaining(e -> copy.set(e.getKey(), integers(e.getValue())));
            return copy;
        }
        if (node.isArray()) {
            var copy = JSON.createArrayNode();
            node.forEach(n -> copy.add(integers(n)));
            return copy;
        }
        return node;
    }

    static TagJob toProto(TagJobs.Job job) {
        TagJob.Builder out = TagJob.newBuilder()
                .setId(job.id().toString())
                .setTenant(job.tenant())
                .setStatus(job.status())
                .setReason(job.reason())
                .setProfiles(job.profiles())
                .setChanged(job.changed())
                .setCreatedAt(ProfileMapper.timestamp(job.createdAt()));
        if (job.finishedAt() != null) {
            out.setFinishedAt(ProfileMapper.timestamp(job.finishedAt()));
        }
        return out.build();
    }
}
