package io.gatehouse.audit;

import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.web.ErrorBody;
import io.gatehouse.web.ErrorMappers;
import io.gatehouse.web.RetryLater;
import io.quarkus.security.ForbiddenException;
import io.vertx.core.http.HttpServerRequest;

/** A signed-in user reached for something their role does not allow: refuse, and leave a denial row. */
public class AccessDenials {

    private static final Logger LOG = Logger.getLogger(AccessDenials.class);

    @Inject
    CurrentUsers users;

    @Inject
    AuditService audit;

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri, HttpHeaders headers, HttpServerRequest request) {
        try {
            var user = users.current();
            audit.recordAlone(AuditEntry.of(user.id(), AuditAction.ACCESS_DENIED, AuditOutcome.DENIED)
                    .reason("role")
                    .resource(request.method() + " " + uri.getPath())
                    .from(RequestOrigin.of(request))
                    .detail("roles", user.roles()));
        } catch (RetryLater limited) {
            // This caller has collected its share of refusals for now: no row, and it is told when to come back.
            return ErrorMappers.refusal(limited, uri, headers);
        } catch (RuntimeException auditFailure) {
            LOG.warnf("Could not record the denial of %s: %s", uri.getPath(), auditFailure.getMessage());
        }
        return ErrorMappers.respond(403, ErrorBody.of("forbidden", "Your role does not allow this."), uri, headers);
    }
}
