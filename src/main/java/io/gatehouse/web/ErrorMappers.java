package io.gatehouse.web;

import java.util.UUID;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.gatehouse.db.StoreUnavailable;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Every refusal gets a clear message and a stable code: JSON ({@link ErrorBody}) for API callers, a readable page
 * for browsers. Never the exception class, never a stack trace; unexpected failures are logged with a reference
 * the user can quote.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance error(int status, String title, String message);
    }

    @ServerExceptionMapper
    public Response refused(GatehouseException e, UriInfo uri, HttpHeaders headers) {
        return refusal(e, uri, headers);
    }

    /** A refusal's answer: its status and error body (HTML or JSON), with Retry-After when it says when to come back. */
    public static Response refusal(GatehouseException e, UriInfo uri, HttpHeaders headers) {
        Response response = respond(e.status(), ErrorBody.of(e.code(), e.getMessage()).withField(e.field()), uri, headers);
        if (e instanceof RetryLater later) {
            return Response.fromResponse(response).header("Retry-After", later.retryAfterSeconds()).build();
        }
        return response;
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, UriInfo uri, HttpHeaders headers) {
        ConstraintViolation<?> first = e.getConstraintViolations().stream().findFirst().orElse(null);
        String field = first == null ? null : lastNode(first.getPropertyPath().toString());
        String message = first == null ? "The request is invalid." : (field == null ? "" : field + ": ") + first.getMessage();
        return respond(400, new ErrorBody("invalid_request", message, field), uri, headers);
    }

    /** A JSON body that cannot be read (malformed, wrong types, text that cannot be stored): 400 naming the field. */
    @ServerExceptionMapper({ com.fasterxml.jackson.core.JsonProcessingException.class,
            com.fasterxml.jackson.databind.exc.MismatchedInputException.class })
    public Response unreadableJson(com.fasterxml.jackson.core.JsonProcessingException e, UriInfo uri, HttpHeaders headers) {
        String field = null;
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping) {
            field = mapping.getPath().stream().map(com.fasterxml.jackson.databind.JsonMappingException.Reference::getFieldName)
                    .filter(java.util.Objects::nonNull).reduce((first, second) -> second).orElse(null);
        }
        String problem = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        String message = e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException && problem.startsWith("The value")
                ? (field == null ? problem : "The " + field + problem.substring("The value".length()))
                : "The request body is not valid JSON for this call" + (field == null ? "." : " (field " + field + ").");
        return respond(400, new ErrorBody("invalid_request", message, field), uri, headers);
    }

    @ServerExceptionMapper
    public Response http(WebApplicationException e, UriInfo uri, HttpHeaders headers) {
        if (e.getCause() instanceof GatehouseException refusal) {
            // A parameter converter refused (TextParameters): JAX-RS wraps that in a 404 or 400 of its own.
            return refused(refusal, uri, headers);
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e, uri, headers);
        }
        return respond(status, ErrorBody.of(codeFor(status), messageFor(status)), uri, headers);
    }

    /**
     * The database refused or lost the write (audit row included): the transaction rolled back, so nothing was
     * issued or changed. Fail closed, and say so.
     */
    // QuarkusTransactionException: a commit the database could not take (it went away mid-request), found by the soak.
    @ServerExceptionMapper({ StoreUnavailable.class, jakarta.persistence.PersistenceException.class,
            jakarta.transaction.RollbackException.class, org.hibernate.HibernateException.class,
            io.quarkus.narayana.jta.QuarkusTransactionException.class })
    public Response databaseRefused(Exception e, UriInfo uri, HttpHeaders headers) {
        String reference = UUID.randomUUID().toString().substring(0, 8);
        LOG.errorf(e, "Database write failed on %s (reference %s); transaction rolled back", uri.getPath(), reference);
        return respond(503, ErrorBody.of("unavailable",
                "Gatehouse could not record this request, so nothing was issued or changed. Try again shortly. Reference: "
                        + reference), uri, headers);
    }

    /** The S3 store refused or did not answer: fail closed (nothing listed, nothing issued), say so, keep the details in the log. */
    @ServerExceptionMapper
    public Response storeFailed(software.amazon.awssdk.core.exception.SdkException e, UriInfo uri, HttpHeaders headers) {
        String reference = UUID.randomUUID().toString().substring(0, 8);
        LOG.errorf("The S3 store failed on %s (reference %s): %s", uri.getPath(), reference, e.getMessage());
        return respond(503, ErrorBody.of("store_unavailable",
                "The storage service did not answer as expected, so this did not complete. Try again shortly. Reference: "
                        + reference), uri, headers);
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Exception e, UriInfo uri, HttpHeaders headers) {
        String reference = UUID.randomUUID().toString().substring(0, 8);
        LOG.errorf(e, "Unexpected failure on %s (reference %s)", uri.getPath(), reference);
        return respond(500, ErrorBody.of("internal_error",
                "Something went wrong on our side. Nothing was changed. Reference: " + reference), uri, headers);
    }

    /** The error as JSON for API callers, as a readable page for browsers. */
    public static Response respond(int status, ErrorBody body, UriInfo uri, HttpHeaders headers) {
        if (wantsHtml(uri, headers)) {
            return Response.status(status).type(MediaType.TEXT_HTML_TYPE)
                    .entity(Templates.error(status, titleFor(status), body.message())).build();
        }
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    private static boolean wantsHtml(UriInfo uri, HttpHeaders headers) {
        if (uri.getPath().startsWith("/api/")) {
            return false;
        }
        return headers.getAcceptableMediaTypes().stream().anyMatch(type -> type.isCompatible(MediaType.TEXT_HTML_TYPE)
                && !type.isWildcardType());
    }

    private static String lastNode(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406, 415 -> "unsupported_media_type";
            case 409 -> "conflict";
            default -> "http_" + status;
        };
    }

    private static String messageFor(int status) {
        return switch (status) {
            case 400 -> "The request is malformed.";
            case 401 -> "Sign in first.";
            case 403 -> "You are not allowed to do this.";
            case 404 -> "There is nothing here.";
            case 405 -> "This method is not allowed here.";
            case 406, 415 -> "This media type is not supported here.";
            case 409 -> "This conflicts with the current state.";
            default -> "The request was refused (" + status + ").";
        };
    }

    private static String titleFor(int status) {
        return switch (status) {
            case 403 -> "Not allowed";
            case 404 -> "Not found";
            case 429 -> "Slow down";
            case 500, 503 -> "Something went wrong";
            default -> "Request refused";
        };
    }
}
