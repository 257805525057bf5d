package io.strata.segmentation.grpc;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.platform.errors.Reason;
import io.strata.platform.security.Access;
import io.strata.platform.security.Caller;
import io.strata.platform.security.Roles;
import io.strata.proto.segmentation.v1.CheckMembershipRequest;
import io.strata.proto.segmentation.v1.CheckMembershipResponse;
import io.strata.proto.segmentation.v1.CheckMembershipsRequest;
import io.strata.proto.segmentation.v1.CheckMembershipsResponse;
import io.strata.proto.segmentation.v1.CreateSegmentRequest;
import io.strata.proto.segmentation.v1.CreateSegmentResponse;
import io.strata.proto.segmentation.v1.DailySize;
import io.strata.proto.segmentation.v1.ExplainMembershipRequest;
import io.strata.proto.segmentation.v1.ExplainMembershipResponse;
import io.strata.proto.segmentation.v1.ExportMembersRequest;
import io.strata.proto.segmentation.v1.ExportMembersResponse;
import io.strata.proto.segmentation.v1.GetOverlapRequest;
import io.strata.proto.segmentation.v1.GetOverlapResponse;
import io.strata.proto.segmentation.v1.GetSegmentRequest;
import io.strata.proto.segmentation.v1.GetSegmentResponse;
import io.strata.proto.segmentation.v1.GetSizeHistoryRequest;
import io.strata.proto.segmentation.v1.GetSizeHistoryResponse;
import io.strata.proto.segmentation.v1.ListProfileSegmentsRequest;
import io.strata.proto.segmentation.v1.ListProfileSegmentsResponse;
import io.strata.proto.segmentation.v1.ListSegmentVersionsRequest;
import io.strata.proto.segmentation.v1.ListSegmentVersionsResponse;
import io.strata.proto.segmentation.v1.ListSegmentsRequest;
import io.strata.proto.segmentation.v1.ListSegmentsResponse;
import io.strata.proto.segmentation.v1.MembershipCheck;
import io.strata.proto.segmentation.v1.OverlapRegion;
import io.strata.proto.segmentation.v1.PreviewSegmentRequest;
import io.strata.proto.segmentation.v1.PreviewSegmentResponse;
import io.strata.proto.segmentation.v1.SegmentKind;
import io.strata.proto.segmentation.v1.SegmentationService;
import io.strata.proto.segmentation.v1.SetSegmentStateRequest;
import io.strata.proto.segmentation.v1.SetSegmentStateResponse;
import io.strata.proto.segmentation.v1.SetStaticMembersRequest;
import io.strata.proto.segmentation.v1.SetStaticMembersResponse;
import io.strata.proto.segmentation.v1.StaticMode;
import io.strata.proto.segmentation.v1.UpdateSegmentRequest;
import io.strata.proto.segmentation.v1.UpdateSegmentResponse;
import io.strata.segmentation.config.SegmentationConfig;
import io.strata.segmentation.domain.Segment;
import io.strata.segmentation.mapping.SegmentMapper;
import io.strata.segmentation.repository.SegmentRepository;
import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.service.AudienceQueries;
import io.strata.segmentation.service.Engine;
import io.strata.segmentation.service.SegmentCommands;
import jakarta.annotation.security.RolesAllowed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Audiences over gRPC. Users (through the gateway) read as viewers and change audiences as
 * marketers; {@code CheckMembership} and {@code ListProfileSegments} also answer a partner for its
 * tenant and the services of {@code strata.segmentation.service-readers}, which may also read an
 * audience ({@code GetSegment}: campaign-service checks the audiences a journey names).
 */
@GrpcService
@RolesAllowed({Roles.SERVICE, Roles.PARTNER})
public class SegmentationGrpcService implements SegmentationService {

    private final SegmentCommands commands;
    private final SegmentRepository segments;
    private final Engine engine;
    private final Access access;
    private final CurrentIdentityAssociation identity;
    private final SegmentationConfig config;
    private final AudienceQueries queries;

    public SegmentationGrpcService(
            SegmentCommands commands,
            SegmentRepository segments,
            Engine engine,
            Access access,
            CurrentIdentityAssociation identity,
            SegmentationConfig config,
            AudienceQueries queries) {
        this.commands = commands;
        this.segments = segments;
        this.engine = engine;
        this.access = access;
        this.identity = identity;
        this.config = config;
        this.queries = queries;
    }

    @Override
    public Uni<CreateSegmentResponse> createSegment(CreateSegmentRequest request) {
        return user(request.getTenant(), Roles.MARKETER, caller -> {
            Segment.Kind kind =
                    request.getKind() == SegmentKind.SEGMENT_KIND_STATIC ? Segment.Kind.STATIC : Segment.Kind.RULE;
            if (request.getKindValue() > SegmentKind.SEGMENT_KIND_STATIC_VALUE) {
                throw Errors.invalid("kind", "kind is RULE or STATIC");
            }
            // unspecified: the kind's default (a rule starts as a draft, a static audience active)
            Segment.State state = SegmentMapper.fromProto(request.getState());
            if (state == null && request.getStateValue() != 0) {
                throw Errors.invalid("state", "state is DRAFT or ACTIVE");
            }
            return commands.create(
                            request.getTenant(),
                            request.getSegmentId(),
                            request.getName(),
                            request.getDescription(),
                            kind,
                            request.getDefinition(),
                            state,
                            caller.user())
                    .chain(this::proto)
                    .map(p -> CreateSegmentResponse.newBuilder().setSegment(p).build());
        });
    }

    @Override
    public Uni<UpdateSegmentResponse> updateSegment(UpdateSegmentRequest request) {
        return user(
                request.getTenant(),
                Roles.MARKETER,
                caller -> commands.update(
                                request.getTenant(),
                                request.getSegmentId(),
                                request.getName(),
                                request.getDescription(),
                                request.getDefinition(),
                                request.getExpectedVersion(),
                                caller.user())
                        .chain(this::proto)
                        .map(p ->
                                UpdateSegmentResponse.newBuilder().setSegment(p).build()));
    }

    @Override
    public Uni<SetSegmentStateResponse> setSegmentState(SetSegmentStateRequest request) {
        return user(
                request.getTenant(),
                Roles.MARKETER,
                caller -> commands.setState(
                                request.getTenant(),
                                request.getSegmentId(),
                                SegmentMapper.fromProto(request.getState()),
                                caller.user())
                        .chain(this::proto)
                        .map(p -> SetSegmentStateResponse.newBuilder()
                                .setSegment(p)
                                .build()));
    }

    @Override
    public Uni<GetSegmentResponse> getSegment(GetSegmentRequest request) {
        return anyone(
                request.getTenant(),
                caller -> found(request.getTenant(), request.getSegmentId())
                        .chain(this::proto)
                        .map(p -> GetSegmentResponse.newBuilder().setSegment(p).build()));
    }

    @Override
    public Uni<ListSegmentsResponse> listSegments(ListSegmentsRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            Segment.State only = SegmentMapper.fromProto(request.getState());
            return segments.list(request.getTenant()).chain(all -> {
                List<Segment> wanted = new ArrayList<>();
                for (Segment s : all) {
                    if (only == null ? s.state() != Segment.State.ARCHIVED : s.state() == only) {
                        wanted.add(s);
                    }
                }
                return protos(request.getTenant(), wanted)
                        .map(list -> ListSegmentsResponse.newBuilder()
                                .addAllSegments(list)
                                .build());
            });
        });
    }

    @Override
    public Uni<ListSegmentVersionsResponse> listSegmentVersions(ListSegmentVersionsRequest request) {
        return user(
                request.getTenant(),
                Roles.VIEWER,
                caller -> found(request.getTenant(), request.getSegmentId())
                        .chain(s -> segments.versions(request.getTenant(), request.getSegmentId()))
                        .map(versions -> {
                            ListSegmentVersionsResponse.Builder out = ListSegmentVersionsResponse.newBuilder();
                            versions.forEach(v -> out.addVersions(SegmentMapper.toProto(v)));
                            return out.build();
                        }));
    }

    @Override
    public Uni<GetSizeHistoryResponse> getSizeHistory(GetSizeHistoryRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            int days = request.getDays() == 0 ? 30 : request.getDays();
            if (days < 1 || days > 366) {
                throw Errors.invalid("days", "days is 1 to 366 (0: 30), not " + request.getDays());
            }
            java.time.LocalDate from = engine.today().minusDays(days - 1L);
            return found(request.getTenant(), request.getSegmentId())
                    .chain(s -> segments.sizes(request.getTenant(), request.getSegmentId(), from))
                    .map(sizes -> {
                        GetSizeHistoryResponse.Builder out = GetSizeHistoryResponse.newBuilder();
                        for (SegmentRepository.DailySize size : sizes) {
                            out.addDays(DailySize.newBuilder()
                                    .setDay(size.day().toString())
                                    .setSize(size.size())
                                    .setRecordedAt(SegmentMapper.timestamp(size.recordedAt())));
                        }
                        return out.build();
                    });
        });
    }

    @Override
    public Uni<PreviewSegmentResponse> previewSegment(PreviewSegmentRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            Condition rule = commands.parse(request.getTenant(), "definition", request.getDefinition());
            return queries.preview(request.getTenant(), rule, request.getDefinition())
                    .map(preview -> PreviewSegmentResponse.newBuilder()
                            .setSize(preview[0])
                            .setProfiles(preview[1])
                            .build());
        });
    }

    @Override
    public Uni<GetOverlapResponse> getOverlap(GetOverlapRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            List<String> ids = new ArrayList<>(new LinkedHashSet<>(request.getSegmentIdsList()));
            if (ids.isEmpty() || ids.size() > 3) {
                throw Errors.invalid("segment_ids", "one to three distinct audiences");
            }
            return active(request.getTenant(), ids)
                    .chain(ok -> queries.overlap(request.getTenant(), ids))
                    .map(regions -> {
                        GetOverlapResponse.Builder out = GetOverlapResponse.newBuilder();
                        for (int i = 0; i < ids.size(); i++) {
                            long size = 0;
                            for (int mask = 1; mask < regions.length; mask++) {
                                if ((mask & (1 << i)) != 0) {
                                    size += regions[mask];
                                }
                            }
                            out.putSizes(ids.get(i), size);
                        }
                        for (int mask = 1; mask < regions.length; mask++) {
                            if (regions[mask] == 0) {
                                continue;
                            }
                            OverlapRegion.Builder region =
                                    OverlapRegion.newBuilder().setSize(regions[mask]);
                            for (int i = 0; i < ids.size(); i++) {
                                if ((mask & (1 << i)) != 0) {
                                    region.addSegmentIds(ids.get(i));
                                }
                            }
                            out.addRegions(region);
                        }
                        return out.build();
                    });
        });
    }

    @Override
    public Uni<CheckMembershipResponse> checkMembership(CheckMembershipRequest request) {
        return anyone(request.getTenant(), caller -> {
            String tenant = caller.tenant() != null ? caller.tenant() : request.getTenant();
            requireProfile(request.getProfileId());
            if (request.getSegmentId().isBlank()) {
                throw Errors.invalid("segment_id", "segment_id is required");
            }
            return active(tenant, List.of(request.getSegmentId()))
                    .chain(ok -> queries.member(tenant, request.getProfileId(), request.getSegmentId()))
                    .map(member -> CheckMembershipResponse.newBuilder()
                            .setMember(member)
                            .build());
        });
    }

    static final int MAX_CHECKS = 1_000;

    @Override
    public Uni<CheckMembershipsResponse> checkMemberships(CheckMembershipsRequest request) {
        return anyone(request.getTenant(), caller -> {
            String tenant = caller.tenant() != null ? caller.tenant() : request.getTenant();
            int n = request.getChecksCount();
            if (n == 0 || n > MAX_CHECKS) {
                throw Errors.invalid("checks", "1 to " + MAX_CHECKS + " checks, was " + n);
            }
            Set<String> ids = new LinkedHashSet<>();
            for (int i = 0; i < n; i++) {
                MembershipCheck check = request.getChecks(i);
                if (check.getProfileId().isBlank()) {
                    throw Errors.invalid("checks[" + i + "].profile_id", "profile_id is required");
                }
                if (check.getSegmentId().isBlank()) {
                    throw Errors.invalid("checks[" + i + "].segment_id", "segment_id is required");
                }
                ids.add(check.getSegmentId());
            }
            return active(tenant, List.copyOf(ids))
                    .chain(ok -> queries.members(tenant, request.getChecksList()))
                    .map(members -> CheckMembershipsResponse.newBuilder()
                            .addAllMembers(members)
                            .build());
        });
    }

    @Override
    public Uni<ListProfileSegmentsResponse> listProfileSegments(ListProfileSegmentsRequest request) {
        return anyone(request.getTenant(), caller -> {
            String tenant = caller.tenant() != null ? caller.tenant() : request.getTenant();
            requireProfile(request.getProfileId());
            return queries.segmentsOf(tenant, request.getProfileId())
                    .map(in -> ListProfileSegmentsResponse.newBuilder()
                            .addAllSegmentIds(in)
                            .build());
        });
    }

    @Override
    public Uni<ExplainMembershipResponse> explainMembership(ExplainMembershipRequest request) {
        return user(request.getTenant(), Roles.VIEWER, caller -> {
            requireProfile(request.getProfileId());
            return found(request.getTenant(), request.getSegmentId()).chain(segment -> {
                if (segment.kind() != Segment.Kind.RULE) {
                    throw Errors.precondition("segment " + segment.id() + " is static: its members were set by hand");
                }
                if (segment.state() != Segment.State.ACTIVE) {
                    throw Errors.precondition("segment " + segment.id() + " is not active");
                }
                Condition rule = commands.parse(request.getTenant(), "definition", segment.definition());
                return queries.explain(request.getTenant(), request.getProfileId(), segment, rule)
                        .map(found -> {
                            if (!found.getFound()) {
                                throw Errors.notFound("profile " + request.getProfileId() + " not found");
                            }
                            return ExplainMembershipResponse.newBuilder()
                                    .setMember(found.getMember())
                                    .setVersion(segment.version())
                                    .addAllConditions(found.getConditionsList())
                                    .build();
                        });
            });
        });
    }

    @Override
    public Multi<ExportMembersResponse> exportMembers(ExportMembersRequest request) {
        return user(
                        request.getTenant(),
                        Roles.VIEWER,
                        caller -> active(request.getTenant(), List.of(request.getSegmentId())))
                .onItem()
                .transformToMulti(ok -> queries.export(request.getTenant(), request.getSegmentId()))
                .map(chunk -> ExportMembersResponse.newBuilder()
                        .addAllProfileIds(chunk)
                        .build());
    }

    @Override
    public Uni<SetStaticMembersResponse> setStaticMembers(SetStaticMembersRequest request) {
        return user(request.getTenant(), Roles.MARKETER, caller -> {
            if (request.getMode() == StaticMode.STATIC_MODE_UNSPECIFIED || request.getModeValue() > 3) {
                throw Errors.invalid("mode", "mode is REPLACE, ADD or REMOVE");
            }
            for (int i = 0; i < request.getProfileIdsCount(); i++) {
                if (request.getProfileIds(i).isBlank()) {
                    throw Errors.invalid("profile_ids[" + i + "]", "a profile id is not blank");
                }
            }
            return found(request.getTenant(), request.getSegmentId()).chain(segment -> {
                if (segment.kind() != Segment.Kind.STATIC) {
                    throw Errors.precondition("segment " + segment.id() + " is kept by its rule");
                }
                if (segment.state() != Segment.State.ACTIVE) {
                    throw Errors.precondition("segment " + segment.id() + " is not active");
                }
                Set<String> ids = new LinkedHashSet<>(request.getProfileIdsList());
                return active(request.getTenant(), List.of(segment.id()))
                        .chain(ok -> queries.setStatic(request.getTenant(), segment.id(), ids, request.getMode()))
                        .map(result -> SetStaticMembersResponse.newBuilder()
                                .setSize(result[0])
                                .setUnknown(result[1])
                                .build());
            });
        });
    }

    /** The audience with its size over every partition and the freshness of that size. */
    private Uni<io.strata.proto.segmentation.v1.Segment> proto(Segment s) {
        return protos(s.tenant(), List.of(s)).map(list -> list.get(0));
    }

    private Uni<List<io.strata.proto.segmentation.v1.Segment>> protos(String tenant, List<Segment> list) {
        List<String> active = list.stream()
                .filter(s -> s.state() == Segment.State.ACTIVE)
                .map(Segment::id)
                .toList();
        return queries.sizes(tenant, active)
                .map(sizes -> list.stream()
                        .map(s -> SegmentMapper.toProto(s, sizes.of(s.id()), sizes.lag(), sizes.complete()))
                        .toList());
    }

    private Uni<Segment> found(String tenant, String id) {
        if (id == null || id.isBlank()) {
            throw Errors.invalid("segment_id", "segment_id is required");
        }
        return segments.find(tenant, id).map(s -> {
            if (s == null) {
                throw Errors.notFound("segment " + id + " not found");
            }
            return s;
        });
    }

    /**
     * The audiences exist and are active; NOT_FOUND or FAILED_PRECONDITION otherwise. Answered from
     * the engine's copy of the active audiences (membership checks are the partners' hot path); the
     * database is read only to tell an unknown audience from an inactive one.
     */
    private Uni<Void> active(String tenant, List<String> ids) {
        List<String> missing =
                ids.stream().filter(id -> engine.active(tenant, id) == null).toList();
        if (missing.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return segments.find(tenant, missing.get(0)).chain(s -> {
            if (s == null) {
                throw Errors.notFound("segment " + missing.get(0) + " not found");
            }
            if (s.state() != Segment.State.ACTIVE) {
                throw Errors.precondition("segment " + missing.get(0) + " is not active");
            }
            // active, and not applied here yet: made active through another replica a moment ago
            return commands.synced().map(ok -> {
                for (String id : missing) {
                    if (engine.active(tenant, id) == null) {
                        throw Errors.unavailable(
                                Reason.PARTITION_LOADING,
                                "segment " + id + " is not applied on this replica yet; retry shortly",
                                Duration.ofSeconds(1));
                    }
                }
                return null;
            });
        });
    }

    private static void requireProfile(String profileId) {
        if (profileId == null || profileId.isBlank()) {
            throw Errors.invalid("profile_id", "profile_id is required");
        }
    }

    private <T> Uni<T> user(String tenant, String role, Function<Caller, Uni<T>> call) {
        return access.call(identity.getDeferredIdentity())
                .forUser(tenant, role)
                .chain(c -> c.within(Uni.createFrom().deferred(() -> call.apply(c))));
    }

    private <T> Uni<T> anyone(String tenant, Function<Caller, Uni<T>> call) {
        return access.call(identity.getDeferredIdentity())
                .forAnyone(tenant, Roles.VIEWER, config.serviceReaders())
                .chain(c -> {
                    if (!c.forUser() && c.tenant() == null && (tenant == null || tenant.isBlank())) {
                        throw Errors.invalid("tenant", "tenant is required");
                    }
                    return c.within(Uni.createFrom().deferred(() -> call.apply(c)));
                });
    }
}
