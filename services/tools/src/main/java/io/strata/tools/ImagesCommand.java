package io.strata.tools;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.CredentialRetriever;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * OCI images of the services, built with Jib (jib-core) from each service's packaged
 * {@code target/quarkus-app}, without a container daemon: to a tarball per service (what
 * {@code docker load}, {@code podman load}, {@code kind load image-archive} and {@code ctr images
 * import} read), or pushed to a registry.
 *
 * <p>The image: the base image (a Java 21 runtime; {@code --base}), then three layers from the
 * least to the most often changed (the libraries; Quarkus's generated classes and launcher; the
 * service's own classes), run as user 185 (not root) from {@code /deployments} with {@code java
 * -jar quarkus-run.jar}; the manifest's ports exposed; OCI labels. Files carry a fixed time, so
 * the same build gives the same image. Repository {@code strata/<service>}, tag the chart's
 * appVersion, as the charts expect them.
 */
@Command(
        name = "images",
        mixinStandardHelpOptions = true,
        description = "OCI images of the services with Jib, without a container daemon: tarballs, or a registry.")
public final class ImagesCommand implements Callable<Integer> {

    /** A Java 21 runtime whose user 185 owns nothing but may run java (the charts run as 185). */
    static final String DEFAULT_BASE = "registry.access.redhat.com/ubi9/openjdk-21-runtime:1.22";

    static final String USER = "185";
    static final AbsoluteUnixPath HOME = AbsoluteUnixPath.get("/deployments");

    @Option(names = "--root", defaultValue = ".", description = "the project's root (default: the current directory)")
    Path root;

    @Option(names = "--service", description = "a service of deploy/services.txt (repeatable; default: every one)")
    List<String> services = new ArrayList<>();

    @Option(
            names = "--base",
            description = "the base image: a registry reference, tar://FILE, docker://NAME or scratch"
                    + " (default: STRATA_BASE_IMAGE, else " + DEFAULT_BASE + ")")
    String base;

    @Option(
            names = "--registry",
            description = "push to REGISTRY/strata/<service> instead of writing tarballs (credentials:"
                    + " STRATA_REGISTRY_USERNAME and STRATA_REGISTRY_PASSWORD, else Docker's config and"
                    + " credential helpers)")
    String registry;

    @Option(names = "--tag", description = "the images' tag (default: each chart's appVersion)")
    String tag;

    @Option(names = "--out", description = "where the tarballs go (default: <root>/target/images)")
    Path out;

    @Option(
            names = "--format",
            defaultValue = "Docker",
            description = "Docker or OCI manifests (default ${DEFAULT-VALUE}, which every loader reads)")
    ImageFormat format;

    @Override
    public Integer call() throws Exception {
        List<Service> all = Service.manifest(root.resolve("deploy/services.txt"));
        List<Service> chosen = new ArrayList<>();
        for (String name : services.isEmpty() ? all.stream().map(Service::name).toList() : services) {
            chosen.add(all.stream()
                    .filter(s -> s.name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "--service " + name + ": not a service of deploy/services.txt")));
        }
        String baseImage = base != null
                ? base
                : Optional.ofNullable(System.getenv("STRATA_BASE_IMAGE")).orElse(DEFAULT_BASE);
        Path tarballs = out != null ? out : root.resolve("target/images");
        for (Service service : chosen) {
            String imageTag =
                    tag != null ? tag : appVersion(root.resolve("helm").resolve(service.name()));
            Path app = root.resolve("services").resolve(service.name()).resolve("target/quarkus-app");
            try {
                Built built = build(service, app, baseImage, imageTag, registry, tarballs, format);
                System.out.printf(Locale.ROOT, "%s %s %s%n", built.reference(), built.digest(), built.where());
            } catch (IllegalStateException e) {
                System.err.println("images: " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    record Built(String reference, String digest, String where) {}

    /** Builds one service's image, to a tarball under {@code tarballs} or, with a registry, there. */
    static Built build(
            Service service, Path app, String baseImage, String tag, String registry, Path tarballs, ImageFormat format)
            throws Exception {
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(
                    app + " holds no packaged service (quarkus-run.jar): run ./strata build first");
        }
        String repository = (registry == null ? "" : registry.replaceAll("/+$", "") + "/") + "strata/" + service.name();
        ImageReference target = ImageReference.parse(repository + ":" + tag);
        JibContainerBuilder image = container(service, app, from(baseImage), format, tag);
        Containerizer containerizer;
        String where;
        if (registry == null) {
            Files.createDirectories(tarballs);
            Path tarball = tarballs.resolve(service.name() + ".tar");
            containerizer = Containerizer.to(TarImage.at(tarball).named(target));
            where = tarball.toString();
        } else {
            containerizer = Containerizer.to(withCredentials(RegistryImage.named(target), target));
            where = target.getRegistry();
        }
        containerizer
                .setToolName("strata-images")
                .setBaseImageLayersCache(cacheDir().resolve("base"))
                .setApplicationLayersCache(cacheDir().resolve("application"))
                .addEventHandler(LogEvent.class, ImagesCommand::log);
        JibContainer built;
        try {
            built = image.containerize(containerizer);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "the image of " + service.name() + " could not be built from " + baseImage + ": " + e.getMessage()
                            + " (without access to that registry, set STRATA_BASE_IMAGE or --base to a mirror,"
                            + " or to tar://FILE of a Java 21 runtime image)",
                    e);
        }
        return new Built(target.toString(), built.getDigest().toString(), where);
    }

    /** The container: layers, user, entry point, ports and labels, on the given base. */
    static JibContainerBuilder container(
            Service service, Path app, JibContainerBuilder base, ImageFormat format, String version)
            throws IOException {
        // least often changed first: a new build of the service's own code re-sends one small layer
        base.addFileEntriesLayer(layer("libraries", app, "lib"))
                .addFileEntriesLayer(
                        layer("quarkus", app, "quarkus", "quarkus-run.jar", "quarkus-app-dependencies.txt"))
                .addFileEntriesLayer(layer("application", app, "app"));
        Set<Port> ports = new LinkedHashSet<>();
        for (int port : service.ports()) {
            ports.add(Port.tcp(port));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.title", service.name());
        labels.put("org.opencontainers.image.version", version);
        labels.put("org.opencontainers.image.vendor", "Strata");
        labels.put("org.opencontainers.image.licenses", "Apache-2.0");
        labels.put("org.opencontainers.image.description", "Strata " + service.name());
        return base.setFormat(format)
                .setUser(USER)
                .setWorkingDirectory(HOME)
                .setEntrypoint("java", "-jar", HOME.resolve("quarkus-run.jar").toString())
                .setEnvironment(Map.of("LANG", "C.UTF-8"))
                .setExposedPorts(ports)
                .setLabels(labels)
                .setCreationTime(Instant.EPOCH);
    }

    /** The named entries of the packaged service (files or directories) under /deployments. */
    private static FileEntriesLayer layer(String name, Path app, String... entries) throws IOException {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        for (String entry : entries) {
            Path source = app.resolve(entry);
            if (Files.exists(source)) {
                layer.addEntryRecursive(source, HOME.resolve(entry));
            }
        }
        return layer.build();
    }

    static JibContainerBuilder from(String baseImage) throws InvalidImageReferenceException {
        if (baseImage.equals("scratch")) {
            return Jib.fromScratch();
        }
        if (baseImage.startsWith("tar://") || baseImage.startsWith("docker://")) {
            return Jib.from(baseImage);
        }
        String reference =
                baseImage.startsWith("registry://") ? baseImage.substring("registry://".length()) : baseImage;
        ImageReference parsed = ImageReference.parse(reference);
        return Jib.from(withCredentials(RegistryImage.named(parsed), parsed));
    }

    private static RegistryImage withCredentials(RegistryImage image, ImageReference reference) {
        String username = System.getenv("STRATA_REGISTRY_USERNAME");
        String password = System.getenv("STRATA_REGISTRY_PASSWORD");
        if (username != null && password != null) {
            image.addCredential(username, password);
        }
        CredentialRetrieverFactory credentials = CredentialRetrieverFactory.forImage(reference, ImagesCommand::log);
        for (CredentialRetriever retriever :
                List.of(credentials.dockerConfig(), credentials.wellKnownCredentialHelpers())) {
            image.addCredentialRetriever(retriever);
        }
        return image;
    }

    private static Path cacheDir() {
        return Path.of(Optional.ofNullable(System.getenv("STRATA_IMAGE_CACHE"))
                .orElse(System.getProperty("user.home") + "/.cache/strata/images"));
    }

    private static void log(LogEvent event) {
        if (event.getLevel() == LogEvent.Level.ERROR || event.getLevel() == LogEvent.Level.WARN) {
            System.err.println("images: " + event.getMessage());
        }
    }

    private static final Pattern APP_VERSION = Pattern.compile("(?m)^appVersion:\\s*\"?([^\"\\s]+)\"?\\s*$");

    /** The chart's appVersion: the tag the chart deploys unless told another. */
    static String appVersion(Path chart) throws IOException {
        Matcher matcher = APP_VERSION.matcher(Files.readString(chart.resolve("Chart.yaml")));
        if (!matcher.find()) {
            throw new IllegalStateException(chart.resolve("Chart.yaml") + " names no appVersion");
        }
        return matcher.group(1);
    }

    /** A line of deploy/services.txt: the name and the ports the image exposes. */
    record Service(String name, List<Integer> ports) {

        static List<Service> manifest(Path file) throws IOException {
            List<Service> services = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] fields = trimmed.split("\\s+");
                if (fields.length < 4) {
                    throw new IllegalStateException(file + ": a service line needs name, http, grpc and mgmt: " + line);
                }
                Set<Integer> ports = new LinkedHashSet<>();
                for (int i = 1; i <= 3; i++) {
                    if (!fields[i].equals("-")) {
                        ports.add(Integer.parseInt(fields[i]));
                    }
                }
                services.add(new Service(fields[0], List.copyOf(ports)));
            }
            return services;
        }
    }
}
