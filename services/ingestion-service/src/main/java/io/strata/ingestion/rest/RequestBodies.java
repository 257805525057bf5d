package io.strata.ingestion.rest;

import io.strata.ingestion.domain.IngestionException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Request bodies as the tracking API takes them: plain or gzip, never larger than the limit. */
final class RequestBodies {

    private RequestBodies() {}

    /**
     * The body, decompressed when {@code Content-Encoding: gzip}; a body that inflates past
     * {@code maxBytes} is refused without being inflated further (no decompression bombs).
     */
    static byte[] decode(byte[] body, String contentEncoding, int maxBytes) {
        byte[] raw = body == null ? new byte[0] : body;
        if (contentEncoding == null || contentEncoding.isBlank() || contentEncoding.equalsIgnoreCase("identity")) {
            return checked(raw, maxBytes);
        }
        if (!contentEncoding.strip().equalsIgnoreCase("gzip")) {
            throw IngestionException.invalid("Content-Encoding", "Content-Encoding must be gzip or absent");
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, raw.length * 4 + 64));
            byte[] buffer = new byte[8192];
            int read;
            while ((read = in.read(buffer)) > 0) {
                if (out.size() + read > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                out.write(buffer, 0, read);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw IngestionException.invalid("Content-Encoding", "the body is not valid gzip: " + e.getMessage());
        }
    }

    private static byte[] checked(byte[] body, int maxBytes) {
        if (body.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        return body;
    }

    private static IngestionException tooLarge(int maxBytes) {
        return IngestionException.tooLarge("", "the request is larger than " + maxBytes / 1000 + " KB");
    }
}
