package io.strata.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoReportTest {

    @TempDir
    Path tmp;

    @Test
    void reportsTheSummaryAsTheGatewayGivesItNextToWhatWasPlanted() throws Exception {
        assertEquals(
                0,
                new CommandLine(new StrataTools())
                        .execute("generate", "--seed", "5", "--consumers", "300", "--out", tmp.toString()));
        AtomicReference<String> authorization = new AtomicReference<>();
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/api/v1/profiles/summary", exchange -> {
            try (exchange) {
                authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
                byte[] body = """
                        {"profiles":300,"knownProfiles":280,"anonymousProfiles":20,
                         "identities":{"anonymousId":410,"userId":280},"merges":12,"events":9100,
                         "topEvents":[{"name":"Content Viewed","events":4000,"profiles":250}],
                         "firstSeen":"2025-11-01T02:00:00Z","lastSeen":"2026-10-31T15:00:00Z"}
                        """.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        gateway.start();
        DemoReport report = new DemoReport();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        report.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        try {
            assertEquals(
                    0,
                    new CommandLine(report)
                            .execute(
                                    "--gateway",
                                    "http://127.0.0.1:" + gateway.getAddress().getPort(),
                                    "--token",
                                    "t0k",
                                    "--truths",
                                    tmp.resolve("truths.json").toString()));
        } finally {
            gateway.stop(0);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertEquals("Bearer t0k", authorization.get());
        assertTrue(text.contains("300  (280 known"), text);
        assertTrue(text.contains("anonymousId 410 · userId 280"), text);
        assertTrue(text.contains("from 2025-11-01 to 2026-10-31"), text);
        assertTrue(text.contains("Content Viewed"), text);
        assertTrue(text.contains("精致妈妈"), "the crowds planted: " + text);
        assertTrue(text.contains("skincare+masks lift"), "the category pairs planted: " + text);
        assertTrue(text.contains("BG/NBD r 0.90"), text);
        assertTrue(!text.contains("\"schema\""), "the answer file is summarised, not dumped: " + text);
    }

    @Test
    void aRefusalOfTheGatewayIsAFailure() throws Exception {
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(401, -1);
            }
        });
        gateway.start();
        try {
            assertEquals(
                    1,
                    new CommandLine(new DemoReport())
                            .execute(
                                    "--gateway",
                                    "http://127.0.0.1:" + gateway.getAddress().getPort(),
                                    "--token",
                                    "expired"));
        } finally {
            gateway.stop(0);
        }
    }
}
