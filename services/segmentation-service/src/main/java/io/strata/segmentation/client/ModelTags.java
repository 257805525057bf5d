package io.strata.segmentation.client;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.strata.platform.grpc.ServiceCallInterceptor;
import io.strata.platform.logging.LogSafe;
import io.strata.proto.profile.v1.MutinyTagServiceGrpc;
import io.strata.proto.profile.v1.ProfileRef;
import io.strata.proto.profile.v1.SetTagsRequest;
import io.strata.proto.profile.v1.TagAssignment;
import io.strata.segmentation.config.SegmentationConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Writes model outputs to profiles as tags through profile-service's {@code TagService.SetTags}
 * (with this service's own token: the values' source is {@code model:strata-segmentation-service}),
 * one tag at a time in batches. The changes come back on the profile feed like any tag change, so
 * audiences over the model tags (and the journeys they start) follow.
 */
@ApplicationScoped
public class ModelTags {

    private static final Logger LOG = Logger.getLogger(ModelTags.class);

    /** One profile's tag to set ({@code value} null: removed). */
    public record Change(String profileId, String key, String value) {}

    private final MutinyTagServiceGrpc.MutinyTagServiceStub tags;
    private final SegmentationConfig config;
    private final Counter written;
    private final Counter refused;

    public ModelTags(
            @GrpcClient("profile") Channel channel,
            ReplicaTokens tokens,
            SegmentationConfig config,
            MeterRegistry registry) {
        this.tags = MutinyTagServiceGrpc.newMutinyStub(
                ClientInterceptors.intercept(channel, new ServiceCallInterceptor(tokens)));
        this.config = config;
        this.written = registry.counter("strata_segmentation_model_tags_total", "outcome", "changed");
        this.refused = registry.counter("strata_segmentation_model_tags_total", "outcome", "refused");
    }

    /**
     * Writes the changes, batch after batch; the profiles whose tags changed. A row refused (the
     * profile was deleted or merged away meanwhile) is logged and skipped; a failed call fails the
     * whole (what was written stays written: the next run writes the rest).
     */
    public Uni<Long> write(String tenant, List<Change> changes) {
        Map<String, List<Change>> byKey = new LinkedHashMap<>();
        for (Change c : changes) {
            byKey.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c);
        }
        int batch = Math.max(1, Math.min(10_000, config.models().tagBatch()));
        List<SetTagsRequest> requests = new ArrayList<>();
        byKey.forEach((key, rows) -> {
            for (int from = 0; from < rows.size(); from += batch) {
                SetTagsRequest.Builder request =
                        SetTagsRequest.newBuilder().setTenant(tenant).setTagKey(key);
                for (Change c : rows.subList(from, Math.min(rows.size(), from + batch))) {
                    TagAssignment.Builder row = TagAssignment.newBuilder()
                            .setProfile(ProfileRef.newBuilder().setProfileId(c.profileId()));
                    if (c.value() == null) {
                        row.setRemove(true);
                    } else {
                        row.setValue(c.value());
                    }
                    request.addAssignments(row);
                }
                requests.add(request.build());
            }
        });
        return Multi.createFrom()
                .iterable(requests)
                .onItem()
                .transformToUniAndConcatenate(request -> tags.setTags(request)
                        .ifNoItem()
                        .after(Duration.ofMinutes(2))
                        .fail()
                        .map(response -> {
                            if (response.getRefusedCount() > 0) {
                                refused.increment(response.getRefusedCount());
                                LOG.warnf(
                                        "tenant %s: %d of %d values of tag %s were refused, first: %s",
                                        tenant,
                                        response.getRefusedCount(),
                                        request.getAssignmentsCount(),
                                        request.getTagKey(),
                                        LogSafe.text(response.getRefused(0).getReason()));
                            }
                            written.increment(response.getChanged());
                            return (long) response.getChanged();
                        }))
                .collect()
                .with(java.util.stream.Collectors.summingLong(Long::longValue));
    }
}
