package io.gatehouse.web;

/** The stable error shape of every API refusal: a machine code, a sentence for people, the field at fault. */
public record ErrorBody(String code, String message, String field) {

    public static ErrorBody of(String code, String message) {
        return new ErrorBody(code, message, null);
    }

    public ErrorBody withField(String field) {
        return new ErrorBody(code, message, field);
    }
}
