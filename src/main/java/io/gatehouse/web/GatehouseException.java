package io.gatehouse.web;

/**
 * A refusal with a status, a stable code and a message meant for the person who asked. Features throw it (or a
 * subclass); {@link ErrorMappers} turns it into a response.
 */
public class GatehouseException extends RuntimeException {

    private final int status;
    private final String code;
    private final String field;

    public GatehouseException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public GatehouseException(int status, String code, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public static GatehouseException badRequest(String field, String message) {
        return new GatehouseException(400, "invalid_request", message, field);
    }

    public static GatehouseException notFound(String message) {
        return new GatehouseException(404, "not_found", message);
    }

    public static GatehouseException forbidden(String code, String message) {
        return new GatehouseException(403, code, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }
}
