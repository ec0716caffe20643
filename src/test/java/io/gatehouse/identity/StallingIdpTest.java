package io.gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A bearer token naming a key the IdP never published makes Gatehouse fetch the IdP's keys again. When the IdP
 * then stalls, callers must still get their 401 promptly, and many such tokens must not each wait on the IdP.
 */
@QuarkusTest
@TestProfile(StallingIdpTest.KeysNotRefreshedYet.class)
class StallingIdpTest {

    /**
     * An app of its own: keys are re-fetched for an unknown kid at most every 5 minutes, so in an app where another
     * test (TokenAttacksTest) already sent one, this one would see no fetch at all.
     */
    public static class KeysNotRefreshedYet implements QuarkusTestProfile {
    }

    /** The embedded IdP's switch (see DevIdentityProvider): its key endpoint waits this long before answering. */
    private static final String JWKS_DELAY = "gatehouse.dev-idp.jwks-delay-ms";

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void unknownKeyIdsAreRefusedWhileTheIdpStallsAndDoNotPileUp() throws Exception {
        String forged = signedWithUnknownKey();
        // The app has its keys (its first fetch, made while it starts, is not counted below).
        io.restassured.RestAssured.given().auth().oauth2(Tokens.fresh("alice")).when().get("/api/me").then().statusCode(200);
        long keyFetchesBefore = keyFetches();
        System.setProperty(JWKS_DELAY, "15000");
        try {
            // A client that gives up after 5 s: long before the IdP answers (15 s), well after Gatehouse's own 2 s bound.
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/me"))
                        .header("Authorization", "Bearer " + forged).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                assertThat(call.get().statusCode()).isEqualTo(401);
            }
            // Twenty unknown keys, one fetch of the IdP's keys: the others did not wait on it (refetching is rate-limited).
            assertThat(keyFetches() - keyFetchesBefore).isEqualTo(1);
        } finally {
            System.clearProperty(JWKS_DELAY);
        }
        // The IdP's real tokens still work.
        io.restassured.RestAssured.given().auth().oauth2(Tokens.fresh("alice")).when().get("/api/me").then().statusCode(200);
    }

    /** The embedded IdP's JVM-wide count of requests to its key endpoint. */
    private static long keyFetches() {
        return Long.getLong("gatehouse.dev-idp.jwks-requests", 0);
    }

    /** A well-formed token for Gatehouse, signed by a key the IdP does not have. */
    private static String signedWithUnknownKey() throws Exception {
        RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
        key.setKeyId("rotated-away-" + System.nanoTime());
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(Tokens.issuer());
        claims.setAudience("gatehouse");
        claims.setSubject("alice");
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        claims.setClaim("azp", "gatehouse");
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }
}
