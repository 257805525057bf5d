package io.strata.gateway.client;

import io.quarkus.grpc.GlobalInterceptor;
import io.strata.platform.grpc.ServiceCallInterceptor;
import jakarta.inject.Singleton;

/**
 * Every call to a service carries the gateway's token, and the signed-in user's when it is made for
 * one (services/platform): the clients set the user with {@link ServiceCallInterceptor#FOR_USER}.
 */
@GlobalInterceptor
@Singleton
public class ServiceCalls extends ServiceCallInterceptor {

    public ServiceCalls(ServiceTokens tokens) {
        super(tokens);
    }
}
