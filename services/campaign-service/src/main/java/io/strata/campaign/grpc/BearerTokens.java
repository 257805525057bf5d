package io.strata.campaign.grpc;

import io.strata.platform.grpc.BearerTokenMechanism;
import jakarta.inject.Singleton;

/** Internal calls' tokens, with the user's token they forward, as the call's identity (services/platform). */
@Singleton
public class BearerTokens extends BearerTokenMechanism {}
