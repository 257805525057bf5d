package io.strata.ingestion.grpc;

import io.strata.platform.grpc.BearerTokenMechanism;
import jakarta.inject.Singleton;

/**
 * Bearer tokens (services', partners') on this service's gRPC server, which runs apart from the HTTP
 * server (services/platform); write keys ({@code Basic}) are left to {@link WriteKeyInterceptor}.
 */
@Singleton
public class BearerTokens extends BearerTokenMechanism {}
