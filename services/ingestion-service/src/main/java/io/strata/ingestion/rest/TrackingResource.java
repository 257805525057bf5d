package io.strata.ingestion.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.IngestionException;
import io.strata.ingestion.domain.IntakeResult;
import io.strata.ingestion.domain.InvalidEventException;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.mapping.Candidate;
import io.strata.ingestion.mapping.EventRules;
import io.strata.ingestion.mapping.SegmentEventMapper;
import io.strata.ingestion.mapping.SegmentEventMapper.BatchDefaults;
import io.strata.ingestion.service.EventIntake;
import io.strata.ingestion.service.SourceService;
import io.strata.platform.errors.Problem;
import io.strata.platform.logging.LogSafe;
import io.strata.proto.events.v1.EventType;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The Segment HTTP Tracking API. The write key is the HTTP Basic user name or the body's
 * {@code writeKey}; bodies may be gzip. 200 means Kafka acknowledged every accepted event.
 *
 * <p>A batch's {@code context} and {@code integrations} are copied into each of its events, so each
 * is held to a few KB, each event is held to the event limit once they are merged in, and the
 * request's events together to a few MB: a small request cannot expand into a large one.
 */
@Path("/v1")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class TrackingResource {

    private static final Logger LOG = Logger.getLogger(TrackingResource.class);

    private final ObjectMapper mapper;
    private final SourceService sources;
    private final EventIntake intake;
    private final IngestionConfig.Limits limits;
    private final Clock clock = Clock.systemUTC();

    public TrackingResource(ObjectMapper mapper, SourceService sources, EventIntake intake, IngestionConfig config) {
        this.mapper = mapper;
        this.sources = sources;
        this.intake = intake;
        this.limits = config.limits();
    }

    /** One call: {@code /v1/identify}, {@code /v1/track}, {@code /v1/page}... */
    @POST
    @Path("/{call: identify|track|page|screen|group|alias}")
    public Uni<Response> single(
            @PathParam("call") String call,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String encoding,
            byte[] body) {
        return single(EventRules.typeOf(call), authorization, encoding, body);
    }

    /** Many calls at once: {@code {"batch":[...], "sentAt", "context", "integrations", "writeKey"}}. */
    @POST
    @Path("/batch")
    public Uni<Response> batch(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String encoding,
            byte[] body) {
        return many(authorization, encoding, body);
    }

    /**
     * Segment's libraries post their batches here; the Java library adds a trailing slash,
     * which this path matches too.
     */
    @POST
    @Path("/import")
    public Uni<Response> importBatch(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String encoding,
            byte[] body) {
        return many(authorization, encoding, body);
    }

    private Uni<Response> single(EventType type, String authorization, String encoding, byte[] body) {
        Instant receivedAt = clock.instant();
        byte[] decoded = RequestBodies.decode(body, encoding, limits.maxRequestBytes());
        if (decoded.length > limits.maxEventBytes()) {
            throw IngestionException.tooLarge("", "the event is larger than " + limits.maxEventBytes() / 1024 + " KB");
        }
        JsonNode json = read(decoded);
        return authenticate(authorization, json)
                .chain(source -> {
                    Candidate candidate;
                    try {
                        SegmentEventMapper.Parsed parsed =
                                SegmentEventMapper.parse(type, json, source, receivedAt, BatchDefaults.NONE);
                        EventRules.checkSize(parsed.event(), limits.maxEventBytes());
                        candidate = Candidate.valid(0, parsed.event(), parsed.clientMessageId());
                    } catch (InvalidEventException e) {
                        throw intake.charge(source, 1, IngestionException.invalid(e.field(), e.getMessage()));
                    }
                    return intake.accept(source, List.of(candidate));
                })
                .map(result -> Response.ok(Map.of("success", true)).build());
    }

    private Uni<Response> many(String authorization, String encoding, byte[] body) {
        Instant receivedAt = clock.instant();
        BatchBody batch = BatchBody.read(
                mapper, RequestBodies.decode(body, encoding, limits.maxRequestBytes()), limits.maxBatchEvents());
        BatchDefaults defaults;
        try {
            defaults = BatchDefaults.of(batch.fields(), batch.fieldSizes(), limits.maxBatchDefaultsBytes());
        } catch (InvalidEventException e) {
            throw IngestionException.invalid(e.field(), e.getMessage());
        }
        return authenticate(authorization, batch.fields())
                .chain(source -> intake.accept(source, candidates(batch, source, receivedAt, defaults)))
                .map(TrackingResource::batchResponse);
    }

    /** The batch's events, built one after the other until they would pass the expanded limit. */
    private List<Candidate> candidates(BatchBody batch, Source source, Instant receivedAt, BatchDefaults defaults) {
        List<Candidate> candidates = new ArrayList<>(batch.items().size());
        long expanded = 0;
        for (int i = 0; i < batch.items().size(); i++) {
            Candidate candidate = candidate(i, batch.items().get(i), source, receivedAt, defaults);
            if (candidate.isValid()) {
                expanded += candidate.event().getSerializedSize();
                if (expanded > limits.maxExpandedRequestBytes()) {
                    throw intake.charge(
                            source,
                            batch.items().size(),
                            IngestionException.tooLarge(
                                    "batch",
                                    "the batch's events, with its context and integrations copied into each, pass "
                                            + limits.maxExpandedRequestBytes() / (1024 * 1024)
                                            + " MB; send fewer events per request"));
                }
            }
            candidates.add(candidate);
        }
        return candidates;
    }

    private Candidate candidate(
            int index, BatchBody.Item sized, Source source, Instant receivedAt, BatchDefaults defaults) {
        JsonNode item = sized.node();
        try {
            if (sized.bytes() > limits.maxEventBytes()) {
                throw new InvalidEventException(
                        "", "the event is larger than " + limits.maxEventBytes() / 1024 + " KB");
            }
            if (!item.isObject()) {
                throw new InvalidEventException("", "an event must be a JSON object");
            }
            SegmentEventMapper.Parsed parsed =
                    SegmentEventMapper.parse(SegmentEventMapper.type(item), item, source, receivedAt, defaults);
            // the limit holds for the event as stored, the batch's context and integrations in it
            EventRules.checkSize(parsed.event(), limits.maxEventBytes());
            return Candidate.valid(index, parsed.event(), parsed.clientMessageId());
        } catch (InvalidEventException e) {
            return Candidate.rejected(index, SegmentEventMapper.messageIdOf(item), e);
        }
    }

    /** 200 when every event was accepted; 200 listing the rejected ones otherwise; 400 when none was. */
    private static Response batchResponse(IntakeResult result) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", result.allAccepted());
        body.put("accepted", result.accepted());
        body.put("duplicates", result.duplicates());
        if (!result.allAccepted()) {
            List<RejectedEvent> rejected = RejectedEvent.of(result.rejected());
            body.put("rejected", rejected);
            if (result.accepted() + result.duplicates() == 0) {
                return Problems.response(
                        Problem.of(400, "Bad Request", "no event of the batch is valid", "batch")
                                .withRejected(rejected),
                        0);
            }
        }
        return Response.ok(body).build();
    }

    private JsonNode read(byte[] body) {
        JsonNode json;
        try {
            json = body.length == 0 ? null : mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw IngestionException.invalid("", "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw IngestionException.invalid("", "unreadable body: " + e.getMessage());
        }
        if (json == null || !json.isObject()) {
            throw IngestionException.invalid("", "the body must be a JSON object");
        }
        return json;
    }

    private Uni<Source> authenticate(String authorization, JsonNode json) {
        String writeKey = writeKey(authorization, json);
        if (writeKey == null) {
            return Uni.createFrom()
                    .failure(IngestionException.unauthenticated(
                            "a write key is required (HTTP Basic user name or writeKey)"));
        }
        return sources.authenticate(writeKey)
                .onItem()
                .ifNull()
                .failWith(() -> IngestionException.unauthenticated("unknown or revoked write key"));
    }

    /** The HTTP Basic user name (Segment's convention), else the body's {@code writeKey}. */
    static String writeKey(String authorization, JsonNode body) {
        String fromHeader = WriteKeyHeader.parse(authorization);
        if (fromHeader != null) {
            return fromHeader;
        }
        JsonNode key = body.get("writeKey");
        return key != null && key.isTextual() && !key.asText().isBlank() ? key.asText() : null;
    }

    @ServerExceptionMapper
    public Response refused(IngestionException e) {
        if (e.kind() == IngestionException.Kind.UNAVAILABLE) {
            LOG.warnf("answering 503: %s", LogSafe.text(e.getMessage()));
        }
        return Problems.of(e);
    }
}
