package io.gatehouse.identity;

/** The roles Gatehouse knows. Anything else an IdP puts in the role claim grants nothing. */
public final class Role {
    public static final String USER = "user";
    public static final String PREMIUM = "premium";
    public static final String ADMIN = "admin";
    public static final String AUDITOR = "auditor";

    public static final java.util.Set<String> ALL = java.util.Set.of(USER, PREMIUM, ADMIN, AUDITOR);

    private Role() {
    }
}
