package io.strata.demo;

/** The eight standard strategic crowds of the domain guide, and the consumers none of them takes. */
enum Crowd {
    REFINED_MUMS("精致妈妈", "refined mums"),
    SMALL_TOWN_YOUTH("小镇青年", "small-town youth"),
    GEN_Z("Gen Z", "Gen Z"),
    NEW_WHITE_COLLAR("新锐白领", "new white-collar"),
    SENIOR_MIDDLE_CLASS("资深中产", "senior middle class"),
    URBAN_BLUE_COLLAR("都市蓝领", "urban blue-collar"),
    URBAN_SILVER("都市银发", "urban silver"),
    SMALL_TOWN_MIDDLE_AGED("小镇中老年", "small-town middle-aged and elderly"),
    OTHER("其他", "none of the eight");

    final String zh;
    final String en;

    Crowd(String zh, String en) {
        this.zh = zh;
        this.en = en;
    }
}
