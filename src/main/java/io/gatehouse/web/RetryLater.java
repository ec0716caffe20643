package io.gatehouse.web;

/** 429 Too Many Requests: the caller may try again after {@link #retryAfterSeconds()} (sent as Retry-After). */
public class RetryLater extends GatehouseException {

    private final long retryAfterSeconds;

    public RetryLater(long retryAfterSeconds, String code, String message) {
        super(429, code, message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
