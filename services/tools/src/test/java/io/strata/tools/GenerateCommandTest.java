package io.strata.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GenerateCommandTest {

    @TempDir
    Path tmp;

    @Test
    void writesTheFourFiles() throws Exception {
        int status = new CommandLine(new StrataTools())
                .execute("generate", "--seed", "3", "--consumers", "200", "--out", tmp.toString());
        assertEquals(0, status);
        for (String file : new String[] {"events.jsonl", "orders.csv", "consumers.csv", "truths.json"}) {
            assertTrue(Files.size(tmp.resolve(file)) > 0, file);
        }
        assertEquals(201, Files.readAllLines(tmp.resolve("consumers.csv")).size());
    }

    @Test
    void refusesSendingWithoutAWriteKeyAndMonthsOutOfRange() {
        assertEquals(2, new CommandLine(new StrataTools()).execute("generate", "--out", tmp.toString(), "--send"));
        assertEquals(
                2, new CommandLine(new StrataTools()).execute("generate", "--out", tmp.toString(), "--months", "36"));
    }

    @Test
    void sendsThroughTheSameSenderAsImport() throws Exception {
        com.sun.net.httpserver.HttpServer server =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicLong events = new java.util.concurrent.atomic.AtomicLong();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        server.createContext("/v1/batch", exchange -> {
            try (exchange) {
                int n = json.readTree(exchange.getRequestBody()).path("batch").size();
                events.addAndGet(n);
                byte[] body = ("{\"accepted\":" + n + ",\"duplicates\":0}").getBytes();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        try {
            int status = new CommandLine(new StrataTools())
                    .execute(
                            "generate",
                            "--seed",
                            "3",
                            "--consumers",
                            "100",
                            "--out",
                            tmp.toString(),
                            "--send",
                            "--url",
                            "http://127.0.0.1:" + server.getAddress().getPort(),
                            "--write-key",
                            "k");
            assertEquals(0, status);
        } finally {
            server.stop(0);
        }
        assertTrue(Files.notExists(tmp.resolve("events.jsonl")), "sent, not written");
        assertTrue(Files.size(tmp.resolve("truths.json")) > 0);
        String truths = Files.readString(tmp.resolve("truths.json"));
        long counted = Long.parseLong(
                truths.replaceAll("(?s).*\"counts\" : \\{\\s*\"consumers\" : \\d+,\\s*\"events\" : (\\d+).*", "$1"));
        assertEquals(counted, events.get());
    }
}
