package io.strata.insight.feed;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** DOWN once the feed loop stopped on an error, so the orchestrator restarts the service. */
@Liveness
@ApplicationScoped
public class FeedHealth implements HealthCheck {

    private final FeedLoop loop;

    public FeedHealth(FeedLoop loop) {
        this.loop = loop;
    }

    @Override
    public HealthCheckResponse call() {
        String problem = loop.problem();
        boolean up = problem.isEmpty() || problem.equals("starting");
        return HealthCheckResponse.named("insight-feed")
                .status(up)
                .withData("problem", problem)
                .build();
    }
}
