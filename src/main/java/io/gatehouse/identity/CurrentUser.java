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

    public boolean isMemberOf(String team) {
        return teams.contains(team);
    }
}
