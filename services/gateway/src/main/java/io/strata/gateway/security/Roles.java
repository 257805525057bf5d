package io.strata.gateway.security;

/** Realm roles; each includes the rights of the ones below it. */
public final class Roles {

    public static final String ADMIN = "strata-admin";
    public static final String MARKETER = "strata-marketer";
    public static final String ANALYST = "strata-analyst";
    public static final String VIEWER = "strata-viewer";

    private Roles() {}
}
