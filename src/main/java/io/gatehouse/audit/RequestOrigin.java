package io.gatehouse.audit;

import io.vertx.core.http.HttpServerRequest;

/** Where a request came from, for the audit trail. */
public record RequestOrigin(String clientIp, String userAgent) {

    private static final int MAX_USER_AGENT = 512;

    public static RequestOrigin of(HttpServerRequest request) {
        String agent = request.getHeader("User-Agent");
        if (agent != null && agent.length() > MAX_USER_AGENT) {
            agent = agent.substring(0, MAX_USER_AGENT);
        }
        // remoteAddress() honours X-Forwarded-For only when quarkus.http.proxy.* says the proxy is trusted.
        String ip = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        return new RequestOrigin(ip, agent);
    }
}
