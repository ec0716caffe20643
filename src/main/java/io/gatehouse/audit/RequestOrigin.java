package io.gatehouse.audit;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/** Where a request came from, for the audit trail. */
public record RequestOrigin(String clientIp, String userAgent) {

    private static final int MAX_USER_AGENT = 512;

    public static RequestOrigin of(HttpServerRequest request) {
        String agent = request.getHeader("User-Agent");
        if (agent != null && agent.length() > MAX_USER_AGENT) {
            agent = agent.substring(0, MAX_USER_AGENT);
        }
        return new RequestOrigin(clientIp(request), agent);
    }

    /**
     * The client's address. remoteAddress() honours X-Forwarded-For only from the proxies quarkus.http.proxy.* trusts,
     * but then takes its FIRST entry — which the client wrote itself: proxies (ingress-nginx, the ALB) append the
     * address they saw. So behind a trusted proxy the LAST entry counts: the one our proxy added.
     */
    static String clientIp(HttpServerRequest request) {
        SocketAddress forwarded = request.remoteAddress();
        SocketAddress peer = request.connection() == null ? null : request.connection().remoteAddress();
        String chain = request.getHeader("X-Forwarded-For");
        boolean trustedProxy = forwarded != null && peer != null && !forwarded.hostAddress().equals(peer.hostAddress());
        if (trustedProxy && chain != null && !chain.isBlank()) {
            String[] hops = chain.split(",");
            String last = hops[hops.length - 1].strip();
            if (!last.isEmpty() && last.length() <= 64) {
                return last;
            }
        }
        return forwarded == null ? null : forwarded.hostAddress();
    }
}
