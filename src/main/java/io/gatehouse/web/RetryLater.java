package io.gatehouse.web;

/**
 * 429 Too Many Requests (or, for a server that is busy rather than a caller that asks too often, 503): the caller may
 * try again after {@link #retryAfterSeconds()} (sent as Retry-After).
 */
public class RetryLater extends GatehouseException {

    private final long retryAfterSeconds;

    public RetryLater(long retryAfterSeconds, String code, String message) {
        this(429, retryAfterSeconds, code, message);
    }

    public RetryLater(int status, long retryAfterSeconds, String code, String message) {
        super(status, code, message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
