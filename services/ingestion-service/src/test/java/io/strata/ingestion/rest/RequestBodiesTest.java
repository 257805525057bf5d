package io.strata.ingestion.rest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.ingestion.domain.IngestionException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class RequestBodiesTest {

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void inflatesGzipBodies() throws IOException {
        byte[] json = "{\"userId\":\"u1\"}".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(json, RequestBodies.decode(gzip(json), "gzip", 1000));
        assertArrayEquals(json, RequestBodies.decode(json, null, 1000));
    }

    @Test
    void stopsInflatingAtTheLimit() throws IOException {
        byte[] bomb = gzip(new byte[10_000_000]); // ~10 KB that inflates to 10 MB
        IngestionException e =
                assertThrows(IngestionException.class, () -> RequestBodies.decode(bomb, "gzip", 512_000));
        assertEquals(IngestionException.Kind.TOO_LARGE, e.kind());
    }

    @Test
    void refusesPlainBodiesOverTheLimitAndBrokenGzip() {
        assertEquals(
                IngestionException.Kind.TOO_LARGE,
                assertThrows(IngestionException.class, () -> RequestBodies.decode(new byte[101], null, 100))
                        .kind());
        IngestionException broken = assertThrows(
                IngestionException.class,
                () -> RequestBodies.decode("not gzip".getBytes(StandardCharsets.UTF_8), "gzip", 100));
        assertEquals("Content-Encoding", broken.field());
        assertEquals(
                "Content-Encoding",
                assertThrows(IngestionException.class, () -> RequestBodies.decode(new byte[1], "br", 100))
                        .field());
    }
}
