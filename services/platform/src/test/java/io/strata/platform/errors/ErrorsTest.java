package io.strata.platform.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ErrorsTest {

    @Test
    void anInvalidArgumentNamesItsFieldsInTypedDetails() {
        StatusRuntimeException e = Errors.invalid(List.of(
                new Errors.Violation("header.source_id", "not a source id: x"),
                new Errors.Violation("header.zone", "an offset such as +08:00 is required")));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("header.source_id: not a source id: x", e.getStatus().getDescription());
        assertEquals(2, Errors.violations(e).size());
        assertEquals("header.zone", Errors.violations(e).get(1).field());
        assertEquals("not a source id: x", Errors.description(e));
    }

    @Test
    void theTimeToWaitTravelsAsRetryInfo() {
        StatusRuntimeException e =
                Errors.unavailable(Reason.BROKER_UNAVAILABLE, "events cannot be stored", Duration.ofMillis(1500));
        assertEquals(Optional.of(Duration.ofMillis(1500)), Errors.retryAfter(e));
        assertEquals(Optional.of("BROKER_UNAVAILABLE"), Errors.reason(e));
        // a status without details has none of them
        StatusRuntimeException plain = Status.UNAVAILABLE.withDescription("x").asRuntimeException();
        assertEquals(Optional.empty(), Errors.retryAfter(plain));
        assertEquals(List.of(), Errors.violations(plain));
        assertEquals(Optional.empty(), Errors.reason(plain));
    }

    @Test
    void theGatewayAnswersWithTheFieldTheReasonAndTheRealRetryTime() {
        var invalid = HttpProblems.of(Errors.invalid("rate_limit_per_second", "above the quota"), HttpProblems::camel);
        assertEquals(400, invalid.status());
        assertEquals("rateLimitPerSecond", invalid.body().field());
        assertEquals("above the quota", invalid.body().detail());
        assertEquals(0, invalid.retryAfterSeconds());

        var limited = HttpProblems.of(
                Errors.exhausted(Reason.RATE_LIMITED, "slow down", Duration.ofSeconds(7)), HttpProblems::camel);
        assertEquals(429, limited.status());
        assertEquals(7, limited.retryAfterSeconds());
        assertEquals("RATE_LIMITED", limited.body().reason());

        var unavailable = HttpProblems.of(Status.UNAVAILABLE.asRuntimeException(), HttpProblems::camel);
        assertEquals(503, unavailable.status());
        assertEquals(5, unavailable.retryAfterSeconds(), "the default when the service does not say");
        assertTrue(unavailable.failure());

        var denied = HttpProblems.of(Errors.denied(Reason.TENANT_MISMATCH, "not yours"), HttpProblems::camel);
        assertEquals(403, denied.status());
        assertNull(denied.body().field());

        var internal = HttpProblems.of(Status.INTERNAL.withDescription("secret").asRuntimeException(), f -> f);
        assertEquals(502, internal.status());
        assertEquals("a service failed to answer", internal.body().detail(), "no internals leak");
    }

    @Test
    void reasonsAreTheContractsNames() throws java.io.IOException {
        // strata.common.v1.ErrorReason is the contract: every Reason is one of its values
        String proto =
                java.nio.file.Files.readString(java.nio.file.Path.of("../../proto/strata/common/v1/errors.proto"));
        for (Reason reason : Reason.values()) {
            assertTrue(
                    proto.contains("ERROR_REASON_" + reason.name() + " ="), reason + " is missing from errors.proto");
        }
    }

    @Test
    void anInternalErrorKeepsItsCauseForTheLogOnly() {
        IllegalStateException cause = new IllegalStateException("the database is gone");
        StatusRuntimeException e = Errors.internal("internal error", cause);
        assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
        assertEquals("internal error", e.getStatus().getDescription());
        assertEquals(cause, e.getStatus().getCause());
    }

    @Test
    void metadataIsAddedToTheErrorInfoOrToANewOne() {
        StatusRuntimeException limited = Errors.withMetadata(
                Errors.exhausted(Reason.RATE_LIMITED, "slow down", Duration.ofSeconds(3)), "accepted", "42");
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, limited.getStatus().getCode());
        assertEquals("slow down", limited.getStatus().getDescription());
        assertEquals(Optional.of("42"), Errors.metadata(limited, "accepted"));
        assertEquals(Optional.of("RATE_LIMITED"), Errors.reason(limited), "the reason stays");
        assertEquals(Optional.of(Duration.ofSeconds(3)), Errors.retryAfter(limited), "the other details stay");

        StatusRuntimeException invalid = Errors.withMetadata(Errors.invalid("events", "too many"), "accepted", "7");
        assertEquals(Optional.of("7"), Errors.metadata(invalid, "accepted"));
        assertEquals("events", Errors.violations(invalid).get(0).field());
        assertEquals(Optional.empty(), Errors.reason(invalid), "no reason is made up");

        StatusRuntimeException plain =
                Errors.withMetadata(Status.UNAVAILABLE.withDescription("down").asRuntimeException(), "accepted", "0");
        assertEquals(Status.Code.UNAVAILABLE, plain.getStatus().getCode());
        assertEquals(Optional.of("0"), Errors.metadata(plain, "accepted"));
        assertEquals(Optional.empty(), Errors.metadata(plain, "other"));
    }
}
