package io.strata.demo;

import java.util.List;
import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * A consumer's identifiers, from (seed, index): phone, email, WeChat unionId and one openId per
 * WeChat app, store member id, and per device a device id and the anonymous id the SDK gave it.
 * Phones, emails, member and user ids are bijections of the index (never shared by two
 * consumers); the others are 128-bit hashes. A planted share carries junk instead: test phone
 * numbers, placeholder emails, zeroed device ids.
 */
record Identifiers(
        String phone,
        String email,
        String unionId,
        String officialAccountOpenId,
        String miniProgramOpenId,
        String memberId,
        List<Device> devices,
        boolean junkPhone,
        boolean junkEmail,
        boolean junkDevice) {

    /** A device: its id, its kind, and the anonymous id the SDK on it uses. */
    record Device(String id, String type, String anonymousId) {}

    static final double JUNK_PHONE = 0.03;
    static final double JUNK_EMAIL = 0.02;
    static final double JUNK_DEVICE = 0.015;
    static final double WECHAT = 0.78;
    static final double STORE_MEMBER = 0.3;
    static final List<String> JUNK_PHONES = List.of("13800000000", "13800138000", "11111111111", "0", "null");
    static final List<String> JUNK_EMAILS = List.of("test@test.com", "a@a.com", "null", "0", "noreply@example.com");
    static final List<String> JUNK_DEVICE_IDS = List.of("00000000-0000-0000-0000-000000000000", "0", "null", "unknown");

    private static final String[] DEVICE_TYPES = {"ios", "android", "android", "wechat_mini_program", "web"};
    private static final char[] URL_SAFE =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    static Identifiers of(long seed, long index, Person person) {
        UniformRandomProvider rng = Rngs.of(seed, index, Rngs.IDS);
        long salt = Rngs.fmix(seed);
        String phone = Catalog.PHONE_PREFIXES[rng.nextInt(Catalog.PHONE_PREFIXES.length)]
                + String.format(Locale.ROOT, "%08d", affine(index, 39_916_801L, salt, 100_000_000L));
        if (JUNK_PHONES.contains(phone)) {
            phone = "199" + phone.substring(3);
        }
        String token = Long.toString(affine(index, 1_000_003L, salt, 2_176_782_336L), 36); // 36^6
        String email = person.pinyin() + (rng.nextBoolean() ? "." : "_") + token + "@"
                + Catalog.EMAIL_DOMAINS[rng.nextInt(Catalog.EMAIL_DOMAINS.length)];
        boolean wechat = rng.nextDouble() < WECHAT;
        boolean member = rng.nextDouble() < STORE_MEMBER;
        String memberId = member
                ? String.format(Locale.ROOT, "M%010d", affine(index, 1_000_000_007L, salt, 10_000_000_000L))
                : null;
        int deviceCount = 1 + (rng.nextDouble() < 0.35 ? 1 + (rng.nextDouble() < 0.3 ? 1 : 0) : 0);
        Device[] devices = new Device[deviceCount];
        boolean junkDevice = rng.nextDouble() < JUNK_DEVICE;
        for (int d = 0; d < deviceCount; d++) {
            String type = DEVICE_TYPES[rng.nextInt(DEVICE_TYPES.length)];
            String id = d == 0 && junkDevice
                    ? JUNK_DEVICE_IDS.get(rng.nextInt(JUNK_DEVICE_IDS.size()))
                    : type.equals("ios")
                            ? uuid(seed, index, 20 + d).toUpperCase(Locale.ROOT)
                            : type.equals("android")
                                    ? Long.toHexString(Rngs.mix(seed, index, 40 + d))
                                    : uuid(seed, index, 20 + d);
            devices[d] = new Device(id, type, uuid(seed, index, 60 + d));
        }
        boolean junkPhone = rng.nextDouble() < JUNK_PHONE;
        if (junkPhone) {
            phone = JUNK_PHONES.get(rng.nextInt(JUNK_PHONES.size()));
        }
        boolean junkEmail = rng.nextDouble() < JUNK_EMAIL;
        if (junkEmail) {
            email = JUNK_EMAILS.get(rng.nextInt(JUNK_EMAILS.size()));
        }
        return new Identifiers(
                phone,
                email,
                wechat ? wechatId(seed, index, 80) : null,
                wechat ? wechatId(seed, index, 90) : null,
                wechat ? wechatId(seed, index, 100) : null,
                memberId,
                List.of(devices),
                junkPhone,
                junkEmail,
                junkDevice);
    }

    /**
     * (a * index + salt) mod m: a bijection of the indexes below m when a and m are coprime (the
     * product stays within a long for every index below 10^8).
     */
    static long affine(long index, long a, long salt, long m) {
        return Math.floorMod(Math.floorMod(index, m) * a % m + Math.floorMod(salt, m), m);
    }

    /** A UUID-shaped id (version 4 layout) from two hashes. */
    static String uuid(long seed, long index, int stream) {
        long hi = Rngs.mix(seed, index, stream);
        long lo = Rngs.mix(seed, index, stream + 1000);
        hi = (hi & ~0xF000L) | 0x4000L;
        lo = (lo & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        String hex = String.format(Locale.ROOT, "%016x%016x", hi, lo);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }

    /** WeChat's 28-character ids: "o" and 27 URL-safe characters. */
    private static String wechatId(long seed, long index, int stream) {
        StringBuilder id = new StringBuilder(28).append('o');
        long bits = 0;
        int left = 0;
        for (int i = 0; i < 27; i++) {
            if (left < 6) {
                bits = Rngs.mix(seed, index, stream + i);
                left = 64;
            }
            id.append(URL_SAFE[(int) (bits & 63)]);
            bits >>>= 6;
            left -= 6;
        }
        return id.toString();
    }
}
