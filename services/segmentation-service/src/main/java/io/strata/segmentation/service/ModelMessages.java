package io.strata.segmentation.service;

import io.strata.proto.segmentation.v1.AiplFlow;
import io.strata.proto.segmentation.v1.ApplyModelsRequest;
import io.strata.proto.segmentation.v1.ApplyModelsResponse;
import io.strata.proto.segmentation.v1.ClassCounts;
import io.strata.proto.segmentation.v1.ClvFit;
import io.strata.proto.segmentation.v1.ClvSummaryCount;
import io.strata.proto.segmentation.v1.CountAiplFlowsRequest;
import io.strata.proto.segmentation.v1.CountAiplFlowsResponse;
import io.strata.proto.segmentation.v1.RfmDimension;
import io.strata.proto.segmentation.v1.SummarizeForModelsRequest;
import io.strata.proto.segmentation.v1.SummarizeForModelsResponse;
import io.strata.proto.segmentation.v1.ValueCounts;
import io.strata.segmentation.models.BgNbd;
import io.strata.segmentation.models.Clv;
import io.strata.segmentation.models.GammaGamma;
import io.strata.segmentation.models.ModelOutputs;
import io.strata.segmentation.models.ModelSettings;
import io.strata.segmentation.models.Rfm;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** A model run's steps as the replicas send them to one another, and back. */
public final class ModelMessages {

    private ModelMessages() {}

    public static SummarizeForModelsRequest summarizeRequest(
            String tenant, List<Integer> partitions, String settings, long asOf) {
        return SummarizeForModelsRequest.newBuilder()
                .setTenant(tenant)
                .addAllPartitions(partitions)
                .setSettings(settings)
                .setAsOfMillis(asOf)
                .build();
    }

    public static SummarizeForModelsResponse.Builder summarizeResponse(ModelOutputs.Statistics s) {
        SummarizeForModelsResponse.Builder out = SummarizeForModelsResponse.newBuilder()
                .setProfiles(s.profileCount())
                .setRecency(values(s.rfm().recency()))
                .setFrequency(values(s.rfm().frequency()))
                .setMonetary(values(s.rfm().monetary()));
        s.clv()
                .forEach((summary, count) -> out.addClv(ClvSummaryCount.newBuilder()
                        .setX(summary.x())
                        .setTx(summary.tx())
                        .setT(summary.T())
                        .setMonetary(summary.monetary())
                        .setCount(count)));
        return out;
    }

    public static ModelOutputs.Statistics statistics(SummarizeForModelsResponse r) {
        ModelOutputs.Statistics out = ModelOutputs.Statistics.empty();
        histogram(r.getRecency(), out.rfm().recency());
        histogram(r.getFrequency(), out.rfm().frequency());
        histogram(r.getMonetary(), out.rfm().monetary());
        for (ClvSummaryCount c : r.getClvList()) {
            out.add(new ModelOutputs.Summary(c.getX(), c.getTx(), c.getT(), c.getMonetary()), c.getCount());
        }
        out.addProfiles(r.getProfiles());
        return out;
    }

    private static ValueCounts values(Rfm.Histogram h) {
        ValueCounts.Builder out = ValueCounts.newBuilder();
        h.counts().forEach((value, count) -> out.addValues(value).addCounts(count));
        return out.build();
    }

    private static void histogram(ValueCounts values, Rfm.Histogram into) {
        for (int i = 0; i < values.getValuesCount(); i++) {
            into.add(values.getValues(i), values.getCounts(i));
        }
    }

    public static ApplyModelsRequest applyRequest(
            String tenant,
            List<Integer> partitions,
            String settings,
            long asOf,
            ModelOutputs.Fitted fitted,
            ModelSettings s,
            UUID run) {
        ApplyModelsRequest.Builder out = ApplyModelsRequest.newBuilder()
                .setTenant(tenant)
                .addAllPartitions(partitions)
                .setSettings(settings)
                .setAsOfMillis(asOf)
                .setRecency(dimension(fitted.rfm().recency()))
                .setFrequency(dimension(fitted.rfm().frequency()))
                .setMonetary(dimension(fitted.rfm().monetary()))
                .setRunId(run.toString());
        fitted.clv().ifPresent(fit -> out.setClv(clv(fitted, s)));
        return out.build();
    }

    /** The fit as the run shows it (and the replicas send it). */
    public static ClvFit clv(ModelOutputs.Fitted fitted, ModelSettings s) {
        ClvFit.Builder out = ClvFit.newBuilder()
                .setFitted(fitted.clv().isPresent())
                .setReason(fitted.clvReason())
                .setTimeUnitDays(s.clv().timeUnitDays());
        fitted.clv()
                .ifPresent(fit -> out.setR(fit.purchases().r())
                        .setAlpha(fit.purchases().alpha())
                        .setA(fit.purchases().a())
                        .setB(fit.purchases().b())
                        .setP(fit.spend().p())
                        .setQ(fit.spend().q())
                        .setGamma(fit.spend().gamma())
                        .setCustomers(fit.customers())
                        .setRepeatBuyers(fit.repeatBuyers())
                        .setHighCut(fit.cuts().high())
                        .setMidCut(fit.cuts().mid())
                        .addAllBgnbdStandardErrors(fit.purchaseErrors())
                        .addAllGammaGammaStandardErrors(fit.spendErrors()));
        return out.build();
    }

    /** What a replica is asked to apply. */
    public static ModelOutputs.Fitted fitted(ApplyModelsRequest r) {
        Rfm.Scale scale =
                new Rfm.Scale(dimension(r.getRecency()), dimension(r.getFrequency()), dimension(r.getMonetary()));
        if (!r.hasClv() || !r.getClv().getFitted()) {
            return new ModelOutputs.Fitted(
                    scale, Optional.empty(), r.hasClv() ? r.getClv().getReason() : "not fitted");
        }
        ClvFit c = r.getClv();
        return new ModelOutputs.Fitted(
                scale,
                Optional.of(new ModelOutputs.ClvFit(
                        new BgNbd.Params(c.getR(), c.getAlpha(), c.getA(), c.getB()),
                        new GammaGamma.Params(c.getP(), c.getQ(), c.getGamma()),
                        c.getCustomers(),
                        c.getRepeatBuyers(),
                        new Clv.Cuts(c.getHighCut(), c.getMidCut()))),
                c.getReason());
    }

    private static RfmDimension dimension(Rfm.Dimension d) {
        RfmDimension.Builder out = RfmDimension.newBuilder()
                .setReversed(d.reversed())
                .setHighBy(d.by().name())
                .setThreshold(d.threshold());
        for (double cut : d.cuts()) {
            out.addCuts(cut);
        }
        return out.build();
    }

    private static Rfm.Dimension dimension(RfmDimension d) {
        return new Rfm.Dimension(
                d.getCutsList().stream().mapToDouble(Double::doubleValue).toArray(),
                d.getReversed(),
                Rfm.HighBy.valueOf(d.getHighBy()),
                d.getThreshold());
    }

    public static ApplyModelsResponse.Builder appliedResponse(ModelRuns.Applied a) {
        return ApplyModelsResponse.newBuilder()
                .setProfiles(a.profiles())
                .setTagsChanged(a.changed())
                .putAllCounts(counts(a.counts()));
    }

    public static ModelRuns.Applied applied(ApplyModelsResponse r) {
        return new ModelRuns.Applied(fromProto(r.getCountsMap()), r.getProfiles(), r.getTagsChanged());
    }

    public static Map<String, ClassCounts> counts(Map<String, Map<String, Long>> counts) {
        Map<String, ClassCounts> out = new LinkedHashMap<>();
        counts.forEach((model, classes) ->
                out.put(model, ClassCounts.newBuilder().putAllCounts(classes).build()));
        return out;
    }

    private static Map<String, Map<String, Long>> fromProto(Map<String, ClassCounts> counts) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        counts.forEach((model, classes) -> out.put(model, new LinkedHashMap<>(classes.getCountsMap())));
        return out;
    }

    public static CountAiplFlowsRequest flowsRequest(
            String tenant, List<Integer> partitions, String settings, Instant from, Instant to) {
        return CountAiplFlowsRequest.newBuilder()
                .setTenant(tenant)
                .addAllPartitions(partitions)
                .setSettings(settings)
                .setFromMillis(from.toEpochMilli())
                .setToMillis(to.toEpochMilli())
                .build();
    }

    public static CountAiplFlowsResponse.Builder flowsResponse(ModelRuns.Flows f) {
        CountAiplFlowsResponse.Builder out =
                CountAiplFlowsResponse.newBuilder().setMembers(f.members()).setActiveMembers(f.activeMembers());
        f.flows()
                .forEach((from, row) -> row.forEach((to, n) -> out.addFlows(
                        AiplFlow.newBuilder().setFrom(from).setTo(to).setCount(n))));
        return out;
    }

    public static ModelRuns.Flows flows(CountAiplFlowsResponse r) {
        Map<String, Map<String, Long>> flows = new HashMap<>();
        for (AiplFlow f : r.getFlowsList()) {
            flows.computeIfAbsent(f.getFrom(), k -> new HashMap<>()).merge(f.getTo(), f.getCount(), Long::sum);
        }
        return new ModelRuns.Flows(flows, r.getMembers(), r.getActiveMembers());
    }
}
