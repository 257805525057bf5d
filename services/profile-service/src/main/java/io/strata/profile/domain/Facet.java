package io.strata.profile.domain;

/**
 * One value of one dimension an event shows about its consumer (a category bought, a platform
 * used, a content topic viewed). The dimensions are the constants below.
 */
public record Facet(String dimension, String value) {

    /** Categories of the products ordered ({@code Order Completed} {@code products[].category}). */
    public static final String CATEGORY = "category";
    /** Products ordered ({@code products[].product_id}). */
    public static final String PRODUCT = "product";
    /** Where the consumer acted: {@code properties.channel} of events other than content views. */
    public static final String CHANNEL = "channel";
    /** The app platform: {@code context.device.type}, else {@code context.os.name}. */
    public static final String PLATFORM = "platform";
    /** Devices seen: {@code context.device.id}. */
    public static final String DEVICE = "device";
    /** Content viewed ({@code Content Viewed}): its channel, topic and creator. */
    public static final String CONTENT_CHANNEL = "content_channel";

    public static final String CONTENT_TOPIC = "content_topic";
    public static final String CONTENT_CREATOR = "content_creator";

    /** Every dimension. */
    public static final java.util.List<String> DIMENSIONS = java.util.List.of(
            CATEGORY, PRODUCT, CHANNEL, PLATFORM, DEVICE, CONTENT_CHANNEL, CONTENT_TOPIC, CONTENT_CREATOR);
}
