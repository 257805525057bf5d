package io.strata.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The Java side of {@code ./strata}: commands whose logic outgrows a shell script. */
@Command(
        name = "strata-tools",
        mixinStandardHelpOptions = true,
        subcommands = {
            ImportCommand.class,
            GenerateCommand.class,
            IngestionBench.class,
            ProfileBench.class,
            SegmentationBench.class,
            SegmentationRealtimeBench.class,
            ClvBench.class,
            InsightBench.class,
            CampaignBench.class,
            CdnowOrders.class,
            DemoReport.class,
            DemoJourneys.class,
            PipelineWait.class,
            ImagesCommand.class,
            CommandLine.HelpCommand.class
        },
        description = "Strata command-line tools (run through ./strata).")
public final class StrataTools {

    public static void main(String[] args) {
        System.exit(new CommandLine(new StrataTools()).execute(args));
    }
}
