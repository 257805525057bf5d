package io.strata.ingestion.rest;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.strata.ingestion.config.IngestionConfig;
import io.strata.ingestion.domain.InvalidEventException;
import io.strata.ingestion.domain.SegmentEventParser;
import io.strata.ingestion.domain.Source;
import io.strata.ingestion.messaging.EventProducer;
import io.strata.ingestion.service.SourceService;
import io.strata.proto.events.v1.Event;
import io.strata.proto.events.v1.EventType;

/**
 * The Segment HTTP Tracking API: one call per request. The write key comes as the HTTP Basic
 * user name or as the body's {@code writeKey}. 200 means Kafka acknowledged the event.
 */
@Path("/v1")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class TrackingResource {

    private static final Logger LOG = Logger.getLogger(TrackingResource.class);
    private static final Map<String, Boolean> OK = Map.of("success", true);

    private final ObjectMapper mapper;
    private final SourceService sources;
    private final EventProducer producer;
    private final IngestionConfig config;
    private final Clock clock = Clock.systemUTC();

    public TrackingResource(ObjectMapper mapper, SourceService sources, EventProducer producer,
            IngestionConfig config) {
        this.mapper = mapper;
        this.sources = sources;
        this.producer = producer;
        this.config = config;
    }

    @POST
    @Path("/identify")
    public Uni<Response> identify(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] body) {
        return single(EventType.EVENT_TYPE_IDENTIFY, authorization, body);
    }

    @POST
    @Path("/track")
    public Uni<Response> track(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] body) {
        return single(EventType.EVENT_TYPE_TRACK, authorization, body);
    }

    @POST
    @Path("/page")
    public Uni<Response> page(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] body) {
        return single(EventType.EVENT_TYPE_PAGE, authorization, body);
    }

    @POST
    @Path("/screen")
    public Uni<Response> screen(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] body) {
        return single(EventType.EVENT_TYPE_SCREEN, authorization, body);
    }

    @POST
    @Path("/group")
    public Uni<Response> group(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] body) {
        return single(EventType.EVENT_TYPE_GROUP, authorization, body);
    }

    @POST
    @Path("/alias")
    public Uni<Response> alias(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] body) {
        return single(EventType.EVENT_TYPE_ALIAS, authorization, body);
    }

    private Uni<Response> single(EventType type, String authorization, byte[] body) {
        Instant receivedAt = clock.instant();
        JsonNode json;
        try {
            json = body == null || body.length == 0 ? null : mapper.readTree(body);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().item(Problem.response(Response.Status.BAD_REQUEST,
                    "malformed JSON: " + e.getOriginalMessage(), null));
        } catch (java.io.IOException e) {
            return Uni.createFrom().item(Problem.response(Response.Status.BAD_REQUEST,
                    "unreadable body: " + e.getMessage(), null));
        }
        if (json == null || !json.isObject()) {
            return Uni.createFrom().item(Problem.response(Response.Status.BAD_REQUEST,
                    "the body must be a JSON object", null));
        }
        String writeKey = writeKey(authorization, json);
        return sources.authenticate(writeKey).chain(source -> {
            if (source == null) {
                return Uni.createFrom().item(Problem.response(Response.Status.UNAUTHORIZED,
                        writeKey == null ? "a write key is required (HTTP Basic user name or writeKey)"
                                : "unknown or revoked write key", null));
            }
            return accept(type, json, source, receivedAt);
        });
    }

    private Uni<Response> accept(EventType type, JsonNode json, Source source, Instant receivedAt) {
        Event event;
        try {
            event = SegmentEventParser.parse(type, json, source, receivedAt, null);
        } catch (InvalidEventException e) {
            return Uni.createFrom().item(Problem.response(Response.Status.BAD_REQUEST, e.getMessage(), e.field()));
        }
        return producer.publish(event)
                .replaceWith(() -> Response.ok(OK).build())
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("Kafka did not acknowledge event %s: %s", event.getMessageId(), e.getMessage());
                    return unavailable();
                });
    }

    private Response unavailable() {
        Response problem = Problem.response(Response.Status.SERVICE_UNAVAILABLE,
                "events cannot be stored right now; retry later", null);
        return Response.fromResponse(problem)
                .header(HttpHeaders.RETRY_AFTER, config.unavailableRetryAfterSeconds())
                .build();
    }

    /** The HTTP Basic user name (Segment's convention), else the body's {@code writeKey}. */
    static String writeKey(String authorization, JsonNode body) {
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                String user = colon < 0 ? decoded : decoded.substring(0, colon);
                if (!user.isBlank()) {
                    return user;
                }
            } catch (IllegalArgumentException e) {
                // not Base64: fall back to the body
            }
        }
        JsonNode key = body.get("writeKey");
        return key != null && key.isTextual() && !key.asText().isBlank() ? key.asText() : null;
    }
}
