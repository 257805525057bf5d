package io.strata.ingestion.grpc;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.Candidate;
import io.strata.ingestion.domain.EventRules;
import io.strata.ingestion.domain.IngestionException;
import io.strata.ingestion.domain.IntakeResult;
import io.strata.ingestion.domain.InvalidEventException;
import io.strata.ingestion.domain.Rejection;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.service.EventIntake;
import io.strata.ingestion.service.SourceService;
import io.strata.proto.events.v1.Event;
import io.strata.proto.ingestion.v1.EventRejection;
import io.strata.proto.ingestion.v1.IngestionService;
import io.strata.proto.ingestion.v1.SendRequest;
import io.strata.proto.ingestion.v1.SendResponse;
import io.strata.proto.ingestion.v1.SendStreamRequest;
import io.strata.proto.ingestion.v1.SendStreamResponse;
import io.strata.proto.ingestion.v1.SendSummary;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Events from partner systems over gRPC, by the same rules as the HTTP API. A caller proves its
 * source with a write key ({@code authorization: Basic}), or with a partner's client-credentials
 * token (role {@code strata-partner}, audience {@code strata-partners}) naming one of its tenant's
 * sources in the {@code strata-source} metadata.
 */
@GrpcService
@RegisterInterceptor(WriteKeyInterceptor.class)
public class IngestionGrpcService implements IngestionService {

    static final String PARTNER_ROLE = "strata-partner";

    private final SourceService sources;
    private final EventIntake intake;
    private final IngestionConfig.Limits limits;
    private final Clock clock = Clock.systemUTC();

    private final SecurityIdentity identity;

    public IngestionGrpcService(
            SourceService sources, EventIntake intake, IngestionConfig config, SecurityIdentity identity) {
        this.sources = sources;
        this.identity = identity;
        this.intake = intake;
        this.limits = config.limits();
    }

    @Override
    public Uni<SendResponse> send(SendRequest request) {
        String writeKey = WriteKeyInterceptor.WRITE_KEY.get();
        String sourceId = WriteKeyInterceptor.SOURCE.get();
        return GrpcErrors.guarded(() -> authenticate(writeKey, sourceId)
                .chain(source -> chunk(
                        source,
                        request.getEventsList(),
                        request.hasSentAt() ? EventRules.instant(request.getSentAt()) : null,
                        0))
                .map(result -> SendResponse.newBuilder()
                        .setSummary(summary(List.of(result)))
                        .build()));
    }

    @Override
    public Uni<SendStreamResponse> sendStream(Multi<SendStreamRequest> requests) {
        String writeKey = WriteKeyInterceptor.WRITE_KEY.get();
        String sourceId = WriteKeyInterceptor.SOURCE.get();
        AtomicInteger offset = new AtomicInteger();
        return GrpcErrors.guarded(() -> authenticate(writeKey, sourceId)
                .chain(source -> requests.onItem()
                        .transformToUniAndConcatenate(request -> chunk(
                                source,
                                request.getEventsList(),
                                request.hasSentAt() ? EventRules.instant(request.getSentAt()) : null,
                                offset.getAndAdd(request.getEventsCount())))
                        .collect()
                        .asList()
                        .map(results -> SendStreamResponse.newBuilder()
                                .setSummary(summary(results))
                                .build())));
    }

    private Uni<IntakeResult> chunk(Source source, List<Event> events, Instant sentAt, int offset) {
        if (events.size() > limits.maxBatchEvents()) {
            return Uni.createFrom()
                    .failure(IngestionException.invalid(
                            "events",
                            "at most " + limits.maxBatchEvents() + " events per message, got " + events.size()));
        }
        Instant receivedAt = clock.instant();
        List<Candidate> candidates = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            candidates.add(candidate(offset + i, events.get(i), source, receivedAt, sentAt));
        }
        return intake.accept(source, candidates);
    }

    private Candidate candidate(int index, Event event, Source source, Instant receivedAt, Instant sentAt) {
        try {
            EventRules.checkSize(event, limits.maxEventBytes());
            Event.Builder builder = event.toBuilder();
            EventRules.check(builder);
            boolean clientMessageId = EventRules.stamp(builder, source, receivedAt, sentAt);
            return Candidate.valid(index, builder.build(), clientMessageId);
        } catch (InvalidEventException e) {
            return Candidate.rejected(index, event.getMessageId(), e);
        }
    }

    private Uni<Source> authenticate(String writeKey, String sourceId) {
        if (writeKey != null) {
            return sources.authenticate(writeKey)
                    .onItem()
                    .ifNull()
                    .failWith(() -> IngestionException.unauthenticated("unknown or revoked write key"));
        }
        if (identity.isAnonymous()) {
            return Uni.createFrom()
                    .failure(IngestionException.unauthenticated(
                            "a write key (metadata authorization: Basic base64(<write key>:)) or a partner's token "
                                    + "(authorization: Bearer, with metadata " + WriteKeyInterceptor.SOURCE_METADATA
                                    + ") is required"));
        }
        if (!identity.hasRole(PARTNER_ROLE)) {
            return Uni.createFrom()
                    .failure(Status.PERMISSION_DENIED
                            .withDescription("the token's client is not a partner (role " + PARTNER_ROLE + ")")
                            .asRuntimeException());
        }
        String tenant = identity.getPrincipal() instanceof JsonWebToken jwt ? jwt.getClaim("tenant") : null;
        if (tenant == null || tenant.isBlank()) {
            return Uni.createFrom()
                    .failure(Status.PERMISSION_DENIED
                            .withDescription("the partner's token carries no tenant")
                            .asRuntimeException());
        }
        if (sourceId == null || sourceId.isBlank()) {
            return Uni.createFrom()
                    .failure(IngestionException.invalid(
                            WriteKeyInterceptor.SOURCE_METADATA,
                            "a partner names the source its events belong to (a source id of its tenant)"));
        }
        UUID id;
        try {
            id = UUID.fromString(sourceId.trim());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom()
                    .failure(IngestionException.invalid(
                            WriteKeyInterceptor.SOURCE_METADATA, "not a source id: " + sourceId));
        }
        // a revoked source is named by the metadata the partner sent, not by an API field
        return sources.active(tenant, id)
                .onFailure(IngestionException.class)
                .transform(e -> IngestionException.invalid(WriteKeyInterceptor.SOURCE_METADATA, e.getMessage()));
    }

    private static SendSummary summary(List<IntakeResult> results) {
        SendSummary.Builder summary = SendSummary.newBuilder();
        for (IntakeResult result : results) {
            summary.setAccepted(summary.getAccepted() + result.accepted());
            summary.setDuplicates(summary.getDuplicates() + result.duplicates());
            for (Rejection r : result.rejected()) {
                summary.addRejected(EventRejection.newBuilder()
                        .setIndex(r.index())
                        .setMessageId(r.messageId() == null ? "" : r.messageId())
                        .setField(r.field() == null ? "" : r.field())
                        .setReason(r.reason()));
            }
        }
        return summary.build();
    }
}
