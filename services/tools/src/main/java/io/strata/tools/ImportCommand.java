package io.strata.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.imports.ImportFormat;
import io.strata.imports.ImportRow;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Bulk import of history: streams a CSV of orders or a JSONL of Segment calls (plain or .gz,
 * any size, constant memory) into ingestion's batch API, keeping the original timestamps, with
 * a progress display and a summary of the refused rows by line number.
 */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = "Import a CSV of orders or a JSONL of Segment calls through ingestion.")
public final class ImportCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "the file (.gz is read compressed)")
    Path file;

    @Option(names = "--format", description = "csv or jsonl (default: from the file name)")
    String format;

    @Option(
            names = "--zone",
            defaultValue = "+08:00",
            description = "offset of local times in a CSV (default ${DEFAULT-VALUE})")
    ZoneOffset zone;

    @Mixin
    IngestionOptions ingestion;

    private final ObjectMapper json = new ObjectMapper();
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) {
            err.println("import: no such file: " + file);
            return 2;
        }
        Optional<ImportFormat> chosen = format != null
                ? ImportFormat.of(format)
                : ImportFormat.ofFileName(file.getFileName().toString());
        if (chosen.isEmpty()) {
            err.println(
                    format != null
                            ? "import: --format must be csv or jsonl, not " + format
                            : "import: say --format csv or --format jsonl (the file name does not tell)");
            return 2;
        }
        BatchSender opened;
        try {
            opened = ingestion.open();
        } catch (IllegalArgumentException e) {
            err.println("import: " + e.getMessage());
            return 2;
        }
        long size = Files.size(file);
        try (BatchSender sender = opened;
                Counting counting = new Counting(Files.newInputStream(file))) {
            Iterator<ImportRow> rows;
            try {
                rows = chosen.get().rows(counting, json, zone);
            } catch (IllegalArgumentException e) {
                err.println("import: " + e.getMessage());
                return 2;
            } catch (IOException e) {
                err.println("import: the file cannot be read: " + e.getMessage());
                return 2;
            }
            BatchSender.Progress progress =
                    new BatchSender.Progress(() -> size == 0 ? 1 : (double) counting.count / size, "calls", true);
            try {
                while (rows.hasNext()) {
                    ImportRow row = rows.next();
                    if (row.error() != null) {
                        sender.refuse(row.line(), row.error());
                    } else {
                        sender.add(row.line(), row.event().toString());
                    }
                    progress.show(sender.summary());
                }
                return sender.finish(progress, out, "calls made from the file");
            } catch (BatchSender.Aborted e) {
                return sender.stopped("import", e, out, "calls made from the file");
            } catch (UncheckedIOException e) {
                return sender.stopped(
                        "import",
                        new BatchSender.Aborted(
                                "the file cannot be read: " + e.getCause().getMessage()),
                        out,
                        "calls made from the file");
            }
        }
    }

    /** Bytes read from the file, for the progress display. */
    static final class Counting extends FilterInputStream {
        volatile long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
