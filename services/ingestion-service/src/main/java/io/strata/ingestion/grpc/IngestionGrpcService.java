package io.strata.ingestion.grpc;

import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.quarkus.grpc.stubs.ServerCalls;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.IngestionException;
import io.strata.ingestion.domain.IntakeResult;
import io.strata.ingestion.domain.InvalidEventException;
import io.strata.ingestion.domain.Rejection;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.mapping.Candidate;
import io.strata.ingestion.mapping.EventRules;
import io.strata.ingestion.service.EventIntake;
import io.strata.ingestion.service.SourceService;
import io.strata.platform.errors.Errors;
import io.strata.platform.errors.Reason;
import io.strata.platform.security.Roles;
import io.strata.platform.security.Tenants;
import io.strata.proto.events.v1.Event;
import io.strata.proto.ingestion.v1.EventRejection;
import io.strata.proto.ingestion.v1.IngestionServiceGrpc;
import io.strata.proto.ingestion.v1.MutinyIngestionServiceGrpc;
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
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Events from partner systems over gRPC, by the same rules as the HTTP API. A caller proves its
 * source with a write key ({@code authorization: Basic}), or with a partner's client-credentials
 * token (role {@code strata-partner}, audience {@code strata-partners}) naming one of its tenant's
 * sources in the {@code strata-source} metadata.
 */
@GrpcService
@RegisterInterceptor(WriteKeyInterceptor.class)
public class IngestionGrpcService extends MutinyIngestionServiceGrpc.IngestionServiceImplBase {

    /**
     * The ErrorInfo metadata of a failed stream: how many of its events were stored before it
     * failed (they stay stored; events with a messageId of the caller's are dropped as duplicates
     * when sent again).
     */
    static final String ACCEPTED_METADATA = "accepted";

    private final SourceService sources;
    private final EventIntake intake;
    private final IngestionConfig.Limits limits;
    private final IngestionConfig.Streams streams;
    private final Clock clock = Clock.systemUTC();

    private final CurrentIdentityAssociation identity;

    public IngestionGrpcService(
            SourceService sources, EventIntake intake, IngestionConfig config, CurrentIdentityAssociation identity) {
        this.sources = sources;
        this.identity = identity;
        this.intake = intake;
        this.limits = config.limits();
        this.streams = config.streams();
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
                .map(result -> {
                    Tally tally = new Tally(Integer.MAX_VALUE);
                    tally.add(result);
                    return SendResponse.newBuilder().setSummary(tally.summary()).build();
                }));
    }

    /**
     * The chunks in order, each answered by Kafka before the next is taken. The stream is held to
     * a most events and a longest duration, and its summary lists the first rejections only (all
     * are counted): a stream of any length holds constant memory here.
     */
    @Override
    public Uni<SendStreamResponse> sendStream(Multi<SendStreamRequest> requests) {
        String writeKey = WriteKeyInterceptor.WRITE_KEY.get();
        String sourceId = WriteKeyInterceptor.SOURCE.get();
        Tally tally = new Tally(streams.listedRejections());
        return GrpcErrors.guarded(() -> authenticate(writeKey, sourceId)
                .chain(source -> requests.onItem()
                        .transformToUniAndConcatenate(request -> {
                            if (tally.events + request.getEventsCount() > streams.maxEvents()) {
                                return Uni.createFrom()
                                        .failure(IngestionException.streamLimit("a stream carries at most "
                                                + streams.maxEvents() + " events; " + tally.accepted
                                                + " were accepted; open a new stream for the rest"));
                            }
                            long offset = tally.events;
                            tally.events += request.getEventsCount();
                            return chunk(
                                    source,
                                    request.getEventsList(),
                                    request.hasSentAt() ? EventRules.instant(request.getSentAt()) : null,
                                    (int) offset);
                        })
                        .onItem()
                        .invoke(tally::add)
                        .collect()
                        .last()
                        .ifNoItem()
                        .after(streams.maxDuration())
                        .failWith(() -> IngestionException.streamLimit("a stream stays open at most "
                                + streams.maxDuration() + "; " + tally.accepted
                                + " events were accepted; open a new stream for the rest"))
                        .map(last -> SendStreamResponse.newBuilder()
                                .setSummary(tally.summary())
                                .build())
                        // the chunks before the failure stay stored: the caller learns how many
                        .onFailure()
                        .transform(e -> Errors.withMetadata(
                                GrpcErrors.toStatus(e), ACCEPTED_METADATA, Integer.toString(tally.accepted)))));
    }

    /**
     * The service as generated, but {@code SendStream} with transport back-pressure: a chunk is
     * read off the connection only once the one before it was answered by Kafka. (The generated
     * binding takes every message as it arrives into an unbounded queue, so a client sending faster
     * than its events are stored would fill this replica's memory; with flow control its sends wait
     * in its own HTTP/2 window instead.)
     */
    @Override
    public ServerServiceDefinition bindService() {
        ServerServiceDefinition generated = super.bindService();
        ServerServiceDefinition.Builder paced = ServerServiceDefinition.builder(generated.getServiceDescriptor());
        String sendStream = IngestionServiceGrpc.getSendStreamMethod().getFullMethodName();
        for (ServerMethodDefinition<?, ?> method : generated.getMethods()) {
            if (method.getMethodDescriptor().getFullMethodName().equals(sendStream)) {
                paced.addMethod(
                        IngestionServiceGrpc.getSendStreamMethod(),
                        io.grpc.stub.ServerCalls.asyncClientStreamingCall(this::pacedSendStream));
            } else {
                paced.addMethod(method);
            }
        }
        return paced.build();
    }

    /** Messages are requested from the transport as {@link #sendStream} asks for them, one chunk at a time. */
    private StreamObserver<SendStreamRequest> pacedSendStream(StreamObserver<SendStreamResponse> response) {
        ServerCallStreamObserver<SendStreamResponse> call = (ServerCallStreamObserver<SendStreamResponse>) response;
        call.disableAutoRequest();
        UnicastProcessor<SendStreamRequest> received = UnicastProcessor.create();
        Multi<SendStreamRequest> requested =
                received.onRequest().invoke(n -> call.request((int) Math.min(n, Integer.MAX_VALUE)));
        ServerCalls.oneToOne(requested, response, null, this::sendStream);
        return new StreamObserver<>() {
            @Override
            public void onNext(SendStreamRequest request) {
                received.onNext(request);
            }

            @Override
            public void onError(Throwable error) {
                received.onError(error);
            }

            @Override
            public void onCompleted() {
                received.onComplete();
            }
        };
    }

    /** A request's or a stream's results so far: counts, and the first rejections. */
    private static final class Tally {
        private final int listed;
        long events;
        int accepted;
        int duplicates;
        int rejected;
        private final List<EventRejection> rejections = new ArrayList<>();

        Tally(int listed) {
            this.listed = listed;
        }

        void add(IntakeResult result) {
            accepted += result.accepted();
            duplicates += result.duplicates();
            rejected += result.rejected().size();
            for (Rejection r : result.rejected()) {
                if (rejections.size() >= listed) {
                    break;
                }
                rejections.add(EventRejection.newBuilder()
                        .setIndex(r.index())
                        .setMessageId(r.messageId() == null ? "" : r.messageId())
                        .setField(r.field() == null ? "" : r.field())
                        .setReason(r.reason())
                        .build());
            }
        }

        SendSummary summary() {
            return SendSummary.newBuilder()
                    .setAccepted(accepted)
                    .setDuplicates(duplicates)
                    .addAllRejected(rejections)
                    .setRejectedTotal(rejected)
                    .build();
        }
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
        return intake.accept(source, candidates, "events");
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
        // a partner's token, verified lazily by quarkus-oidc
        return identity.getDeferredIdentity().chain(caller -> partner(caller, sourceId));
    }

    private Uni<Source> partner(SecurityIdentity identity, String sourceId) {
        if (identity.isAnonymous()) {
            return Uni.createFrom()
                    .failure(IngestionException.unauthenticated(
                            "a write key (metadata authorization: Basic base64(<write key>:)) or a partner's token "
                                    + "(authorization: Bearer, with metadata " + WriteKeyInterceptor.SOURCE_METADATA
                                    + ") is required"));
        }
        if (!identity.hasRole(Roles.PARTNER)) {
            return Uni.createFrom()
                    .failure(Errors.denied(
                            Reason.CLIENT_NOT_ALLOWED,
                            "the token's client is not a partner (role " + Roles.PARTNER + ")"));
        }
        String tenant = identity.getPrincipal() instanceof JsonWebToken jwt
                ? Tenants.fromClaim(jwt.getClaim(Tenants.CLAIM))
                : null;
        if (tenant == null) {
            return Uni.createFrom()
                    .failure(Errors.denied(Reason.TENANT_MISMATCH, "the partner's token carries no tenant"));
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
                .onFailure(e -> e instanceof IngestionException ie && ie.kind() == IngestionException.Kind.INVALID)
                .transform(e -> IngestionException.invalid(WriteKeyInterceptor.SOURCE_METADATA, e.getMessage()));
    }
}
