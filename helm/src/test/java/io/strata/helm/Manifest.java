package io.strata.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

/** deploy/services.txt and deploy/kafka/topics.txt, which the charts follow. */
final class Manifest {

    private Manifest() {}

    /** One line of the services manifest. */
    record Service(String name, int http, int grpc, int management, String database, boolean client, boolean start) {}

    record Topic(String name, int partitions) {}

    static List<Service> services() {
        return lines("deploy/services.txt").stream()
                .map(l -> l.split("\\s+"))
                .map(f -> new Service(
                        f[0],
                        Integer.parseInt(f[1]),
                        f[2].equals("-") ? 0 : Integer.parseInt(f[2]),
                        Integer.parseInt(f[3]),
                        f[4].equals("-") ? null : f[4],
                        f[5].equals("yes"),
                        f[6].equals("yes")))
                .toList();
    }

    static List<Topic> topics() {
        return lines("deploy/kafka/topics.txt").stream()
                .map(l -> l.split("\\s+"))
                .map(f -> new Topic(f[0], Integer.parseInt(f[1])))
                .toList();
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Charts.ROOT.resolve(file)).stream()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
