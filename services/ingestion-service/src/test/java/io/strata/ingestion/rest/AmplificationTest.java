package io.strata.ingestion.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.strata.testing.Management;
import io.strata.testing.TestTopics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A batch's {@code context} and {@code integrations} are copied into each of its events, so a small
 * request could expand into a huge one: 8 KB of gzip holding a 280 KB context and 2,500 tiny events
 * would be 700 MB of events. The service refuses such requests early, in constant memory, and keeps
 * serving everybody else while they come in parallel.
 */
@QuarkusTest
@QuarkusTestResource(TestTopics.Resource.class)
class AmplificationTest {

    private static final String TINY = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"X\"}";
    private static String writeKey;

    @BeforeAll
    static void key() {
        writeKey = ConfigProvider.getConfig().getValue("strata.ingestion.bootstrap.write-key", String.class);
    }

    /** 2,500 tiny events under a batch-level context of {@code contextBytes}. */
    private static String batch(int contextBytes, int events) {
        return "{\"context\":{\"pad\":\"" + "x".repeat(contextBytes) + "\"},\"batch\":["
                + String.join(",", java.util.Collections.nCopies(events, TINY)) + "]}";
    }

    @Test
    void aHugeBatchContextInASmallGzipIsRefusedNamingIt() throws Exception {
        byte[] gzip = RequestBodiesTest.gzip(batch(280 * 1024, 2500).getBytes(StandardCharsets.UTF_8));
        assertTrue(gzip.length < 10 * 1024, "a few KB on the wire: " + gzip.length);
        given().auth()
                .preemptive()
                .basic(writeKey, "")
                .contentType(ContentType.JSON)
                .header("Content-Encoding", "gzip")
                .body(gzip)
                .post("/v1/batch")
                .then()
                .statusCode(400)
                .body("field", is("context"))
                .body("detail", containsString("copied into every event"));
    }

    @Test
    void aBatchThatWouldExpandPastTheRequestLimitIsRefusedAsTooLarge() {
        // 7 KB of context is allowed, but 2,500 copies of it are not
        given().auth()
                .preemptive()
                .basic(writeKey, "")
                .contentType(ContentType.JSON)
                .body(batch(7 * 1024, 2500))
                .post("/v1/batch")
                .then()
                .statusCode(413)
                .body("field", is("batch"));
        // the same context over a few events is fine
        given().auth()
                .preemptive()
                .basic(writeKey, "")
                .contentType(ContentType.JSON)
                .body(batch(7 * 1024, 10))
                .post("/v1/batch")
                .then()
                .statusCode(200)
                .body("accepted", is(10));
    }

    @Test
    void theEventLimitHoldsOnceTheBatchContextIsMergedIn() {
        String big = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"X\",\"properties\":{\"note\":\""
                + "y".repeat(27 * 1024) + "\"}}";
        given().auth()
                .preemptive()
                .basic(writeKey, "")
                .contentType(ContentType.JSON)
                .body("{\"context\":{\"pad\":\"" + "x".repeat(7 * 1024) + "\"},\"batch\":[" + big + "," + TINY + "]}")
                .post("/v1/batch")
                .then()
                .statusCode(200)
                .body("accepted", is(1))
                .body("rejected[0].index", is(0))
                .body("rejected[0].reason", containsString("32 KB"));
    }

    @Test
    void floodsOfExpandingBatchesInParallelLeaveTheServiceServing() throws Exception {
        byte[] gzipBomb = RequestBodiesTest.gzip(batch(280 * 1024, 2500).getBytes(StandardCharsets.UTF_8));
        String expanding = batch(7 * 1024, 2500);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (int c = 0; c < 8; c++) {
                    boolean bomb = c % 2 == 0;
                    answers.add(clients.submit(() -> given().auth()
                            .preemptive()
                            .basic(writeKey, "")
                            .contentType(ContentType.JSON)
                            .header("Content-Encoding", bomb ? "gzip" : "identity")
                            .body(bomb ? gzipBomb : expanding.getBytes(StandardCharsets.UTF_8))
                            .post("/v1/batch")
                            .statusCode()));
                }
                // meanwhile an ordinary request is served
                given().auth()
                        .preemptive()
                        .basic(writeKey, "")
                        .contentType(ContentType.JSON)
                        .body("{\"userId\":\"u-" + UUID.randomUUID() + "\",\"event\":\"Still Served\"}")
                        .post("/v1/track")
                        .then()
                        .statusCode(200);
            }
            for (Future<Integer> answer : answers) {
                int status = answer.get();
                assertTrue(status == 400 || status == 413, "refused for what it is, not failed: " + status);
            }
        } finally {
            clients.shutdownNow();
        }
        assertEquals(200, given().get(Management.url("/q/health/ready")).statusCode());
    }
}
