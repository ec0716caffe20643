package io.gatehouse.stepup;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.gatehouse.web.ErrorBody;

/**
 * A browser form is sent to "Confirm it's you" (303); an API caller gets RFC 9470's challenge, 401 with
 * {@code WWW-Authenticate: Bearer error="insufficient_user_authentication"}, {@code max_age} and {@code acr_values}.
 */
public class StepUpMapper {

    private final StepUpConfig config;

    StepUpMapper(StepUpConfig config) {
        this.config = config;
    }

    @ServerExceptionMapper
    public Response stepUp(StepUpRequired e, UriInfo uri) {
        if (!uri.getPath().startsWith("/api/")) {
            return Response.seeOther(URI.create("/auth/step-up?return="
                    + URLEncoder.encode(StepUpResource.localPath(e.returnTo()), StandardCharsets.UTF_8))).build();
        }
        StringBuilder challenge = new StringBuilder("Bearer error=\"insufficient_user_authentication\", error_description=\"")
                .append(e.getMessage().replace("\"", "'")).append("\", max_age=").append(config.maxAge().toSeconds());
        config.acrValues().ifPresent(values -> challenge.append(", acr_values=\"").append(String.join(" ", values)).append('"'));
        return Response.status(401).header("WWW-Authenticate", challenge.toString()).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorBody.of(e.code(), e.getMessage())).build();
    }
}
