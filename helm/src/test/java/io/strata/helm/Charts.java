package io.strata.helm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The charts as Helm renders them: copied under target/ (so the source tree gets no charts/ of
 * dependencies), their file:// dependencies built, rendered by Helm's own library, and every
 * manifest read back as the Kubernetes API's type for its kind — refusing fields the API does not
 * have.
 */
final class Charts {

    /** The repository's root (the build runs in helm/). */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    static final Path HELM = ROOT.resolve("helm");
    static final Path PLATFORM = ROOT.resolve("deploy/kubernetes/strata-platform");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper TYPED =
            new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    /** The kinds rendered with a type of the Kubernetes API; others (operators' resources) are read as trees. */
    private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("gateway.networking.k8s.io/v1/HTTPRoute", HTTPRoute.class));

    private static Path work;

    private Charts() {}

    /** The chart's copy with its dependencies built (the service charts first: the suite packs them). */
    static synchronized Path chart(String name) {
        if (work == null) {
            work = prepare();
        }
        return work.resolve(name);
    }

    private static Path prepare() {
        try {
            Path target = ROOT.resolve("helm/target/charts");
            if (Files.exists(target)) {
                try (Stream<Path> old = Files.walk(target)) {
                    old.sorted(Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(target);
            for (Path chart : chartDirs()) {
                copy(chart, target.resolve(chart.getFileName()));
            }
            copy(PLATFORM, target.resolve(PLATFORM.getFileName()));
            for (String service :
                    Manifest.services().stream().map(Manifest.Service::name).toList()) {
                new Helm(target.resolve(service)).dependency().build().call();
            }
            new Helm(target.resolve("strata")).dependency().build().call();
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** helm/'s charts: every folder with a Chart.yaml. */
    static List<Path> chartDirs() {
        try (Stream<Path> dirs = Files.list(HELM)) {
            return dirs.filter(d -> Files.exists(d.resolve("Chart.yaml")))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file :
                    files.filter(f -> !f.toString().contains("/charts/")).toList()) {
                Path dest = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(file, dest);
                }
            }
        }
    }

    /** A rendering: the chart, the release name, value files under the chart and --set pairs. */
    static Rendered render(String chart, List<String> valueFiles, Map<String, Object> set) {
        Path dir = chart(chart);
        TemplateCommand template = new Helm(dir).template().withName("strata").withNamespace("strata");
        for (String file : valueFiles) {
            template = template.withValuesFile(dir.resolve(file));
        }
        for (Map.Entry<String, Object> pair : set.entrySet()) {
            template = template.set(pair.getKey(), pair.getValue());
        }
        return Rendered.of(dump(chart, valueFiles, template.call()));
    }

    /** With -Dstrata.helm.dump=true, what each rendering gave is kept under target/rendered/. */
    private static String dump(String chart, List<String> valueFiles, String yaml) {
        if (Boolean.getBoolean("strata.helm.dump")) {
            String name = chart
                    + valueFiles.stream()
                            .map(f -> "-" + Path.of(f).getFileName().toString().replace(".yaml", ""))
                            .reduce("", String::concat);
            try {
                Path dir = ROOT.resolve("helm/target/rendered");
                Files.createDirectories(dir);
                Files.writeString(dir.resolve(name + ".yaml"), yaml);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return yaml;
    }

    /** Renders with a file given as a value (--set-file). */
    static Rendered renderWithFile(String chart, Map<String, Object> set, String key, Path file) {
        TemplateCommand template = new Helm(chart(chart))
                .template()
                .withName("strata")
                .withNamespace("strata")
                .setFile(key, file);
        for (Map.Entry<String, Object> pair : set.entrySet()) {
            template = template.set(pair.getKey(), pair.getValue());
        }
        return Rendered.of(dump(chart, List.of(key), template.call()));
    }

    /** What one rendering gave: every document as a tree, and as its API type where it has one. */
    record Rendered(List<JsonNode> documents, List<HasMetadata> typed) {

        static Rendered of(String yaml) {
            List<JsonNode> documents = new ArrayList<>();
            List<HasMetadata> typed = new ArrayList<>();
            try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
                for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                    JsonNode document = it.next();
                    if (document == null || document.isNull() || document.isEmpty()) {
                        continue;
                    }
                    documents.add(document);
                    String key = document.path("apiVersion").asText() + "/"
                            + document.path("kind").asText();
                    Class<? extends HasMetadata> type = TYPES.get(key);
                    if (type != null) {
                        HasMetadata resource = TYPED.treeToValue(document, type);
                        List<String> unknown = new ArrayList<>();
                        unknownFields(
                                resource,
                                key + " " + resource.getMetadata().getName(),
                                unknown,
                                new IdentityHashMap<>());
                        if (!unknown.isEmpty()) {
                            throw new AssertionError("fields the Kubernetes API does not have: " + unknown);
                        }
                        typed.add(resource);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Rendered(documents, typed);
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return typed.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T one(Class<T> type, String name) {
            List<T> found = all(type).stream()
                    .filter(r -> r.getMetadata().getName().equals(name))
                    .toList();
            if (found.size() != 1) {
                throw new AssertionError("one " + type.getSimpleName() + " " + name + " expected, found " + found.size()
                        + " among "
                        + all(type).stream().map(r -> r.getMetadata().getName()).toList());
            }
            return found.get(0);
        }

        List<JsonNode> kind(String kind) {
            return documents.stream()
                    .filter(d -> d.path("kind").asText().equals(kind))
                    .toList();
        }
    }

    /**
     * The API types keep what they do not know in "additional properties" instead of refusing it:
     * every such map in the object graph must be empty.
     */
    private static void unknownFields(Object value, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, true) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || getter.getDeclaringClass() == Object.class
                    || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))) {
                continue;
            }
            try {
                Object field = getter.invoke(value);
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + ": " + extra.keySet());
                    }
                } else {
                    unknownFields(field, path + "." + getter.getName().replaceFirst("^(get|is)", ""), unknown, seen);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The Helm chart's values.yaml as a tree. */
    static JsonNode values(Path chart) {
        try {
            return YAML.readTree(chart.resolve("values.yaml").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> set(Object... pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put((String) pairs[i], pairs[i + 1]);
        }
        return out;
    }

    static Set<String> names(Collection<? extends HasMetadata> resources) {
        return new java.util.TreeSet<>(
                resources.stream().map(r -> r.getMetadata().getName()).toList());
    }
}
