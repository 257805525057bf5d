package io.strata.campaign.service;

import io.strata.campaign.journey.Journey;
import io.strata.campaign.journey.JourneyMachine;
import io.strata.campaign.journey.JourneyParser;
import io.strata.campaign.journey.Node;
import io.strata.campaign.journey.Predicate;
import io.strata.campaign.repository.Db;
import io.strata.campaign.repository.JourneyRepository;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Published versions, parsed once (a version never changes), and per tenant the live versions new
 * entries start on and the event names some runnable version reads, refreshed every few seconds
 * (at once on this replica after a publish).
 */
public final class JourneyCache {

    /** How stale the live journeys of a tenant may be on a replica that did not publish. */
    static final Duration REFRESH = Duration.ofSeconds(5);

    record Tenant(List<Journey> live, Set<String> watched, long loadedAt) {}

    private final Map<String, JourneyMachine> machines = new ConcurrentHashMap<>();
    private final Map<String, Journey> versions = new ConcurrentHashMap<>();
    private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();

    public Journey version(Db.Session s, String tenant, String key, int version) {
        String id = tenant + "/" + key + "/" + version;
        Journey j = versions.get(id);
        if (j == null) {
            var row = JourneyRepository.version(s, tenant, key, version)
                    .orElseThrow(() -> new IllegalStateException("no version " + version + " of journey " + key));
            j = JourneyParser.parsePublished(row.definition(), version);
            versions.put(id, j);
        }
        return j;
    }

    public JourneyMachine machine(Db.Session s, String tenant, String key, int version) {
        return machines.computeIfAbsent(
                tenant + "/" + key + "/" + version, id -> new JourneyMachine(version(s, tenant, key, version)));
    }

    public List<Journey> live(Db.Session s, String tenant) {
        return tenant(s, tenant).live();
    }

    /** Whether some runnable version of the tenant's journeys reads events of this name. */
    public boolean watched(Db.Session s, String tenant, String eventName) {
        return tenant(s, tenant).watched().contains(eventName);
    }

    public void invalidate(String tenant) {
        tenants.remove(tenant);
    }

    private Tenant tenant(Db.Session s, String tenant) {
        Tenant t = tenants.get(tenant);
        long now = System.nanoTime();
        if (t == null || now - t.loadedAt() > REFRESH.toNanos()) {
            var live = JourneyRepository.live(s, tenant).stream()
                    .map(v -> version(s, tenant, v.key(), v.version()))
                    .toList();
            var watched = new HashSet<String>();
            for (var v : JourneyRepository.runnable(s, tenant)) {
                watch(version(s, tenant, v.key(), v.version()), watched);
            }
            t = new Tenant(live, Set.copyOf(watched), now);
            tenants.put(tenant, t);
        }
        return t;
    }

    static void watch(Journey j, Set<String> names) {
        for (var rule : j.exitRules()) {
            if (rule instanceof Journey.ExitRule.OnEvent on) {
                names.add(on.event().name());
            }
        }
        for (Node node : j.nodes().values()) {
            switch (node) {
                case Node.Trigger t
                when t.entry() instanceof Node.Entry.Event e ->
                    names.add(e.event().name());
                case Node.WaitForEvent w ->
                    w.branches().forEach(b -> names.add(b.event().name()));
                case Node.Goal g -> names.add(g.event().name());
                case Node.Condition c -> c.branches().forEach(b -> predicateEvents(b.when(), names));
                default -> {}
            }
        }
    }

    private static void predicateEvents(Predicate p, Set<String> names) {
        switch (p) {
            case Predicate.EventSinceEntry e -> names.add(e.event().name());
            case Predicate.All all -> all.all().forEach(q -> predicateEvents(q, names));
            case Predicate.Any any -> any.any().forEach(q -> predicateEvents(q, names));
            case Predicate.Not not -> predicateEvents(not.not(), names);
            default -> {}
        }
    }
}
