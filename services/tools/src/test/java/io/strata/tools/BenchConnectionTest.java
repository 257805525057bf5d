package io.strata.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BenchConnectionTest {

    private HttpServer server;
    private URI url;
    private final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/sized", exchange -> {
            received.add(exchange.getRequestHeaders().getFirst("Authorization") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = "{\"success\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/chunked", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(429, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("slow down\r\n".repeat(1_000).getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
        url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsAnswersOfBothFramingsOnOneConnection() {
        byte[] sized = BenchConnection.post(url, "/sized", "Basic a2V5Og==", "{\"batch\":[\"ü\"]}");
        byte[] chunked = BenchConnection.post(url, "/chunked", "Basic a2V5Og==", "{}");
        try (BenchConnection connection = new BenchConnection(url)) {
            assertEquals(200, connection.exchange(sized));
            assertEquals(429, connection.exchange(chunked));
            assertEquals(200, connection.exchange(sized));
        }
        assertEquals(List.of("Basic a2V5Og== {\"batch\":[\"ü\"]}", "Basic a2V5Og== {\"batch\":[\"ü\"]}"), received);
    }

    @Test
    void aFailedConnectionIsMinusOneAndReopened() {
        byte[] sized = BenchConnection.post(url, "/sized", "Basic a2V5Og==", "{}");
        try (BenchConnection connection = new BenchConnection(url)) {
            assertEquals(200, connection.exchange(sized));
            server.stop(0);
            assertEquals(-1, connection.exchange(sized));
            server = restartedOn(url.getPort());
            assertEquals(200, connection.exchange(sized));
        }
    }

    private HttpServer restartedOn(int port) {
        try {
            HttpServer again = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            again.createContext("/sized", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            again.start();
            return again;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
