package io.strata.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.strata.testing.KeycloakTokens;
import io.strata.testing.LocalRealm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** History uploads: streamed through to ingestion (a fake here), administrators of the tenant only. */
@QuarkusTest
@QuarkusTestResource(LocalRealm.class)
class ImportResourceTest {

    private static final int LINES = 100_000;

    private static String alice;

    @BeforeAll
    static void tokens() {
        alice = KeycloakTokens.accessToken("alice");
    }

    private static String source(String token) {
        return given().auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body("{\"name\":\"history\"}")
                .post("/api/v1/sources")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    /** A CSV of {@code LINES} lines, generated as it is read: about 5 MB, beyond the JSON limit. */
    private static InputStream bigCsv() {
        return new InputStream() {
            private int line;
            private byte[] current = new byte[0];
            private int at;

            @Override
            public int read() {
                if (at == current.length) {
                    if (line == LINES) {
                        return -1;
                    }
                    current = (line == 0
                                    ? "order_id,user_id,timestamp,amount\n"
                                    : "o-" + line + ",u-" + line % 100 + ",2024-01-01 10:00:00,12.50\n")
                            .getBytes(StandardCharsets.UTF_8);
                    line++;
                    at = 0;
                }
                return current[at++];
            }
        };
    }

    @Test
    void aFileLargerThanAnyOtherRequestStreamsThroughAndTheSummaryComesBack() {
        String id = source(alice);
        given().auth()
                .oauth2(alice)
                .contentType("text/csv")
                .body(bigCsv())
                .post("/api/v1/sources/" + id + "/imports")
                .then()
                .statusCode(200)
                .body("rows", is(LINES))
                .body("accepted", is(LINES - 1))
                .body("rejectedRows", is(1))
                .body("rejections[0].line", is(2))
                .body("rejections[0].field", is("event"));
    }

    @Test
    void gzipAndAnExplicitFormatPassAsTheyAre() throws IOException {
        String id = source(alice);
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
            gzip.write("{\"type\":\"page\",\"anonymousId\":\"a\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        given().auth()
                .oauth2(alice)
                .contentType("application/gzip")
                .queryParam("format", "jsonl")
                .body(zipped.toByteArray())
                .post("/api/v1/sources/" + id + "/imports")
                .then()
                .statusCode(200)
                .body("bytes", is(zipped.size()));
    }

    @Test
    void onlyTheTenantsAdministratorsMayImport() {
        String id = source(alice);
        for (String user : new String[] {"mia", "ana", "vic"}) {
            given().auth()
                    .oauth2(KeycloakTokens.accessToken(user))
                    .contentType("text/csv")
                    .body("a\n")
                    .post("/api/v1/sources/" + id + "/imports")
                    .then()
                    .statusCode(403);
        }
        given().contentType("text/csv")
                .body("a\n")
                .post("/api/v1/sources/" + id + "/imports")
                .then()
                .statusCode(401);
        given().auth()
                .oauth2(KeycloakTokens.accessToken("bob"))
                .contentType("text/csv")
                .body("a\n")
                .post("/api/v1/sources/" + id + "/imports")
                .then()
                .statusCode(404);
    }

    @Test
    void badParametersNameTheField() {
        String id = source(alice);
        given().auth()
                .oauth2(alice)
                .contentType("application/octet-stream")
                .body(new byte[] {'a', '\n'})
                .post("/api/v1/sources/" + id + "/imports")
                .then()
                .statusCode(400)
                .body("field", is("format"));
        given().auth()
                .oauth2(alice)
                .contentType("text/csv")
                .queryParam("zone", "Mars")
                .body("a\n")
                .post("/api/v1/sources/" + id + "/imports")
                .then()
                .statusCode(400)
                .body("field", is("zone"));
        given().auth()
                .oauth2(alice)
                .contentType("text/csv")
                .body("a\n")
                .post("/api/v1/sources/not-a-uuid/imports")
                .then()
                .statusCode(400)
                .body("field", is("id"));
        // an unencoded "+" in a query string arrives as a space
        assertEquals("+05:30", ImportResource.offset(" 05:30"));
        assertEquals("+08:00", ImportResource.offset("+08:00"));
        assertEquals("-03:00", ImportResource.offset("-03:00"));
    }

    @Test
    void anyOtherRequestIsHeldToTheBodyLimit() throws Exception {
        // refused on its Content-Length before the body is read; with Expect: 100-continue the client
        // learns it before sending the body (otherwise the refusal can cut the upload short)
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String big = "{\"name\":\"" + "x".repeat(2 << 20) + "\"}";
        HttpResponse<String> tooLarge = http.send(
                HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/v1/sources"))
                        .expectContinue(true)
                        .header("Authorization", "Bearer " + alice)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(big))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, tooLarge.statusCode(), tooLarge.body());
        assertEquals(
                "application/problem+json",
                tooLarge.headers().firstValue("Content-Type").orElse(""));
        // one under the limit but larger than a read buffer arrives whole (padded with white space)
        HttpResponse<String> padded = http.send(
                HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/v1/sources"))
                        .header("Authorization", "Bearer " + alice)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"padded\"" + " ".repeat(200_000) + "}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, padded.statusCode(), padded.body());
        // a body of unknown length (chunked) is counted as it is read: a small one passes...
        HttpRequest chunked = HttpRequest.newBuilder(
                        URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/v1/sources"))
                .header("Authorization", "Bearer " + alice)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream("{\"name\":\"chunked\"}".getBytes(StandardCharsets.UTF_8))))
                .build();
        assertEquals(
                201, http.send(chunked, HttpResponse.BodyHandlers.ofString()).statusCode());
        // ... and a large one is refused once the limit's worth of it has been read
        HttpRequest chunkedTooLarge = HttpRequest.newBuilder(
                        URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/v1/sources"))
                .header("Authorization", "Bearer " + alice)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                .build();
        try {
            HttpResponse<String> refused = http.send(chunkedTooLarge, HttpResponse.BodyHandlers.ofString());
            assertEquals(413, refused.statusCode(), refused.body());
            assertEquals(
                    "application/problem+json",
                    refused.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            // the server may close the connection before the client finished writing: then what
            // shows the refusal is that nothing was created (below), not the broken upload
            assertTrue(e.getMessage() == null || !e.getMessage().contains("timed out"), e.toString());
        }
        List<String> names = given().auth()
                .oauth2(alice)
                .queryParam("pageSize", 100)
                .get("/api/v1/sources")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items.name", String.class);
        assertTrue(names.stream().noneMatch(n -> n.length() > 1_000), "no source was made of a refused body");
    }
}
