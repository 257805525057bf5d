package io.strata.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import io.strata.tools.ImagesCommand.Built;
import io.strata.tools.ImagesCommand.Service;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images built from a packaged service's layout on an empty base (no registry is needed), read
 * back from the tarball as a loader reads it.
 */
class ImagesCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("../..");
    private static final Service PROFILE = new Service("profile-service", List.of(8082, 9082));

    @TempDir
    Path dir;

    @Test
    void theImageRunsTheServiceAsANonRootUserFromItsOwnLayers() throws Exception {
        Path app = packaged("v1");
        Built built =
                ImagesCommand.build(PROFILE, app, "scratch", "0.1.0", null, dir.resolve("out"), ImageFormat.Docker);

        assertEquals("strata/profile-service:0.1.0", built.reference());
        Image image = Image.read(Path.of(built.where()));
        assertEquals(List.of("strata/profile-service:0.1.0"), image.tags());
        JsonNode config = image.config().get("config");
        assertEquals("185", config.get("User").asText(), "never root: the charts run it as 185");
        assertEquals("/deployments", config.get("WorkingDir").asText());
        assertEquals(
                List.of("java", "-jar", "/deployments/quarkus-run.jar"),
                JSON.convertValue(config.get("Entrypoint"), List.class));
        assertEquals(Set.of("8082/tcp", "9082/tcp"), fieldNames(config.get("ExposedPorts")));
        assertEquals(
                "profile-service",
                config.get("Labels").get("org.opencontainers.image.title").asText());
        assertEquals(
                "0.1.0",
                config.get("Labels").get("org.opencontainers.image.version").asText());

        assertEquals(3, image.layers().size(), "libraries, Quarkus, the service's classes");
        assertEquals(
                Set.of("deployments/lib/boot/boot.jar", "deployments/lib/main/library.jar"),
                image.layers().get(0).keySet());
        assertEquals(
                Set.of(
                        "deployments/quarkus-run.jar",
                        "deployments/quarkus-app-dependencies.txt",
                        "deployments/quarkus/generated-bytecode.jar"),
                image.layers().get(1).keySet());
        assertEquals(
                Set.of("deployments/app/profile-service.jar"),
                image.layers().get(2).keySet());
        for (Map<String, TarArchiveEntry> layer : image.layers()) {
            for (TarArchiveEntry file : layer.values()) {
                assertEquals(0644, file.getMode() & 0777, file.getName() + " is readable by the service's user");
            }
        }
    }

    @Test
    void theSameBuildGivesTheSameImageAndANewBuildChangesOnlyItsOwnLayer() throws Exception {
        Built first = ImagesCommand.build(
                PROFILE, packaged("v1"), "scratch", "0.1.0", null, dir.resolve("a"), ImageFormat.Docker);
        Built again = ImagesCommand.build(
                PROFILE, packaged("v1"), "scratch", "0.1.0", null, dir.resolve("b"), ImageFormat.Docker);
        assertEquals(first.digest(), again.digest(), "files carry a fixed time: the image is reproducible");

        Built changed = ImagesCommand.build(
                PROFILE, packaged("v2"), "scratch", "0.1.0", null, dir.resolve("c"), ImageFormat.Docker);
        assertNotEquals(first.digest(), changed.digest());
        List<String> before = Image.read(Path.of(first.where())).layerFiles();
        List<String> after = Image.read(Path.of(changed.where())).layerFiles();
        assertEquals(before.subList(0, 2), after.subList(0, 2), "the libraries' and Quarkus's layers are reused");
        assertNotEquals(before.get(2), after.get(2));
    }

    @Test
    void aServiceNotYetPackagedIsRefusedWithWhatToDo() {
        IllegalStateException refused = assertThrows(
                IllegalStateException.class,
                () -> ImagesCommand.build(
                        PROFILE, dir.resolve("missing"), "scratch", "0.1.0", null, dir, ImageFormat.Docker));
        assertTrue(refused.getMessage().contains("./strata build"), refused.getMessage());
    }

    @Test
    void everyServiceOfTheManifestHasItsPortsAndItsChartsVersion() throws Exception {
        List<Service> services = ImagesCommand.Service.manifest(ROOT.resolve("deploy/services.txt"));
        assertTrue(services.size() >= 7, services.toString());
        Service ingestion = services.stream()
                .filter(s -> s.name().equals("ingestion-service"))
                .findFirst()
                .orElseThrow();
        assertEquals(List.of(8081, 8091, 9081), ingestion.ports());
        Service profile = services.stream()
                .filter(s -> s.name().equals("profile-service"))
                .findFirst()
                .orElseThrow();
        assertEquals(List.of(8082, 9082), profile.ports(), "gRPC on the HTTP port is one port");
        for (Service service : services) {
            String version = ImagesCommand.appVersion(ROOT.resolve("helm").resolve(service.name()));
            assertTrue(version.matches("\\d+\\.\\d+\\.\\d+.*"), service.name() + ": " + version);
        }
    }

    /** A packaged service's fast-jar layout; {@code version} goes into the service's own classes. */
    private Path packaged(String version) throws IOException {
        Path app = dir.resolve("quarkus-app-" + version + "-" + System.nanoTime());
        write(app.resolve("quarkus-run.jar"), "launcher");
        write(app.resolve("quarkus-app-dependencies.txt"), "io.quarkus:quarkus-core");
        write(app.resolve("lib/boot/boot.jar"), "boot");
        write(app.resolve("lib/main/library.jar"), "library");
        write(app.resolve("quarkus/generated-bytecode.jar"), "generated");
        write(app.resolve("app/profile-service.jar"), "classes " + version);
        return app;
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A tarball as {@code docker load} reads it: manifest.json, the config, the layers. */
    private record Image(
            List<String> tags, JsonNode config, List<String> layerFiles, List<Map<String, TarArchiveEntry>> layers) {

        static Image read(Path tarball) throws IOException {
            Map<String, byte[]> files = new HashMap<>();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(tarball))) {
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    files.put(entry.getName(), tar.readAllBytes());
                }
            }
            JsonNode manifest = JSON.readTree(files.get("manifest.json")).get(0);
            List<String> tags = JSON.convertValue(manifest.get("RepoTags"), List.class);
            JsonNode config = JSON.readTree(files.get(manifest.get("Config").asText()));
            List<String> layerFiles = new ArrayList<>();
            List<Map<String, TarArchiveEntry>> layers = new ArrayList<>();
            for (JsonNode layer : manifest.get("Layers")) {
                layerFiles.add(layer.asText());
                layers.add(regularFiles(new GZIPInputStream(new ByteArrayInputStream(files.get(layer.asText())))));
            }
            return new Image(tags, config, layerFiles, layers);
        }

        private static Map<String, TarArchiveEntry> regularFiles(InputStream layer) throws IOException {
            Map<String, TarArchiveEntry> entries = new HashMap<>();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(layer)) {
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    if (entry.isFile()) {
                        entries.put(entry.getName().replaceFirst("^/", ""), entry);
                    }
                }
            }
            return entries;
        }
    }
}
