package io.strata.demo;

import com.fasterxml.jackson.core.JsonGenerator;
import io.strata.demo.Catalog.Product;
import io.strata.demo.History.Line;
import io.strata.demo.History.Order;
import io.strata.demo.Identifiers.Device;
import io.strata.demo.Population.Profile;
import io.strata.demo.SegmentEvent.ExternalId;
import io.strata.imports.CsvOrders;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.AhrensDieterMarsagliaTsangGammaSampler;
import org.apache.commons.rng.sampling.distribution.PoissonSampler;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;

/**
 * One consumer's history, from (seed, index) alone: content exposures, visits, product views
 * and adds, sign-in and sign-up, coupons, shares and invites, and orders drawn from the BG/NBD
 * and Gamma-Gamma processes of {@link ClvModel}.
 */
final class ConsumerGenerator {

    static final long DAY = TimeFrame.DAY;
    static final double WEEK_DAYS = 7;
    /** Page visits per week of an averagely engaged consumer. */
    static final double VISITS_PER_WEEK = 0.2;
    /** Content exposures per week of an averagely engaged consumer. */
    static final double EXPOSURES_PER_WEEK = 0.5;
    /** Share of consumers (signed in 60+ days before the end) whose visits are made to collapse. */
    static final double CHURN = 0.12;

    static final double BUYER = 0.45;
    static final double MEMBER = 0.55;
    static final double CORE_ENGAGEMENT = 1.8;

    private static final Weighted PAGE = new Weighted(40, 20, 15, 10, 10, 5);
    private static final Weighted ORDER_CHANNEL = new Weighted(25, 25, 20, 10, 12, 8);
    private static final Weighted SHARE_VIA = new Weighted(60, 20, 10, 10);
    private static final String[] SHARE_CHANNELS = {"wechat", "xiaohongshu", "weibo", "douyin"};
    private static final String[][] COUPONS = {
        {"CPN-NEW50", "新人立减50元", "50"},
        {"CPN-FULL300-40", "满300减40", "40"},
        {"CPN-BDAY", "生日礼券", "30"},
        {"CPN-MEMBER20", "会员日8折券", "20%"},
        {"CPN-SHIP", "包邮券", "10"}
    };

    private final long seed;
    private final TimeFrame time;
    private final Population population;

    ConsumerGenerator(long seed, TimeFrame time, Population population) {
        this.seed = seed;
        this.time = time;
        this.population = population;
    }

    History generate(long index) {
        Profile p = population.profile(index);
        Identifiers ids = Identifiers.of(seed, index, p.person());
        History h = new History(p, ids);
        UniformRandomProvider rng = Rngs.of(seed, index, Rngs.ACTIVITY);
        Builder b = new Builder(h, rng, Archetype.of(seed, p.person()), Rngs.of(seed, index, Rngs.BROWSING));
        double engagement =
                AhrensDieterMarsagliaTsangGammaSampler.of(rng, 2, 0.5).sample() * (p.core() ? CORE_ENGAGEMENT : 1);
        signIn(b);
        visits(b, engagement);
        exposures(b, engagement);
        coupons(b);
        shares(b);
        invitation(b);
        orders(b, Rngs.of(seed, index, Rngs.ORDERS));
        h.sort();
        return h;
    }

    // ---------------------------------------------------------------- identity

    private void signIn(Builder b) {
        History h = b.history;
        Profile p = h.profile;
        Identifiers ids = h.ids;
        List<ExternalId> external = new ArrayList<>();
        if (ids.unionId() != null) {
            external.add(new ExternalId(ids.unionId(), "wechat_union_id"));
            external.add(new ExternalId(ids.officialAccountOpenId(), "wechat_open_id"));
            external.add(new ExternalId(ids.miniProgramOpenId(), "wechat_open_id"));
        }
        if (ids.memberId() != null) {
            external.add(new ExternalId(ids.memberId(), "member_id"));
        }
        int age = p.person()
                .age(java.time.LocalDate.ofInstant(java.time.Instant.ofEpochMilli(p.signedIn()), TimeFrame.ZONE));
        SegmentEvent.Fields traits = json -> {
            Person person = p.person();
            json.writeStringField("name", person.name());
            json.writeStringField("email", ids.email());
            json.writeStringField("phone", ids.phone());
            json.writeStringField("gender", person.gender().name());
            json.writeStringField("birthday", person.birthday().toString());
            json.writeNumberField("age", age);
            json.writeObjectFieldStart("address");
            json.writeStringField("city", person.city());
            json.writeStringField("country", "CN");
            json.writeEndObject();
            json.writeNumberField("cityTier", person.cityTier());
            json.writeStringField("occupation", person.occupation().name());
            json.writeNumberField("incomeLevel", person.incomeLevel());
            json.writeBooleanField("married", person.married());
            json.writeNumberField("kids", person.kids());
            if (ids.unionId() != null) {
                json.writeStringField("wechatUnionId", ids.unionId());
            }
            if (ids.memberId() != null) {
                json.writeStringField("memberId", ids.memberId());
            }
            json.writeStringField("createdAt", EventWriter.timestamp(p.signedIn()));
        };
        // every device the consumer used is joined to the user id by an identify sent from it
        long latest = time.end() - 1;
        for (int d = 0; d < ids.devices().size(); d++) {
            long at = Math.min(latest, p.signedIn() + (d == 0 ? 0 : (long) (b.rng.nextDouble() * 2 * DAY)));
            b.add(at, "identify", null, p.userId(), ids.devices().get(d), null, traits, external, null);
        }
        h.member = p.depth() > 0 || b.rng.nextDouble() < MEMBER;
        if (h.member) {
            String method = ids.unionId() != null && b.rng.nextDouble() < 0.7 ? "wechat" : "phone";
            long referrer = p.referrer();
            String referrerId = referrer >= 0 ? population.userId(referrer) : null;
            String code = referrer >= 0 ? population.inviteCode(p.index()) : null;
            b.track(Math.min(latest, p.signedIn() + 1000), "Signed Up", json -> {
                json.writeStringField("method", method);
                if (referrerId != null) {
                    json.writeStringField("referrer", referrerId);
                    json.writeStringField("invite_code", code);
                }
            });
        }
    }

    // ---------------------------------------------------------------- visits and churn

    private void visits(Builder b, double engagement) {
        History h = b.history;
        long end = time.end();
        long last30 = end - 30 * DAY;
        long prev30 = end - 60 * DAY;
        long first = h.profile.firstSeen();
        double rate = VISITS_PER_WEEK * engagement / (WEEK_DAYS * DAY);
        UniformRandomProvider rng = b.rng;
        if (first < prev30) {
            int n = poisson(rng, rate * (prev30 - first));
            for (int i = 0; i < n; i++) {
                visit(b, first + (long) (rng.nextDouble() * (prev30 - first)));
            }
        }
        long from1 = Math.max(first, prev30);
        long from2 = Math.max(first, last30);
        int n1 = from1 < last30 ? poisson(rng, rate * (last30 - from1)) : 0;
        int n2 = poisson(rng, rate * (end - from2));
        if (h.profile.signedIn() < prev30 && rng.nextDouble() < CHURN) {
            // visits fall by more than half: n2 < n1 / 2
            h.plantedChurn = true;
            n1 = 2 + poisson(rng, rate * 30 * DAY);
            n2 = rng.nextInt((n1 + 1) / 2);
        } else if (n1 > 0 && 2 * n2 <= n1) {
            n2 = n1 / 2 + 1; // the others keep visiting: no false alarm
        }
        for (int i = 0; i < n1; i++) {
            visit(b, from1 + (long) (rng.nextDouble() * (last30 - from1)));
        }
        for (int i = 0; i < n2; i++) {
            visit(b, from2 + (long) (rng.nextDouble() * (end - from2)));
        }
        h.visitsPrevious30 = n1;
        h.visitsLast30 = n2;
    }

    private void visit(Builder b, long at) {
        UniformRandomProvider rng = b.rng;
        String[] page = Catalog.PAGES[PAGE.pick(rng)];
        b.add(at, "page", page[0], json -> {
            json.writeStringField("path", page[1]);
            json.writeStringField("url", "https://m.lanxu.cn" + page[1]);
            json.writeStringField("title", Catalog.BRAND + " · " + page[0]);
        });
        if (rng.nextDouble() < 0.35) {
            int views = 1 + (rng.nextDouble() < 0.3 ? 1 : 0);
            for (int v = 0; v < views; v++) {
                Product product = product(rng, b.archetype.browse(BasketModel.popular(rng), b.browsing));
                long seen = at + 20_000L * (v + 1);
                b.track(seen, "Product Viewed", json -> product(json, product, product.listPriceFen()));
                if (rng.nextDouble() < 0.18) {
                    b.track(seen + 30_000L, "Product Added", json -> {
                        product(json, product, product.listPriceFen());
                        json.writeNumberField("quantity", 1);
                    });
                }
            }
        }
    }

    // ---------------------------------------------------------------- content

    private void exposures(Builder b, double engagement) {
        History h = b.history;
        UniformRandomProvider rng = b.rng;
        Crowd crowd = h.profile.crowd();
        List<Integer> channels = new ArrayList<>();
        List<Integer> topics = new ArrayList<>();
        List<Integer> creators = new ArrayList<>();
        for (ContentModel.Feature f : ContentModel.FEATURES) {
            if (rng.nextDouble() < ContentModel.probability(crowd, f.index())) {
                (switch (f.dimension()) {
                            case channel -> channels;
                            case topic -> topics;
                            case creator -> creators;
                        })
                        .add(f.index());
            }
        }
        if (channels.isEmpty()) {
            return; // not on any of the content channels
        }
        long first = h.profile.firstSeen();
        long span = time.end() - first;
        int cover = Math.max(channels.size(), Math.max(topics.size(), creators.size()));
        int count = Math.max(cover, poisson(rng, EXPOSURES_PER_WEEK * engagement * span / (WEEK_DAYS * DAY)));
        for (int k = 0; k < count; k++) {
            // the first exposures show every feature once; the rest repeat them at random
            int channel = k < channels.size() ? channels.get(k) : channels.get(rng.nextInt(channels.size()));
            String creator = k < creators.size()
                    ? value(creators.get(k))
                    : !creators.isEmpty() && rng.nextDouble() < 0.6
                            ? value(creators.get(rng.nextInt(creators.size())))
                            : Catalog.OFFICIAL_CREATOR;
            String topic = k < topics.size()
                    ? value(topics.get(k))
                    : !topics.isEmpty() && rng.nextDouble() < 0.7
                            ? value(topics.get(rng.nextInt(topics.size())))
                            : Catalog.GENERAL_TOPIC;
            String channelName = value(channel);
            String contentType = switch (channelName) {
                case "xiaohongshu" -> rng.nextDouble() < 0.7 ? "note" : "video";
                case "douyin" -> rng.nextDouble() < 0.8 ? "video" : "live";
                case "weibo" -> rng.nextDouble() < 0.6 ? "post" : "video";
                default -> rng.nextDouble() < 0.7 ? "article" : "video";
            };
            String contentId = "C" + Long.toString(Rngs.mix(seed, rng.nextInt(5000), 500) >>> 23 | 1L << 40, 36);
            long at = first + (long) (rng.nextDouble() * span);
            b.track(at, "Content Viewed", json -> {
                json.writeStringField("channel", channelName);
                json.writeStringField("creator", creator);
                json.writeStringField("topic", topic);
                json.writeStringField("content_id", contentId);
                json.writeStringField("content_type", contentType);
            });
        }
        channels.forEach(h.features::set);
        topics.forEach(h.features::set);
        creators.forEach(h.features::set);
    }

    private static String value(int feature) {
        return ContentModel.FEATURES.get(feature).value();
    }

    // ---------------------------------------------------------------- coupons, shares, invites

    private void coupons(Builder b) {
        UniformRandomProvider rng = b.rng;
        if (rng.nextDouble() >= 0.3) {
            return;
        }
        int n = 1 + (rng.nextDouble() < 0.3 ? 1 : 0);
        for (int i = 0; i < n; i++) {
            String[] coupon = COUPONS[rng.nextInt(COUPONS.length)];
            b.track(b.afterSignIn(), "Coupon Claimed", json -> {
                json.writeStringField("coupon_id", coupon[0]);
                json.writeStringField("coupon_name", coupon[1]);
                json.writeStringField("discount", coupon[2]);
            });
        }
    }

    private void shares(Builder b) {
        Profile p = b.history.profile;
        UniformRandomProvider rng = b.rng;
        int n = poisson(rng, p.core() ? 5 : p.depth() > 0 ? 1.2 : 0.08);
        for (int i = 0; i < n; i++) {
            Product product = product(rng, BasketModel.popular(rng));
            String via = SHARE_CHANNELS[SHARE_VIA.pick(rng)];
            b.track(b.afterSignIn(), "Product Shared", json -> {
                product(json, product, product.listPriceFen());
                json.writeStringField("share_via", via);
            });
        }
    }

    /** The referrer's invitation, sent before the invitee first came. */
    private void invitation(Builder b) {
        Profile p = b.history.profile;
        if (p.referrer() < 0) {
            return;
        }
        Profile referrer = population.profile(p.referrer());
        b.history.referrerCrowd = referrer.crowd();
        Identifiers ids = Identifiers.of(seed, p.referrer(), referrer.person());
        String code = population.inviteCode(p.index());
        b.add(
                p.invitedAt(),
                "track",
                "Invite Sent",
                referrer.userId(),
                ids.devices().get(0),
                json -> {
                    json.writeStringField("invite_code", code);
                    json.writeStringField("share_via", "wechat");
                },
                null,
                null,
                null);
    }

    // ---------------------------------------------------------------- orders

    private void orders(Builder b, UniformRandomProvider rng) {
        History h = b.history;
        if (rng.nextDouble() >= BUYER) {
            return;
        }
        long t = h.profile.signedIn()
                + (long) (ZigguratSampler.Exponential.of(rng, 21).sample() * DAY);
        if (t >= time.end()) {
            return;
        }
        h.weeksSinceFirstPurchase = (time.end() - t) / (WEEK_DAYS * DAY);
        ClvModel.Buyer buyer = ClvModel.Buyer.draw(rng);
        int k = 0;
        order(b, rng, buyer, t, ++k);
        // the first order is the trial; a buyer may drop out after each repeat purchase
        while (true) {
            t += (long) (buyer.nextGap(rng) * WEEK_DAYS * DAY);
            if (t >= time.end()) {
                return;
            }
            order(b, rng, buyer, t, ++k);
            if (buyer.dropsOut(rng)) {
                return;
            }
        }
    }

    private void order(Builder b, UniformRandomProvider rng, ClvModel.Buyer buyer, long at, int k) {
        History h = b.history;
        long spend = Math.max(100, Math.round(buyer.spend(rng) * 100));
        List<Product> products = new ArrayList<>();
        List<Integer> quantities = new ArrayList<>();
        for (int category : BasketModel.draw(rng)) {
            Product product = product(rng, category);
            products.add(product);
            quantities.add(rng.nextDouble() < 0.85 ? 1 : 2);
            if (rng.nextDouble() < 0.15) {
                Product other = product(rng, category);
                if (!other.equals(product)) {
                    products.add(other);
                    quantities.add(1);
                }
            }
        }
        long listTotal = 0;
        for (int i = 0; i < products.size(); i++) {
            listTotal += products.get(i).listPriceFen() * quantities.get(i);
        }
        // a large spend buys more pieces; then the prices paid are the list prices scaled to the spend
        int pieces = quantities.stream().mapToInt(Integer::intValue).sum();
        while (listTotal < 0.6 * spend && pieces < 8) {
            int i = rng.nextInt(products.size());
            quantities.set(i, quantities.get(i) + 1);
            listTotal += products.get(i).listPriceFen();
            pieces++;
        }
        List<Line> lines = new ArrayList<>();
        long paid = 0;
        for (int i = 0; i < products.size(); i++) {
            int quantity = quantities.get(i);
            long price;
            if (i < products.size() - 1) {
                price = Math.max(1, Math.round((double) spend * products.get(i).listPriceFen() / listTotal));
            } else {
                price = Math.max(1, Math.round((double) (spend - paid) / quantity));
            }
            paid += price * quantity;
            lines.add(new Line(products.get(i), price, quantity));
        }
        int channelIndex = ORDER_CHANNEL.pick(rng);
        String channel = Catalog.ORDER_CHANNELS[channelIndex];
        String store = channel.equals("offline_store") ? Catalog.STORES[rng.nextInt(Catalog.STORES.length)] : null;
        Order order =
                new Order("SO-" + h.profile.userId().substring(1) + "-" + k, at, channel, store, List.copyOf(lines));
        h.orders.add(order);
        // browsing and cart before the order
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            long before = at - 60_000L * (2 * (lines.size() - i) + 5);
            b.track(
                    before,
                    "Product Viewed",
                    json -> product(json, line.product(), line.product().listPriceFen()));
            b.track(before + 45_000L, "Product Added", json -> {
                product(json, line.product(), line.priceFen());
                json.writeNumberField("quantity", line.quantity());
            });
        }
        b.add(
                at,
                "track",
                "Order Completed",
                h.profile.userId(),
                b.device(),
                json -> {
                    json.writeStringField("order_id", order.orderId());
                    json.writeNumberField("revenue", BigDecimal.valueOf(order.revenueFen(), 2));
                    json.writeStringField("currency", "CNY");
                    json.writeStringField("channel", channel);
                    if (store != null) {
                        json.writeStringField("store", store);
                    }
                    json.writeArrayFieldStart("products");
                    for (Line line : order.lines()) {
                        json.writeStartObject();
                        product(json, line.product(), line.priceFen());
                        json.writeNumberField("quantity", line.quantity());
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                },
                null,
                null,
                orderMessageId(order.orderId()));
    }

    /** The message id the CSV importer gives the same order, so loading both files publishes it once. */
    static String orderMessageId(String orderId) {
        return CsvOrders.orderMessageId(orderId);
    }

    private static Product product(UniformRandomProvider rng, int category) {
        List<Product> products = Catalog.productsOf(Catalog.CATEGORIES.get(category));
        // cheaper products sell more: the lower half of the price range twice as often
        int i = rng.nextDouble() < 2.0 / 3 ? rng.nextInt(products.size() / 2 + 1) : rng.nextInt(products.size());
        return products.get(i);
    }

    private static void product(JsonGenerator json, Product product, long priceFen) throws java.io.IOException {
        json.writeStringField("product_id", product.id());
        json.writeStringField("sku", product.sku());
        json.writeStringField("name", product.name());
        json.writeStringField("category", product.category().id());
        json.writeNumberField("price", BigDecimal.valueOf(priceFen, 2));
    }

    private static int poisson(UniformRandomProvider rng, double mean) {
        return mean <= 0 ? 0 : PoissonSampler.of(rng, mean).sample();
    }

    /** Adds events to a history with the right identity for their time. */
    private final class Builder {
        final History history;
        final UniformRandomProvider rng;
        final Archetype archetype;
        final UniformRandomProvider browsing;
        private int seq;

        Builder(History history, UniformRandomProvider rng, Archetype archetype, UniformRandomProvider browsing) {
            this.history = history;
            this.rng = rng;
            this.archetype = archetype;
            this.browsing = browsing;
        }

        /** A device of the consumer: the first most of the time. */
        Device device() {
            List<Device> devices = history.ids.devices();
            return devices.size() == 1 || rng.nextDouble() < 0.6
                    ? devices.get(0)
                    : devices.get(rng.nextInt(devices.size()));
        }

        /** A random time between sign-in and the end. */
        long afterSignIn() {
            long from = history.profile.signedIn() + 2000;
            return from + (long) (rng.nextDouble() * Math.max(1, time.end() - from));
        }

        void track(long at, String event, SegmentEvent.Fields properties) {
            add(at, "track", event, properties);
        }

        /** An event of the consumer: anonymous before they signed in. */
        void add(long at, String type, String name, SegmentEvent.Fields properties) {
            String userId = at >= history.profile.signedIn() ? history.profile.userId() : null;
            add(at, type, name, userId, device(), properties, null, null, null);
        }

        void add(
                long at,
                String type,
                String name,
                String userId,
                Device device,
                SegmentEvent.Fields properties,
                SegmentEvent.Fields traits,
                List<ExternalId> externalIds,
                String messageId) {
            history.events.add(new SegmentEvent(
                    at, seq++, type, name, userId, device, properties, traits, externalIds, messageId));
        }
    }
}
