package io.strata.campaign.grpc;

import io.quarkus.grpc.GlobalInterceptor;
import io.strata.platform.grpc.CallerInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/** The forwarded user token and the method name into every call's context (services/platform). */
@GlobalInterceptor
@ApplicationScoped
public class Callers extends CallerInterceptor {}
