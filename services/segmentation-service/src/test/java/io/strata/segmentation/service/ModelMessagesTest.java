package io.strata.segmentation.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.proto.segmentation.v1.ApplyModelsResponse;
import io.strata.proto.segmentation.v1.CountAiplFlowsResponse;
import io.strata.proto.segmentation.v1.SummarizeForModelsResponse;
import io.strata.segmentation.models.BgNbd;
import io.strata.segmentation.models.Clv;
import io.strata.segmentation.models.GammaGamma;
import io.strata.segmentation.models.ModelOutputs;
import io.strata.segmentation.models.ModelSettings;
import io.strata.segmentation.models.Rfm;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What one replica sends another in a model run reads back as it was (through the bytes). */
class ModelMessagesTest {

    @Test
    void statisticsFitsCountsAndFlowsGoThroughTheWire() throws Exception {
        ModelOutputs.Statistics s = ModelOutputs.Statistics.empty();
        s.rfm().add(new Rfm.Input("a", 3, 2, 120.5), ModelSettings.DEFAULTS.rfm());
        s.rfm().add(new Rfm.Input("b", 3, 1, 40), ModelSettings.DEFAULTS.rfm());
        s.add(new ModelOutputs.Summary(2, 5.5, 30, 60.25), 3);
        s.add(new ModelOutputs.Summary(0, 0, 12, 0), 1);
        s.addProfiles(7);
        ModelOutputs.Statistics back = ModelMessages.statistics(SummarizeForModelsResponse.parseFrom(
                ModelMessages.summarizeResponse(s).build().toByteArray()));
        assertEquals(s.rfm().recency().counts(), back.rfm().recency().counts());
        assertEquals(s.rfm().frequency().counts(), back.rfm().frequency().counts());
        assertEquals(s.rfm().monetary().counts(), back.rfm().monetary().counts());
        assertEquals(s.clv(), back.clv());
        assertEquals(7L, back.profileCount());

        Rfm.Scale scale = Rfm.scale(s.rfm(), ModelSettings.DEFAULTS.rfm());
        ModelOutputs.Fitted fitted = new ModelOutputs.Fitted(
                scale,
                Optional.of(new ModelOutputs.ClvFit(
                        new BgNbd.Params(0.24, 4.4, 0.79, 2.4),
                        new GammaGamma.Params(6.25, 3.74, 15.44),
                        4,
                        3,
                        new Clv.Cuts(120, 40))),
                "fitted");
        var request = ModelMessages.applyRequest(
                "t", List.of(1, 3), "{}", 5L, fitted, ModelSettings.DEFAULTS, UUID.randomUUID());
        ModelOutputs.Fitted read = ModelMessages.fitted(
                io.strata.proto.segmentation.v1.ApplyModelsRequest.parseFrom(request.toByteArray()));
        assertEquals(fitted, read);
        ModelOutputs.Fitted none = new ModelOutputs.Fitted(scale, Optional.empty(), "not fitted: too few");
        ModelOutputs.Fitted noneRead = ModelMessages.fitted(
                ModelMessages.applyRequest("t", List.of(1), "{}", 5L, none, ModelSettings.DEFAULTS, UUID.randomUUID()));
        assertTrue(noneRead.clv().isEmpty());
        assertEquals(scale, noneRead.rfm());

        ModelRuns.Applied applied = new ModelRuns.Applied(Map.of("rfm_group", Map.of("important_value", 2L)), 9, 4);
        assertEquals(
                applied,
                ModelMessages.applied(ApplyModelsResponse.parseFrom(
                        ModelMessages.appliedResponse(applied).build().toByteArray())));

        ModelRuns.Flows flows =
                new ModelRuns.Flows(Map.of("", Map.of("awareness", 3L), "interest", Map.of("", 1L)), 5, 2);
        assertEquals(
                flows,
                ModelMessages.flows(CountAiplFlowsResponse.parseFrom(
                        ModelMessages.flowsResponse(flows).build().toByteArray())));
    }
}
