package io.gatehouse.identity;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.WeakHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.UnauthorizedException;

/** Turns the authenticated token into a {@link CurrentUser}; the one place claims are read. */
@ApplicationScoped
public class CurrentUsers {

    /** A user read from a token's claims, with the identity's roles they were read with. */
    private record Read(Set<String> identityRoles, CurrentUser user) {
    }

    private final IdentityConfig config;
    private final SecurityIdentity identity;
    private final Directory directory;
    /**
     * Users by the token they were read from. A cached bearer token's principal is the same object on every request
     * until it expires ({@link VerifiedTokens}), so its claims are read once, not on every request (a tenth of a
     * download URL's issue). Keys by identity (principals do not override equals) and weakly held: a principal no
     * longer referenced (an expired token's, a browser request's ID token) leaves with it.
     */
    private final Map<JsonWebToken, Read> reads = Collections.synchronizedMap(new WeakHashMap<>());

    CurrentUsers(IdentityConfig config, SecurityIdentity identity, Directory directory) {
        this.config = config;
        this.identity = identity;
        this.directory = directory;
    }

    /** The signed-in user of the current request; 401 when there is none. */
    public CurrentUser current() {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            throw new UnauthorizedException();
        }
        Set<String> identityRoles = identity.getRoles();
        Read read = reads.get(token);
        if (read == null || !read.identityRoles().equals(identityRoles)) {
            read = new Read(Set.copyOf(identityRoles), fromToken(token, identityRoles));
            reads.put(token, read);
        }
        directory.seen(read.user());
        return read.user();
    }

    CurrentUser fromToken(JsonWebToken token, Set<String> identityRoles) {
        String id = stringClaim(token, config.userIdClaim());
        if (id == null || id.isBlank()) {
            throw new UnauthorizedException();
        }
        String name = stringClaim(token, config.displayNameClaim());
        TreeSet<String> roles = new TreeSet<>(identityRoles);
        roles.retainAll(Role.ALL);
        return new CurrentUser(id, name == null || name.isBlank() ? id : name, Collections.unmodifiableSortedSet(roles),
                teams(token));
    }

    /** Sorted, so that pages list them (and pick a default team) the same way every time. */
    private Set<String> teams(JsonWebToken token) {
        TreeSet<String> teams = new TreeSet<>();
        Object claim = claimAt(token, config.teamsClaim());
        if (claim instanceof Collection<?> values) {
            for (Object value : values) {
                String team = unquote(String.valueOf(value));
                String prefix = config.effectiveTeamPrefix();
                if (team.startsWith(prefix) && team.length() > prefix.length()) {
                    teams.add(team.substring(prefix.length()));
                }
            }
        }
        return Collections.unmodifiableSortedSet(teams);
    }

    private static String stringClaim(JsonWebToken token, String path) {
        Object value = claimAt(token, path);
        return value == null ? null : unquote(String.valueOf(value));
    }

    /** Reads a claim by name or by a {@code a/b} path into nested JSON objects. */
    private static Object claimAt(JsonWebToken token, String path) {
        String[] segments = path.split("/");
        Object value = token.getClaim(segments[0]);
        for (int i = 1; i < segments.length && value != null; i++) {
            value = value instanceof jakarta.json.JsonObject object ? object.get(segments[i]) : null;
        }
        if (value instanceof jakarta.json.JsonArray array) {
            return array.stream().map(Object::toString).toList();
        }
        return value;
    }

    /** JSON-P string values print with quotes. */
    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }
}
