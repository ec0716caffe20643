package io.gatehouse.support;

import java.util.regex.Pattern;

import io.restassured.response.Response;

/** Whether an answer hands out a pre-signed URL: a signature with its value, in the body or the Location header. */
public final class Presigned {

    /** The signature of a pre-signed URL (the upload script names the parameter, without a value). */
    public static final Pattern SIGNATURE = Pattern.compile("X-Amz-Signature=[0-9a-f]{64}");

    private Presigned() {
    }

    public static boolean in(Response response) {
        return SIGNATURE.matcher(response.asString()).find()
                || SIGNATURE.matcher(String.valueOf(response.header("Location"))).find();
    }
}
