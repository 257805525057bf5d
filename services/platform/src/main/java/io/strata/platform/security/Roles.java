package io.strata.platform.security;

import java.util.List;

/** The realm's roles. A person's roles are composite: each includes the rights of the ones below it. */
public final class Roles {

    public static final String ADMIN = "strata-admin";
    public static final String MARKETER = "strata-marketer";
    public static final String ANALYST = "strata-analyst";
    public static final String VIEWER = "strata-viewer";

    /** Strata's own services calling each other's internal APIs (client-credentials tokens). */
    public static final String SERVICE = "strata-service";

    /** A partner's system calling the public gRPC APIs of its tenant. */
    public static final String PARTNER = "strata-partner";

    /** People's roles, lowest first. */
    public static final List<String> RANKS = List.of(VIEWER, ANALYST, MARKETER, ADMIN);

    private Roles() {}
}
