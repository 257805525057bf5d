package io.strata.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The demo brand's fixed world: its ~30 categories and ~500 products, the content channels,
 * topics and creators (KOLs) its consumers see, and China's cities by tier. The same for every
 * seed, so two generated data sets speak of the same products.
 */
final class Catalog {

    /** A product category: id, Chinese and English names, share of the baskets it leads, list-price level (CNY). */
    record Category(int index, String id, String zh, String en, double weight, double price, String[] nouns) {}

    /** One product: its list price in fen (CNY cents). */
    record Product(String id, String sku, String name, Category category, long listPriceFen) {}

    /** A content creator (KOL) or account, with the platform they mostly publish on. */
    record Creator(String id, String name, String platform) {}

    /** A content topic. */
    record Topic(String id, String zh) {}

    static final String BRAND = "澜序 LANXU";
    static final int PRODUCTS_PER_CATEGORY = 17;

    static final List<Category> CATEGORIES = List.of(
            category(0, "skincare", "面部护肤", "Skincare", 9, 189, "精华液", "面霜", "爽肤水", "乳液", "眼霜", "防晒霜"),
            category(1, "masks", "面膜", "Face masks", 6, 79, "补水面膜", "清洁泥膜", "睡眠面膜", "修护面膜"),
            category(2, "makeup", "彩妆", "Makeup", 7, 129, "口红", "粉底液", "眼影盘", "睫毛膏", "腮红", "唇釉"),
            category(3, "fragrance", "香水", "Fragrance", 2.5, 299, "淡香水", "香氛喷雾", "固体香膏"),
            category(4, "haircare", "洗发护发", "Haircare", 5, 69, "洗发水", "护发素", "发膜", "护发精油"),
            category(5, "bodycare", "身体护理", "Body care", 4, 59, "沐浴露", "身体乳", "护手霜", "磨砂膏"),
            category(6, "oral_care", "口腔护理", "Oral care", 3.5, 39, "牙膏", "电动牙刷头", "漱口水"),
            category(7, "baby_care", "母婴用品", "Baby care", 3.5, 139, "婴儿润肤乳", "纸尿裤", "儿童牙膏", "湿巾"),
            category(8, "snacks", "零食", "Snacks", 6, 35, "坚果礼盒", "冻干水果", "牛肉干", "海苔脆"),
            category(9, "tea", "茶饮", "Tea", 3, 88, "花果茶", "乌龙茶", "冷泡茶", "养生茶"),
            category(10, "coffee", "咖啡", "Coffee", 3.5, 69, "挂耳咖啡", "冻干咖啡", "咖啡豆", "冷萃液"),
            category(11, "supplements", "保健品", "Supplements", 3, 199, "胶原蛋白", "益生菌", "维生素", "鱼油"),
            category(12, "sportswear", "运动服饰", "Sportswear", 3.5, 239, "运动T恤", "速干短裤", "运动内衣", "卫衣"),
            category(13, "yoga", "瑜伽", "Yoga", 2, 129, "瑜伽垫", "瑜伽裤", "弹力带", "瑜伽砖"),
            category(14, "womenswear", "女装", "Womenswear", 4.5, 259, "连衣裙", "针织衫", "阔腿裤", "风衣"),
            category(15, "menswear", "男装", "Menswear", 2.5, 269, "衬衫", "休闲裤", "夹克", "Polo衫"),
            category(16, "underwear", "内衣", "Underwear", 3, 99, "无钢圈内衣", "睡衣", "袜子礼盒"),
            category(17, "shoes", "鞋靴", "Shoes", 3, 329, "小白鞋", "跑步鞋", "乐福鞋", "短靴"),
            category(18, "bags", "箱包", "Bags", 2, 359, "托特包", "双肩包", "行李箱", "斜挎包"),
            category(19, "accessories", "饰品", "Accessories", 2.5, 89, "耳环", "发夹", "项链", "丝巾"),
            category(20, "home_textiles", "家纺", "Home textiles", 2.5, 199, "四件套", "乳胶枕", "夏凉被", "毛巾"),
            category(21, "kitchenware", "厨具", "Kitchenware", 2.5, 129, "不粘锅", "保温杯", "刀具套装", "餐具"),
            category(22, "storage", "收纳", "Storage", 2.5, 49, "收纳盒", "衣架", "桌面收纳", "真空袋"),
            category(23, "cleaning", "清洁用品", "Cleaning", 3.5, 39, "洗衣凝珠", "地板清洁剂", "除螨喷雾", "厨房湿巾"),
            category(24, "pet_supplies", "宠物用品", "Pet supplies", 2.5, 99, "猫粮", "狗粮", "猫砂", "宠物零食"),
            category(25, "stationery", "文具", "Stationery", 2, 29, "手账本", "中性笔", "便利贴", "笔袋"),
            category(26, "digital_accessories", "数码配件", "Digital accessories", 3, 89, "数据线", "充电宝", "蓝牙耳机", "手机壳"),
            category(27, "small_appliances", "小家电", "Small appliances", 2.5, 399, "吹风机", "电动牙刷", "加湿器", "破壁机"),
            category(28, "outdoor", "户外", "Outdoor", 1.5, 279, "露营椅", "冲锋衣", "防晒帽", "登山杖"),
            category(29, "toys", "玩具", "Toys", 2, 119, "积木", "毛绒玩具", "益智拼图", "盲盒"));

    private static final String[] VARIANTS = {
        "经典款", "升级款", "轻盈版", "滋润版", "限定款", "旅行装", "家庭装", "礼盒装", "迷你装", "国潮联名款", "专业版", "基础款", "大师系列", "四季款", "轻奢款",
        "简约款", "至臻版"
    };
    private static final double[] PRICE_FACTORS = {
        0.45, 0.55, 0.65, 0.7, 0.8, 0.85, 0.9, 1.0, 1.0, 1.1, 1.2, 1.3, 1.45, 1.6, 1.8, 2.1, 2.4
    };

    static final List<Product> PRODUCTS = products();

    /** Where the brand's content reaches consumers. */
    static final List<String> CHANNELS = List.of("wechat", "douyin", "xiaohongshu", "weibo");

    static final List<Topic> TOPICS = List.of(
            new Topic("skincare_routine", "护肤日常"),
            new Topic("makeup_tutorial", "美妆教程"),
            new Topic("guochao", "国潮"),
            new Topic("parenting", "母婴育儿"),
            new Topic("fitness", "健身"),
            new Topic("wellness", "养生"),
            new Topic("home_living", "家居生活"),
            new Topic("pets", "萌宠"),
            new Topic("travel", "旅行"),
            new Topic("office_life", "职场"),
            new Topic("campus", "校园"),
            new Topic("deals", "省钱好物"),
            new Topic("cooking", "美食"),
            new Topic("fashion", "穿搭"),
            new Topic("tech_gadgets", "数码"),
            new Topic("camping", "露营"),
            new Topic("tea_culture", "茶文化"),
            new Topic("reading", "读书"),
            new Topic("music_festival", "音乐节"),
            new Topic("square_dance", "广场舞"));

    /** Content with no creator a consumer follows comes from the brand's own accounts. */
    static final String OFFICIAL_CREATOR = "lanxu_official";

    static final String GENERAL_TOPIC = "brand_news";

    static final List<Creator> CREATORS = List.of(
            new Creator("xiaomei_skin", "小美护肤日记", "xiaohongshu"),
            new Creator("azhen_guochao", "阿珍国潮研究所", "xiaohongshu"),
            new Creator("mama_lin_baby", "林妈妈育儿经", "xiaohongshu"),
            new Creator("office_lucy", "职场Lucy", "xiaohongshu"),
            new Creator("dage_haowu", "大哥好物推荐", "douyin"),
            new Creator("laoli_shuma", "老李聊数码", "douyin"),
            new Creator("dr_wang_health", "王医生讲养生", "wechat"),
            new Creator("chef_zhou", "周师傅家常菜", "douyin"),
            new Creator("fitgirl_yoyo", "健身女孩悠悠", "douyin"),
            new Creator("cat_sister", "猫姐和她的猫", "weibo"),
            new Creator("travel_ajie", "阿杰去旅行", "weibo"),
            new Creator("campus_xiaoyu", "校园小鱼", "douyin"),
            new Creator("makeup_kiki", "Kiki美妆", "xiaohongshu"),
            new Creator("fashion_mia", "Mia穿搭", "xiaohongshu"),
            new Creator("tea_master_chen", "陈师傅说茶", "wechat"),
            new Creator("camp_brothers", "露营兄弟", "douyin"),
            new Creator("book_club_su", "苏苏读书会", "wechat"),
            new Creator("dance_aunt_li", "李阿姨广场舞", "douyin"),
            new Creator("deal_hunter_88", "省钱小能手88", "douyin"),
            new Creator("home_nana", "娜娜的家", "xiaohongshu"),
            new Creator("skin_doctor_he", "何医生皮肤科", "weibo"),
            new Creator("beauty_tony", "Tony老师", "douyin"),
            new Creator("daily_vlog_wen", "文文的日常", "weibo"),
            new Creator("music_fest_guide", "音乐节指南", "weibo"),
            new Creator("pet_doctor_zhao", "赵医生宠物诊所", "wechat"),
            new Creator("runner_kai", "跑者阿凯", "wechat"),
            new Creator("mom_cooking", "妈妈的厨房", "wechat"),
            new Creator("gadget_lab", "数码实验室", "weibo"),
            new Creator("style_jun", "俊哥型男", "douyin"),
            new Creator("study_with_me", "一起学习吧", "xiaohongshu"));

    /** Cities by tier (1 = 一线 … 5 = 五线): index 0 holds tier 1. */
    static final List<List<String>> CITIES = List.of(
            List.of("北京", "上海", "广州", "深圳"),
            List.of("成都", "杭州", "重庆", "武汉", "苏州", "西安", "南京", "长沙", "天津", "郑州", "东莞", "青岛"),
            List.of("宁波", "佛山", "合肥", "无锡", "厦门", "福州", "济南", "大连", "昆明", "温州", "南昌", "石家庄"),
            List.of("湛江", "洛阳", "桂林", "赣州", "绵阳", "九江", "襄阳", "岳阳", "宜宾", "常德"),
            List.of("丽江", "天水", "延吉", "百色", "安顺", "乌兰察布", "张掖", "汕尾"));

    /** Family names: Chinese, pinyin. */
    static final String[][] FAMILY_NAMES = {
        {"王", "wang"},
        {"李", "li"},
        {"张", "zhang"},
        {"刘", "liu"},
        {"陈", "chen"},
        {"杨", "yang"},
        {"黄", "huang"},
        {"赵", "zhao"},
        {"吴", "wu"},
        {"周", "zhou"},
        {"徐", "xu"},
        {"孙", "sun"},
        {"马", "ma"},
        {"朱", "zhu"},
        {"胡", "hu"},
        {"郭", "guo"},
        {"何", "he"},
        {"林", "lin"},
        {"罗", "luo"},
        {"高", "gao"}
    };

    static final String[][] GIVEN_NAMES_FEMALE = {
        {"静", "jing"},
        {"丽", "li"},
        {"敏", "min"},
        {"婷", "ting"},
        {"雪", "xue"},
        {"芳", "fang"},
        {"欣怡", "xinyi"},
        {"梓涵", "zihan"},
        {"雨桐", "yutong"},
        {"佳琪", "jiaqi"},
        {"晓燕", "xiaoyan"},
        {"慧", "hui"},
        {"思雨", "siyu"},
        {"婉清", "wanqing"},
        {"丹", "dan"},
        {"玲", "ling"}
    };
    static final String[][] GIVEN_NAMES_MALE = {
        {"伟", "wei"},
        {"强", "qiang"},
        {"磊", "lei"},
        {"军", "jun"},
        {"洋", "yang"},
        {"勇", "yong"},
        {"浩然", "haoran"},
        {"子轩", "zixuan"},
        {"宇", "yu"},
        {"俊杰", "junjie"},
        {"建华", "jianhua"},
        {"明", "ming"},
        {"鹏", "peng"},
        {"志强", "zhiqiang"},
        {"博文", "bowen"},
        {"杰", "jie"}
    };
    static final String[] EMAIL_DOMAINS = {
        "qq.com", "163.com", "126.com", "foxmail.com", "sina.com", "outlook.com", "gmail.com", "icloud.com"
    };
    static final String[] PHONE_PREFIXES = {
        "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "157", "158",
        "159", "166", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198",
        "199"
    };

    /** Pages of the brand's app, mini-program and web store: name, path. */
    static final String[][] PAGES = {
        {"Home", "/"},
        {"Category", "/category"},
        {"Product", "/product"},
        {"Campaign", "/campaign/new-season"},
        {"Member Center", "/member"},
        {"Search", "/search"}
    };

    /** Where orders are placed. */
    static final String[] ORDER_CHANNELS = {"app", "wechat_mini_program", "tmall", "jd", "douyin_shop", "offline_store"
    };

    static final String[] STORES = {"上海南京西路店", "北京三里屯店", "成都太古里店", "杭州湖滨银泰店", "广州天环店", "深圳万象城店", "武汉楚河汉街店", "长沙五一广场店"};

    private Catalog() {}

    static Category category(String id) {
        for (Category c : CATEGORIES) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no category " + id);
    }

    /** The products of a category, cheapest first. */
    static List<Product> productsOf(Category category) {
        return PRODUCTS.subList(
                category.index() * PRODUCTS_PER_CATEGORY, (category.index() + 1) * PRODUCTS_PER_CATEGORY);
    }

    private static Category category(
            int index, String id, String zh, String en, double weight, double price, String... nouns) {
        return new Category(index, id, zh, en, weight, price, nouns);
    }

    private static List<Product> products() {
        List<Product> all = new ArrayList<>();
        for (Category c : CATEGORIES) {
            for (int k = 0; k < PRODUCTS_PER_CATEGORY; k++) {
                String id = String.format("P%02d%02d", c.index() + 1, k + 1);
                String noun = c.nouns()[k % c.nouns().length];
                String variant = VARIANTS[(k * 7 + c.index()) % VARIANTS.length];
                long fen = Math.round(c.price() * PRICE_FACTORS[k]) * 100 - 10; // prices end in .90
                all.add(new Product(
                        id, id + "-" + (char) ('A' + k % 4), BRAND.split(" ")[0] + noun + " " + variant, c, fen));
            }
        }
        return Collections.unmodifiableList(all);
    }
}
