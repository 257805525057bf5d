package io.strata.campaign.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** campaign-service's settings ({@code strata.campaign.*}). */
@ConfigMapping(prefix = "strata.campaign")
public interface CampaignConfig {

    /** The clients that may call for a user (with the user's token): the gateway. */
    @WithDefault("strata-gateway")
    java.util.Set<String> userCallers();

    /** The zone of a profile without one, when its tenant sets none. */
    @WithDefault("Asia/Shanghai")
    String defaultZone();

    /** How long a database round of the workers may take before it counts as failed. */
    @WithDefault("PT30S")
    Duration timeout();

    Timers timers();

    Feed feed();

    /** Where the messages' changes of state are announced (strata.messages.v1, through the outbox). */
    @WithDefault("strata.messages.v1")
    String messagesTopic();

    /** The outbox relay of strata.messages.v1. */
    Outbox outbox();

    interface Outbox {
        /** Off: another replica relays (one relays at a time anyway). */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("500")
        int batch();

        @WithDefault("PT0.2S")
        Duration idle();

        @WithDefault("PT30S")
        Duration timeout();
    }

    /** Where records that can never be processed go, with the reason. */
    @WithDefault("strata.events.dlq.v1")
    String deadLetterTopic();

    interface Feed {
        /** Off: this replica reads no feed (a worker-only replica). */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("campaign-service")
        String group();

        @WithDefault("strata.segment-membership.v1")
        String membershipTopic();

        @WithDefault("strata.profile-events.v1")
        String profileEventsTopic();

        @WithDefault("strata.profile-changes.v1")
        String profileChangesTopic();
    }

    /**
     * The provider of each channel: {@code sandbox} (records deliveries in the database, the default),
     * {@code wechat} / {@code wecom} (WeChat's and WeCom's own APIs, for those channels), or the URL
     * messages are POSTed to, e.g. {@code strata.campaign.providers.sms=https://sms.example/send}.
     */
    java.util.Map<String, String> providers();

    Dispatch dispatch();

    Relay relay();

    Entries entries();

    Activation activation();

    /** Audience activation: transitions delivered to the destinations' webhooks. */
    interface Activation {
        @WithDefault("true")
        boolean enabled();

        /** The pause between looks for destinations with something queued. */
        @WithDefault("PT0.5S")
        Duration idle();

        /** How long a destination may take to answer. */
        @WithDefault("PT10S")
        Duration timeout();

        /** The first retry's wait; it doubles with each failure, up to an hour. */
        @WithDefault("PT1S")
        Duration backoff();

        /** Attempts before a delivery is failed and its queue moves on (15: about nine hours of retries). */
        @WithDefault("15")
        int maxAttempts();

        /** Deliveries claimed per round of a destination. */
        @WithDefault("100")
        int batch();

        /** How long transitions are kept for replays (from their arrival). */
        @WithDefault("P30D")
        Duration retention();

        /** Destinations may be loopback or private addresses (an on-premise CRM); off, only public ones. */
        @WithDefault("false")
        boolean allowPrivateAddresses();
    }

    /** Entries not made by the feeds: broadcasts and the date trigger's scan. */
    interface Entries {
        @WithDefault("true")
        boolean enabled();

        /** Members of a broadcast's audience started per transaction. */
        @WithDefault("1000")
        int page();

        /** The pause when no broadcast is due. */
        @WithDefault("PT1S")
        Duration idle();

        /** How often the date trigger's scan runs (a day's entries start at their local time, up to this late). */
        @WithDefault("PT5M")
        Duration dateScanEvery();
    }

    /** The relay of tag updates and replied opt-outs to profile-service. */
    interface Relay {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("500")
        int batch();

        @WithDefault("PT1S")
        Duration idle();
    }

    /** WeChat subscription messages ({@code strata.campaign.providers.wechat=wechat}). */
    WeChat wechat();

    /** WeCom customer broadcasts ({@code strata.campaign.providers.wecom=wecom}). */
    WeCom wecom();

    interface WeChat {
        @WithDefault("https://api.weixin.qq.com")
        java.net.URI baseUrl();

        /**
         * The secret of each tenant's apps (the sender of a WeChat message is its appId):
         * {@code app-secrets.<tenant>.<appId>=…}.
         */
        java.util.Map<String, java.util.Map<String, String>> appSecrets();
    }

    interface WeCom {
        @WithDefault("https://qyapi.weixin.qq.com")
        java.net.URI baseUrl();

        /** Each tenant's WeCom corp id: {@code corp-ids.demo=ww123…}. */
        java.util.Map<String, String> corpIds();

        /** Each tenant's secret of the corp's customer-contact app. */
        java.util.Map<String, String> corpSecrets();
    }

    interface Timers {
        /** Off: this replica fires no timers (another does). */
        @WithDefault("true")
        boolean enabled();

        /** Due instances claimed per transaction. */
        @WithDefault("500")
        int batch();

        /**
         * Threads firing timers in this replica: each claims its own batch (SKIP LOCKED), so one's
         * round trips to the database overlap another's work.
         */
        @WithDefault("2")
        int threads();

        /** The pause of a worker that found nothing due. */
        @WithDefault("PT0.1S")
        Duration idle();
    }

    interface Dispatch {
        @WithDefault("true")
        boolean enabled();

        /** Queued sends claimed per transaction. */
        @WithDefault("500")
        int batch();

        @WithDefault("PT0.1S")
        Duration idle();

        /** Calls per second per channel, across this replica's dispatcher. */
        @WithDefault("5000")
        int ratePerSecond();

        /** Failed provider calls are retried with back-off this many times, then the send is failed. */
        @WithDefault("8")
        int maxAttempts();
    }
}
