package io.gatehouse.db;

/** The database could not answer or record something; the transaction rolls back and the caller gets a 503. */
public class StoreUnavailable extends RuntimeException {

    public StoreUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
