package io.strata.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvOrdersTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<ImportRow> read(String csv) throws IOException {
        List<ImportRow> rows = new ArrayList<>();
        new CsvOrders(new StringReader(csv), JSON, ZoneOffset.ofHours(8)).forEachRemaining(rows::add);
        return rows;
    }

    @Test
    void lineItemsOfAnOrderBecomeOneOrderCompleted() throws IOException {
        List<ImportRow> rows = read("""
                order_id,customer_id,email,order_time,sku,product_name,category,price,quantity,channel
                O-1,c-7,Li@QQ.com,2024-03-08 20:15:00,S-1,Serum,Skincare,329,1,tmall
                O-1,c-7,Li@QQ.com,2024-03-08 20:15:00,S-2,Mask,Skincare,"1,059.50",2,tmall
                O-2,c-8,,2024-03-09,S-3,Lipstick,Makeup,199,,douyin
                """);
        assertEquals(3, rows.size(), "identify for c-7 (it has an email), then two orders");
        var identify = rows.get(0).event();
        assertEquals("identify", identify.get("type").asText());
        assertEquals("Li@QQ.com", identify.at("/traits/email").asText());
        var first = rows.get(1).event();
        assertEquals(2, rows.get(1).line());
        assertEquals("import-order-O-1", first.get("messageId").asText());
        assertEquals("c-7", first.get("userId").asText());
        assertEquals("2024-03-08T20:15+08:00", first.get("timestamp").asText(), "local time in the file's zone");
        assertEquals(2, first.at("/properties/products").size());
        assertEquals(0, first.at("/properties/revenue").decimalValue().compareTo(new java.math.BigDecimal("2448.00")));
        assertEquals("tmall", first.at("/properties/channel").asText());
        var second = rows.get(2).event();
        assertEquals(4, rows.get(2).line());
        assertEquals("2024-03-09T00:00+08:00", second.get("timestamp").asText());
        assertEquals(1, second.at("/properties/products/0/quantity").asInt(), "quantity defaults to 1");
    }

    @Test
    void newContactDetailsOfACustomerAreANewIdentifyTheSameOnesAreNot() throws IOException {
        List<ImportRow> rows = read("""
                order_id,customer_id,email,order_time,category,amount
                O-1,c-7,li@qq.com,2024-03-08,Shoes,10
                O-2,c-7,li@qq.com,2024-03-09,Shoes,10
                O-3,c-7,li.wei@163.com,2024-03-10,Shoes,10
                """);
        List<String> identifies = rows.stream()
                .map(ImportRow::event)
                .filter(e -> e.get("type").asText().equals("identify"))
                .map(e -> e.get("messageId").asText())
                .toList();
        assertEquals(3, identifies.size());
        assertEquals(identifies.get(0), identifies.get(1), "the same email again is a duplicate");
        assertFalse(identifies.get(2).equals(identifies.get(0)), "a changed email is not dropped as one");
    }

    @Test
    void orderLevelExportsUseTheAmount() throws IOException {
        List<ImportRow> rows = read("""
                order_id,user_id,timestamp,category,amount,store
                A,u1,2024-01-01T10:00:00Z,Shoes,99.9,Shanghai IFC
                """);
        var order = rows.get(0).event();
        assertEquals("2024-01-01T10:00Z", order.get("timestamp").asText(), "an offset in the file is kept");
        assertEquals(99.9, order.at("/properties/revenue").asDouble());
        assertEquals("Shoes", order.at("/properties/category").asText());
        assertFalse(order.at("/properties").has("products"));
    }

    @Test
    void badRowsAreRefusedWithTheirLineAndTheRestGoesOn() throws IOException {
        List<ImportRow> rows = read("""
                order_id,user_id,timestamp,price
                B1,,2024-01-01,10
                B2,u2,yesterday,10
                B3,u3,2024-01-01,ten
                B4,u4,2024-01-01,10
                """);
        assertEquals(4, rows.size());
        assertEquals(2, rows.get(0).line());
        assertTrue(rows.get(0).error().contains("user_id"));
        assertTrue(rows.get(1).error().contains("timestamp"));
        assertEquals(4, rows.get(2).line());
        assertTrue(rows.get(2).error().contains("price"));
        assertNull(rows.get(3).error());
    }

    @Test
    void aFileWithoutTheNeededColumnsIsRefusedBeforeAnythingIsSent() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> read("id,who,when\n1,u,2024-01-01\n"));
        assertTrue(e.getMessage().contains("order_id"));
    }
}
