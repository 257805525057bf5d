package io.strata.imports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Orders exported from stores and marketplaces, as Segment calls: one {@code Order Completed}
 * per order (its line items on consecutive rows), preceded by an {@code identify} carrying the
 * customer's email and phone when the file has them. Streamed: one order in memory at a time.
 *
 * <p>Columns are found by their header, case-insensitively; aliases in brackets:
 * <ul>
 * <li>order: {@code order_id} (required);</li>
 * <li>customer: {@code user_id} [customer_id, member_id] or {@code anonymous_id}, and optionally
 *     {@code email}, {@code phone};</li>
 * <li>time: {@code timestamp} [time, order_time, order_date, date] — ISO-8601, or
 *     {@code yyyy-MM-dd HH:mm:ss} / {@code yyyy-MM-dd} in {@code --zone};</li>
 * <li>line items: {@code product_id} [sku], {@code name} [product_name], {@code category},
 *     {@code price}, {@code quantity}; or for order-level exports {@code category} and
 *     {@code amount} [revenue, total];</li>
 * <li>{@code channel}, {@code store}, {@code currency}.</li>
 * </ul>
 * Message ids derive from the order id, so importing a file again publishes nothing twice.
 *
 * <p>Memory stays bounded whatever the input: a record longer than {@link #MAX_RECORD_CHARS}
 * (e.g. an unclosed quote) ends the reading with a refused row, and an order of more than
 * {@link #MAX_ORDER_LINES} lines is refused as a whole.
 */
public final class CsvOrders implements Iterator<ImportRow> {

    public static final int MAX_RECORD_CHARS = 1 << 20;
    public static final int MAX_ORDER_LINES = 1_000;

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd[ HH:mm[:ss]]");

    private final ObjectMapper json;
    private final ZoneOffset zone;
    private final BoundedReader input;
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final Columns columns;
    private final List<ImportRow> ready = new ArrayList<>();
    private Row pending;
    private boolean exhausted;
    /** Why the file could not be read to its end, reported after the rows read before. */
    private ImportRow unreadable;

    /** A record and the file line it ends on. */
    private record Row(CSVRecord record, long line) {}

    public CsvOrders(Reader reader, ObjectMapper json, ZoneOffset zone) throws IOException {
        this.json = json;
        this.zone = zone;
        this.input = new BoundedReader(reader);
        this.parser = CSVFormat.DEFAULT
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .setIgnoreSurroundingSpaces(true)
                .setIgnoreEmptyLines(true)
                .get()
                .parse(input);
        try {
            this.columns = new Columns(parser.getHeaderMap());
        } catch (IllegalArgumentException e) {
            parser.close();
            throw e;
        }
        this.records = parser.iterator();
    }

    @Override
    public boolean hasNext() {
        fill();
        return !ready.isEmpty();
    }

    @Override
    public ImportRow next() {
        fill();
        if (ready.isEmpty()) {
            throw new NoSuchElementException();
        }
        return ready.remove(0);
    }

    /** Reads the next order (all its consecutive rows) into {@code ready}. */
    private void fill() {
        while (ready.isEmpty() && !exhausted) {
            Row first = pending != null ? pending : nextRecord();
            pending = null;
            if (first == null) {
                exhausted = true;
                break;
            }
            List<Row> rows = new ArrayList<>();
            rows.add(first);
            String orderId = columns.get(first.record(), Columns.ORDER_ID);
            long lines = 1;
            for (Row next = nextRecord(); next != null; next = nextRecord()) {
                if (!orderId.isEmpty() && orderId.equals(columns.get(next.record(), Columns.ORDER_ID))) {
                    if (++lines <= MAX_ORDER_LINES) {
                        rows.add(next);
                    }
                } else {
                    pending = next;
                    break;
                }
            }
            if (lines > MAX_ORDER_LINES) {
                ready.add(ImportRow.refused(
                        first.line(),
                        "order " + orderId + " has " + lines + " lines; at most " + MAX_ORDER_LINES + " are taken"));
            } else {
                order(rows, ready::add);
            }
        }
        if (exhausted && unreadable != null) {
            ready.add(unreadable);
            unreadable = null;
        }
    }

    private Row nextRecord() {
        if (exhausted) {
            return null;
        }
        try {
            input.startRecord();
            return records.hasNext() ? new Row(records.next(), parser.getCurrentLineNumber()) : null;
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            if (input.broken != null) {
                // the file itself cannot be read (e.g. a truncated gzip): no row's fault, the caller's to report
                throw new java.io.UncheckedIOException(input.broken);
            }
            // malformed input (e.g. an unclosed quote): nothing after it can be read
            exhausted = true;
            unreadable = ImportRow.refused(
                    parser.getCurrentLineNumber(), "the file cannot be read further: " + e.getMessage());
            return null;
        }
    }

    private void order(List<Row> lines, Consumer<ImportRow> out) {
        CSVRecord first = lines.get(0).record();
        long line = lines.get(0).line();
        List<CSVRecord> rows = lines.stream().map(Row::record).toList();
        try {
            String orderId = columns.require(first, Columns.ORDER_ID, "order_id");
            String userId = columns.get(first, Columns.USER_ID);
            String anonymousId = columns.get(first, Columns.ANONYMOUS_ID);
            if (userId.isEmpty() && anonymousId.isEmpty()) {
                throw new IllegalArgumentException("user_id (or anonymous_id) is required");
            }
            String timestamp = timestamp(columns.require(first, Columns.TIME, "timestamp"));
            String email = columns.get(first, Columns.EMAIL);
            String phone = columns.get(first, Columns.PHONE);
            if (!email.isEmpty() || !phone.isEmpty()) {
                // one id per person and contact details: the same details again are a duplicate, new ones are not
                String who = userId.isEmpty() ? anonymousId : userId;
                ObjectNode identify = base(
                        "identify",
                        "import-identify-" + who + "-" + JsonlEvents.digest(email + "\n" + phone),
                        userId,
                        anonymousId,
                        timestamp);
                ObjectNode traits = identify.putObject("traits");
                put(traits, "email", email);
                put(traits, "phone", phone);
                out.accept(ImportRow.of(line, identify));
            }
            ObjectNode order = base("track", orderMessageId(orderId), userId, anonymousId, timestamp);
            order.put("event", "Order Completed");
            ObjectNode properties = order.putObject("properties");
            properties.put("order_id", orderId);
            put(properties, "channel", columns.get(first, Columns.CHANNEL));
            put(properties, "store", columns.get(first, Columns.STORE));
            put(properties, "currency", columns.get(first, Columns.CURRENCY));
            BigDecimal revenue = BigDecimal.ZERO;
            ArrayNode products = properties.putArray("products");
            for (CSVRecord row : rows) {
                String amount = columns.get(row, Columns.AMOUNT);
                if (!amount.isEmpty()) {
                    revenue = revenue.add(number(amount, "amount"));
                    put(properties, "category", columns.get(row, Columns.CATEGORY));
                    continue;
                }
                ObjectNode product = products.addObject();
                put(product, "product_id", columns.get(row, Columns.PRODUCT_ID));
                put(product, "name", columns.get(row, Columns.NAME));
                put(product, "category", columns.get(row, Columns.CATEGORY));
                BigDecimal price = number(columns.require(row, Columns.PRICE, "price (or amount)"), "price");
                String qty = columns.get(row, Columns.QUANTITY);
                BigDecimal quantity = qty.isEmpty() ? BigDecimal.ONE : number(qty, "quantity");
                product.put("price", price);
                product.put("quantity", quantity);
                revenue = revenue.add(price.multiply(quantity));
            }
            if (products.isEmpty()) {
                properties.remove("products");
            }
            properties.put("revenue", revenue);
            out.accept(ImportRow.of(line, order));
        } catch (IllegalArgumentException e) {
            out.accept(ImportRow.refused(line, e.getMessage()));
        }
    }

    private ObjectNode base(String type, String messageId, String userId, String anonymousId, String timestamp) {
        ObjectNode event = json.createObjectNode();
        event.put("type", type);
        event.put("messageId", messageId);
        put(event, "userId", userId);
        put(event, "anonymousId", anonymousId);
        event.put("timestamp", timestamp);
        event.putObject("context").putObject("library").put("name", "strata-import");
        return event;
    }

    /** ISO-8601 with an offset as it is; local times in the file's zone. */
    String timestamp(String text) {
        try {
            return OffsetDateTime.parse(text).toString();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text.replace('T', ' '), LOCAL)
                        .atOffset(zone)
                        .toString();
            } catch (DateTimeParseException e2) {
                try {
                    return LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE)
                            .atStartOfDay()
                            .atOffset(zone)
                            .toString();
                } catch (DateTimeParseException e3) {
                    throw new IllegalArgumentException("timestamp '" + text + "' is not a date-time");
                }
            }
        }
    }

    private static BigDecimal number(String text, String column) {
        try {
            return new BigDecimal(text.replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(column + " '" + text + "' is not a number");
        }
    }

    private static void put(ObjectNode node, String field, String value) {
        if (value != null && !value.isEmpty()) {
            node.put(field, value);
        }
    }

    /**
     * Refuses to read more than {@link #MAX_RECORD_CHARS} for one record, and keeps what the
     * underlying reader failed with apart from that refusal.
     */
    private static final class BoundedReader extends FilterReader {

        private long left = MAX_RECORD_CHARS;
        /** What the file's own reading failed with, if it did. */
        IOException broken;

        BoundedReader(Reader in) {
            super(in);
        }

        void startRecord() {
            left = MAX_RECORD_CHARS;
        }

        @Override
        public int read() throws IOException {
            take(1);
            try {
                return super.read();
            } catch (IOException e) {
                broken = e;
                throw e;
            }
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            take(1);
            int n;
            try {
                n = super.read(buffer, offset, (int) Math.min(length, left + 1));
            } catch (IOException e) {
                broken = e;
                throw e;
            }
            if (n > 0) {
                left -= n - 1;
            }
            return n;
        }

        private void take(int chars) throws IOException {
            if (left < chars) {
                throw new IOException("a record is longer than " + MAX_RECORD_CHARS + " characters");
            }
            left -= chars;
        }
    }

    /** Where each known column is in the file; -1 when absent. */
    private static final class Columns {
        static final int ORDER_ID = 0;
        static final int USER_ID = 1;
        static final int ANONYMOUS_ID = 2;
        static final int EMAIL = 3;
        static final int PHONE = 4;
        static final int TIME = 5;
        static final int PRODUCT_ID = 6;
        static final int NAME = 7;
        static final int CATEGORY = 8;
        static final int PRICE = 9;
        static final int QUANTITY = 10;
        static final int AMOUNT = 11;
        static final int CHANNEL = 12;
        static final int STORE = 13;
        static final int CURRENCY = 14;
        private static final String[][] NAMES = {
            {"order_id", "order", "orderid"},
            {"user_id", "customer_id", "member_id", "userid"},
            {"anonymous_id"},
            {"email"},
            {"phone", "mobile"},
            {"timestamp", "time", "order_time", "order_date", "date"},
            {"product_id", "sku"},
            {"name", "product_name"},
            {"category"},
            {"price", "unit_price"},
            {"quantity", "qty"},
            {"amount", "revenue", "total"},
            {"channel"},
            {"store"},
            {"currency"}
        };

        private final int[] index = new int[NAMES.length];

        Columns(Map<String, Integer> header) {
            java.util.Arrays.fill(index, -1);
            header.forEach((name, position) -> {
                String key = name.strip().toLowerCase(Locale.ROOT);
                for (int c = 0; c < NAMES.length; c++) {
                    if (index[c] < 0 && List.of(NAMES[c]).contains(key)) {
                        index[c] = position;
                    }
                }
            });
            if (index[ORDER_ID] < 0) {
                throw new IllegalArgumentException("the header has no order_id column");
            }
            if (index[USER_ID] < 0 && index[ANONYMOUS_ID] < 0) {
                throw new IllegalArgumentException(
                        "the header has no user_id (customer_id, member_id) or anonymous_id column");
            }
            if (index[TIME] < 0) {
                throw new IllegalArgumentException("the header has no timestamp (time, order_time, order_date) column");
            }
            if (index[PRICE] < 0 && index[AMOUNT] < 0) {
                throw new IllegalArgumentException(
                        "the header has neither price (line items) nor amount (orders) column");
            }
        }

        String get(CSVRecord record, int column) {
            int i = index[column];
            return i < 0 || i >= record.size() ? "" : record.get(i).strip();
        }

        String require(CSVRecord record, int column, String name) {
            String value = get(record, column);
            if (value.isEmpty()) {
                throw new IllegalArgumentException(name + " is empty");
            }
            return value;
        }
    }

    /**
     * The messageId of an order's {@code Order Completed} call: derived from the order id, so an
     * order imported again, or also sent as an event by the demo generator, is published once.
     */
    public static String orderMessageId(String orderId) {
        return "import-order-" + orderId;
    }
}
