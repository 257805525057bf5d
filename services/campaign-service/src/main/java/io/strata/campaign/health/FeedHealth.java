package io.strata.campaign.health;

import io.strata.campaign.messaging.FeedConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the feed consumer applies what it reads (or this replica reads no feed). */
@Readiness
@ApplicationScoped
public class FeedHealth implements HealthCheck {

    private final FeedConsumer feed;

    public FeedHealth(FeedConsumer feed) {
        this.feed = feed;
    }

    @Override
    public HealthCheckResponse call() {
        var problem = feed.problem();
        var builder = HealthCheckResponse.named("journey feeds").status(problem.isEmpty());
        problem.ifPresent(p -> builder.withData("problem", p));
        return builder.build();
    }
}
