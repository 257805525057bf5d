package io.strata.segmentation.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.strata.platform.errors.Errors;
import io.strata.platform.logging.LogSafe;
import io.strata.segmentation.client.ModelTags;
import io.strata.segmentation.client.Replicas;
import io.strata.segmentation.config.SegmentationConfig;
import io.strata.segmentation.engine.ProfileTable;
import io.strata.segmentation.models.Aipl;
import io.strata.segmentation.models.InvalidSettingsException;
import io.strata.segmentation.models.ModelInputs;
import io.strata.segmentation.models.ModelOutputs;
import io.strata.segmentation.models.ModelSettings;
import io.strata.segmentation.repository.ModelRunRepository;
import io.strata.segmentation.repository.ModelSettingsRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs a tenant's models over every partition of the feed, wherever they are served, in two steps
 * (docs/models.md): each partition's server sums up what the tenant-wide models need (RFM's
 * histograms, the CLV summaries), this replica merges the sums and finds the tenant's RFM scale and
 * CLV fit, then each server applies them to its profiles and writes the model tags that changed
 * through profile-service. Every run is recorded: its instant, the settings' version, how long it
 * took, the counts per class and the fit.
 */
@ApplicationScoped
public class ModelRuns {

    private static final Logger LOG = Logger.getLogger(ModelRuns.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What applying the models to some partitions gave: counts per class, profiles, tag values changed. */
    public record Applied(Map<String, Map<String, Long>> counts, long profiles, long changed) {}

    /** AIPL stages at two instants: the flows ("" for none), the members and those of them active. */
    public record Flows(Map<String, Map<String, Long>> flows, long members, long activeMembers) {}

    /** The settings a run uses and their version (0: the defaults). */
    public record Versioned(ModelSettings settings, long version) {}

    private final Engine engine;
    private final AudienceQueries queries;
    private final Replicas replicas;
    private final ModelSettingsRepository settings;
    private final ModelRunRepository runs;
    private final ModelTags tags;
    private final SegmentationConfig config;
    private final Timer duration;

    public ModelRuns(
            Engine engine,
            AudienceQueries queries,
            Replicas replicas,
            ModelSettingsRepository settings,
            ModelRunRepository runs,
            ModelTags tags,
            SegmentationConfig config,
            MeterRegistry registry) {
        this.engine = engine;
        this.queries = queries;
        this.replicas = replicas;
        this.settings = settings;
        this.runs = runs;
        this.tags = tags;
        this.config = config;
        this.duration = Timer.builder("strata_segmentation_model_run_seconds")
                .description("How long model runs took, start to finish")
                .register(registry);
    }

    private ScheduledExecutorService timer;

    void schedule(@Observes StartupEvent event) {
        Duration every = config.models().runEvery();
        if (every.isZero() || every.isNegative()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "segmentation-model-schedule");
            thread.setDaemon(true);
            return thread;
        });
        long check = config.models().scheduleCheck().toMillis();
        timer.scheduleWithFixedDelay(this::startDue, check, check, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /**
     * Starts a scheduled run of each tenant held here whose last one started more than {@code
     * run-every} ago (a tenant spread over replicas is started by whichever looks first; the others
     * find it running or recent).
     */
    void startDue() {
        Instant now = Instant.now();
        for (String tenant : engine.tenants()) {
            runs.lastScheduled(tenant)
                    .chain(last -> last != null
                                    && last.isAfter(now.minus(config.models().runEvery()))
                            ? Uni.createFrom().nullItem()
                            : start(tenant, now, "scheduled", "segmentation-service"))
                    .subscribe()
                    .with(
                            run -> {},
                            failure -> LOG.debugf(
                                    "tenant %s: no scheduled model run now: %s",
                                    tenant, LogSafe.text(Errors.description(failure))));
        }
    }

    /** The tenant's settings in force, read as today's code reads them. */
    public Uni<Versioned> settings(String tenant) {
        return settings.latest(tenant).map(stored -> {
            if (stored == null) {
                return new Versioned(ModelSettings.DEFAULTS, 0);
            }
            try {
                return new Versioned(ModelSettings.parse(JSON.readTree(stored.settings())), stored.version());
            } catch (InvalidSettingsException | JsonProcessingException e) {
                throw Errors.precondition("the model settings of version " + stored.version() + " are no longer valid ("
                        + e.getMessage() + "); store new ones first");
            }
        });
    }

    /**
     * Starts a run as of {@code asOf} and answers at once with it, running; the run goes on in the
     * background and its record tells how it ended.
     */
    public Uni<ModelRunRepository.Stored> start(String tenant, Instant asOf, String trigger, String by) {
        // every partition served first: while one loads, the caller is told to retry (no run recorded)
        return queries.plan().chain(plan -> settings(tenant)).chain(versioned -> {
            Instant from = asOf.minus(Duration.ofDays(reach(versioned.settings())));
            return runs.start(
                            tenant,
                            trigger,
                            asOf,
                            from,
                            versioned.version(),
                            by,
                            config.models().abandonedAfter())
                    .invoke(run -> {
                        LOG.infof(
                                "tenant %s: model run %s started as of %s (settings version %d, %s)",
                                tenant, run.id(), asOf, versioned.version(), trigger);
                        Timer.Sample sample = Timer.start();
                        execute(run, versioned.settings())
                                .subscribe()
                                .with(
                                        done -> {
                                            sample.stop(duration);
                                            LOG.infof(
                                                    "tenant %s: model run %s done: %d profiles, %d tag values changed",
                                                    tenant, run.id(), done.profiles(), done.tagsChanged());
                                        },
                                        failure -> {
                                            sample.stop(duration);
                                            LOG.errorf(
                                                    failure,
                                                    "tenant %s: model run %s failed: %s",
                                                    tenant,
                                                    run.id(),
                                                    LogSafe.text(why(failure)));
                                        });
                    });
        });
    }

    /** What a failure says, never nothing. */
    static String why(Throwable failure) {
        String description = Errors.description(failure);
        return description == null || description.isBlank() ? failure.toString() : description;
    }

    /** The longest any window of the settings reaches back, in days. */
    static long reach(ModelSettings s) {
        long days = Math.max(s.rfm().windowDays(), s.lifecycle().loyalWindowDays());
        days = Math.max(days, 2L * s.churn().windowDays());
        days = Math.max(days, s.aipl().awarenessDays());
        days = Math.max(days, s.aipl().interestDays());
        days = Math.max(days, s.aipl().loyalWindowDays());
        days = Math.max(days, s.aipl().advocacyDays());
        return Math.max(days, s.aipl().purchaseWindow().toTotalMonths() * 31);
    }

    private Uni<ModelRunRepository.Stored> execute(ModelRunRepository.Stored run, ModelSettings s) {
        String tenant = run.tenant();
        long asOf = run.asOf().toEpochMilli();
        String json = s.json().toString();
        return queries.plan()
                .chain(plan -> {
                    // step 1: every partition's statistics
                    List<Uni<ModelOutputs.Statistics>> parts = new ArrayList<>();
                    parts.add(worker(() -> summarizeHere(tenant, plan.here(), s, run.asOf())));
                    plan.peers()
                            .forEach((peer, owned) -> parts.add(replicas.call(
                                            peer, config.models().stepTimeout())
                                    .summarizeForModels(ModelMessages.summarizeRequest(tenant, owned, json, asOf))
                                    .map(ModelMessages::statistics)
                                    .onFailure()
                                    .transform(f -> AudienceQueries.moved(f, owned))));
                    return Uni.join()
                            .all(parts)
                            .andFailFast()
                            .chain(all -> worker(() -> {
                                ModelOutputs.Statistics merged = ModelOutputs.Statistics.empty();
                                all.forEach(merged::addAll);
                                return ModelOutputs.fit(merged, s);
                            }))
                            .chain(fitted -> {
                                // step 2: applied everywhere, the changed tags written
                                List<Uni<Applied>> applied = new ArrayList<>();
                                applied.add(applyHere(tenant, plan.here(), s, run.asOf(), fitted));
                                plan.peers()
                                        .forEach((peer, owned) -> applied.add(replicas.call(
                                                        peer, config.models().stepTimeout())
                                                .applyModels(ModelMessages.applyRequest(
                                                        tenant, owned, json, asOf, fitted, s, run.id()))
                                                .map(ModelMessages::applied)
                                                .onFailure()
                                                .transform(f -> AudienceQueries.moved(f, owned))));
                                return Uni.join()
                                        .all(applied)
                                        .andCollectFailures()
                                        .chain(results -> finish(run, fitted, s, results));
                            });
                })
                .onFailure()
                .call(failure -> runs.fail(run.id(), why(failure)));
    }

    private Uni<ModelRunRepository.Stored> finish(
            ModelRunRepository.Stored run, ModelOutputs.Fitted fitted, ModelSettings s, List<Applied> results) {
        // every class, zero where none (a tenant without profiles too)
        Map<String, Map<String, Long>> counts = new LinkedHashMap<>(
                ModelOutputs.apply(List.of(), fitted, s, Map.of(), run.asOf()).counts());
        long profiles = 0;
        long changed = 0;
        for (Applied a : results) {
            ModelOutputs.merge(counts, a.counts());
            profiles += a.profiles();
            changed += a.changed();
        }
        return runs.finish(run.id(), profiles, JSON.valueToTree(counts).toString(), changed, clvJson(fitted, s));
    }

    /** The CLV fit as the run records it: the API's message in its JSON form. */
    static String clvJson(ModelOutputs.Fitted fitted, ModelSettings s) {
        try {
            return JsonFormat.printer().print(ModelMessages.clv(fitted, s));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the CLV fit does not print as JSON", e);
        }
    }

    // ---- each step on the partitions served here ----

    /** Step 1 on these partitions. */
    public ModelOutputs.Statistics summarizeHere(
            String tenant, List<Integer> partitions, ModelSettings s, Instant asOf) {
        ModelOutputs.Statistics out = ModelOutputs.Statistics.empty();
        engine.readTables(tenant, partitions, table -> ModelOutputs.statistics(ModelInputs.of(table, s, asOf), s))
                .values()
                .forEach(out::addAll);
        return out;
    }

    /** What step 2 found on the partitions before writing: counts, tag changes, profiles. */
    private record Found(Map<String, Map<String, Long>> counts, List<ModelTags.Change> changes, long profiles) {}

    /** Step 2 on these partitions: outputs found under the read lock, the changed tags written after. */
    public Uni<Applied> applyHere(
            String tenant, List<Integer> partitions, ModelSettings s, Instant asOf, ModelOutputs.Fitted fitted) {
        return worker(() -> {
                    Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
                    List<ModelTags.Change> changes = new ArrayList<>();
                    long profiles = 0;
                    Map<Integer, ModelOutputs.Run> runs = engine.readTables(tenant, partitions, table -> {
                        ModelOutputs.Run run =
                                ModelOutputs.apply(ModelInputs.of(table, s, asOf), fitted, s, Map.of(), asOf);
                        changes.addAll(changes(table, run, fitted.clv().isPresent()));
                        return run;
                    });
                    for (ModelOutputs.Run run : runs.values()) {
                        ModelOutputs.merge(counts, run.counts());
                        profiles += run.profiles().size();
                    }
                    return new Found(counts, changes, profiles);
                })
                .chain(found -> tags.write(tenant, found.changes())
                        .map(changed -> new Applied(found.counts(), found.profiles(), changed)));
    }

    /** The model tags whose value differs from what the profile holds. */
    static List<ModelTags.Change> changes(ProfileTable table, ModelOutputs.Run run, boolean clvFitted) {
        List<ModelTags.Change> out = new ArrayList<>();
        for (ModelOutputs.Profile p : run.profiles()) {
            var ordinal = table.find(p.id());
            if (ordinal.isEmpty()) {
                continue;
            }
            var facts = table.facts(ordinal.getAsInt());
            p.tags(clvFitted).forEach((key, value) -> {
                Object held = facts.value("tags." + key);
                if (!java.util.Objects.equals(held, value)) {
                    out.add(new ModelTags.Change(p.id(), key, value));
                }
            });
        }
        return out;
    }

    /** AIPL stages at {@code from} and {@code to} on these partitions. */
    public Flows flowsHere(String tenant, List<Integer> partitions, ModelSettings s, Instant from, Instant to) {
        Map<String, Map<String, Long>> flows = new LinkedHashMap<>();
        long[] members = new long[2];
        engine.readTables(tenant, partitions, table -> {
            Map<String, Aipl.Stage> start = stages(ModelInputs.of(table, s, from));
            Map<String, Aipl.Stage> end = stages(ModelInputs.of(table, s, to));
            Aipl.flows(start, end)
                    .forEach((a, row) -> row.forEach((b, n) ->
                            flows.computeIfAbsent(code(a), k -> new HashMap<>()).merge(code(b), n, Long::sum)));
            table.live().forEach((int ordinal) -> {
                var facts = table.facts(ordinal);
                if (facts.value(ModelInputs.MEMBER_TRAIT) != null) {
                    members[0]++;
                    if (ModelInputs.thriving(facts, s, to)) {
                        members[1]++;
                    }
                }
            });
            return null;
        });
        return new Flows(flows, members[0], members[1]);
    }

    /** The flows over every partition: FAST and the matrix. */
    public Uni<Flows> flows(String tenant, Instant from, Instant to, ModelSettings s) {
        String json = s.json().toString();
        return queries.plan().chain(plan -> {
            List<Uni<Flows>> parts = new ArrayList<>();
            parts.add(worker(() -> flowsHere(tenant, plan.here(), s, from, to)));
            plan.peers()
                    .forEach((peer, owned) ->
                            parts.add(replicas.call(peer, config.models().stepTimeout())
                                    .countAiplFlows(ModelMessages.flowsRequest(tenant, owned, json, from, to))
                                    .map(ModelMessages::flows)
                                    .onFailure()
                                    .transform(f -> AudienceQueries.moved(f, owned))));
            return Uni.join().all(parts).andFailFast().map(all -> {
                Map<String, Map<String, Long>> flows = new LinkedHashMap<>();
                long members = 0;
                long active = 0;
                for (Flows f : all) {
                    ModelOutputs.merge(flows, f.flows());
                    members += f.members();
                    active += f.activeMembers();
                }
                return new Flows(flows, members, active);
            });
        });
    }

    private static Map<String, Aipl.Stage> stages(List<ModelInputs.Profile> inputs) {
        Map<String, Aipl.Stage> out = new HashMap<>();
        for (ModelInputs.Profile p : inputs) {
            p.aipl().ifPresent(stage -> out.put(p.id(), stage));
        }
        return out;
    }

    /** A stage's code, "" for none. */
    public static String code(Aipl.Stage stage) {
        return stage == null ? "" : stage.code();
    }

    /** A step on a worker thread; a partition not live here fails it as FAILED_PRECONDITION (it moved). */
    public static <T> Uni<T> worker(java.util.function.Supplier<T> step) {
        return Uni.createFrom()
                .item(() -> {
                    try {
                        return step.get();
                    } catch (IllegalStateException e) {
                        throw Errors.precondition(e.getMessage());
                    }
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The runs' ids as stored. */
    public static Optional<UUID> id(String text) {
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
