package io.gatehouse.storage;

import java.net.URI;
import java.util.Base64;
import java.util.Optional;

/**
 * SSE-C, encryption with a key the team holds: the browser sends the key with every request to the store; Gatehouse
 * signs only the algorithm and the key's MD5 (S3 checks the key against it), so the key never reaches Gatehouse. A key
 * in a header must never travel in the clear: SSE-C is refused unless both Gatehouse and browsers reach the store
 * over https.
 */
public final class SseCustomerKeys {

    public static final String ALGORITHM = "AES256";

    private SseCustomerKeys() {
    }

    /** Why SSE-C cannot be used with this store, or null when both ways to it are https. */
    public static String httpsProblem(S3Config config) {
        Optional<URI> own = S3Clients.endpoint(config);
        Optional<URI> browsers = S3Clients.browserEndpoint(config);
        for (Optional<URI> endpoint : java.util.List.of(own, browsers)) {
            if (endpoint.isPresent() && !"https".equalsIgnoreCase(endpoint.get().getScheme())) {
                return "SSE-C sends the team's key with every request, so it needs https to the store; this store is "
                        + "reached at " + endpoint.get() + ". Give the store an https address first.";
            }
        }
        return null;
    }

    /** A base64 MD5 digest (16 bytes), as S3 wants for the key's and the body's MD5. */
    public static boolean isMd5(String value) {
        if (value == null || value.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(value).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
