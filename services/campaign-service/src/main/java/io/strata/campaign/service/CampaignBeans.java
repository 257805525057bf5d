package io.strata.campaign.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.strata.campaign.activation.Activation;
import io.strata.campaign.channel.ChannelAdapter;
import io.strata.campaign.channel.HttpProvider;
import io.strata.campaign.channel.SandboxProvider;
import io.strata.campaign.channel.WeChatProvider;
import io.strata.campaign.channel.WeComProvider;
import io.strata.campaign.client.Profiles;
import io.strata.campaign.config.CampaignConfig;
import io.strata.campaign.repository.Db;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The journey runtime's parts, built once from the configuration. */
@ApplicationScoped
public class CampaignBeans {

    /** How long a provider's call may take. */
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Produces
    @Singleton
    Db db(Pool pool, CampaignConfig config) {
        return new Db(pool, config.timeout());
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    JourneyCache journeyCache() {
        return new JourneyCache();
    }

    @Produces
    @Singleton
    PolicyCache policyCache() {
        return new PolicyCache();
    }

    @Produces
    @Singleton
    JourneyRuntime runtime(
            Db db,
            JourneyCache journeys,
            PolicyCache policies,
            Clock clock,
            CampaignConfig config,
            MeterRegistry registry) {
        return new JourneyRuntime(
                db, journeys, policies, clock, config.defaultZone(), config.messagesTopic(), registry);
    }

    @Produces
    @Singleton
    Activation activation(Db db, Clock clock, CampaignConfig config, MeterRegistry registry) {
        var a = config.activation();
        return new Activation(
                db,
                clock,
                a.timeout(),
                a.backoff(),
                a.maxAttempts(),
                a.batch(),
                a.retention(),
                a.allowPrivateAddresses(),
                registry);
    }

    @Produces
    @Singleton
    Broadcasts broadcasts(Db db, JourneyRuntime runtime, Clock clock) {
        return new Broadcasts(db, runtime, clock);
    }

    @Produces
    @Singleton
    DateTriggers dateTriggers(
            Db db,
            JourneyRuntime runtime,
            JourneyCache journeys,
            PolicyCache policies,
            Clock clock,
            CampaignConfig config) {
        return new DateTriggers(db, runtime, journeys, policies, clock, config.defaultZone());
    }

    @Produces
    @Singleton
    ProfileRelay relay(Db db, Profiles profiles, MeterRegistry registry) {
        return new ProfileRelay(db, profiles, registry);
    }

    @Produces
    @Singleton
    Dispatcher dispatcher(Db db, Clock clock, CampaignConfig config, MeterRegistry registry) {
        var sandbox = new SandboxProvider(db);
        Map<String, ChannelAdapter> adapters = new ConcurrentHashMap<>();
        return new Dispatcher(
                db,
                channel -> adapters.computeIfAbsent(channel, c -> {
                    String provider = config.providers().getOrDefault(c, "sandbox");
                    return switch (provider) {
                        case "sandbox" -> sandbox;
                        case "wechat" ->
                            new WeChatProvider(
                                    config.wechat().baseUrl(), config.wechat().appSecrets(), TIMEOUT, clock);
                        case "wecom" ->
                            new WeComProvider(
                                    config.wecom().baseUrl(),
                                    config.wecom().corpIds(),
                                    config.wecom().corpSecrets(),
                                    TIMEOUT,
                                    clock);
                        default -> new HttpProvider(URI.create(provider), TIMEOUT);
                    };
                }),
                clock,
                config.dispatch().ratePerSecond(),
                config.dispatch().maxAttempts(),
                config.messagesTopic(),
                registry);
    }
}
