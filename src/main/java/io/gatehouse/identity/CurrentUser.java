package io.gatehouse.identity;

import java.util.Set;

/**
 * Who is asking, as every feature sees it: a stable id, a display name, the Gatehouse roles held and the teams
 * the user belongs to. Read from the token by {@link CurrentUsers}.
 */
public record CurrentUser(String id, String displayName, Set<String> roles, Set<String> teams) {

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /** Whether the catalog, downloads and uploads are for this user (an auditor-only account sees none of them). */
    public boolean usesContent() {
        return hasRole(Role.USER) || hasRole(Role.PREMIUM) || hasRole(Role.ADMIN);
    }

    public boolean isMemberOf(String team) {
        return teams.contains(team);
    }
}
