package io.gatehouse.hardening;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Presigned;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Forged and misissued bearer tokens, each tried on who-am-I, on a download URL alice's real token gets, and on a
 * page: every one is 401, never a URL, never a row in the audit trail under the identity it claims.
 */
@QuarkusTest
class TokenAttacksTest {

    @Inject
    DataSource db;

    private String item;

    @BeforeEach
    void itemAliceMayRead() {
        item = Long.toString(AuthorizationMatrixTest.teamAItem(db));
        // The attacks below are worth something only if the genuine token gets the URL.
        assertThat(downloadUrl(Tokens.of("alice")).statusCode()).isEqualTo(200);
    }

    @Test
    void correctlySignedTokensThatAreNotValidHereAreRefused() {
        long now = Instant.now().getEpochSecond();
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("expired", signedByTheIdp("{\"exp\":" + (now - 120) + "}"));
        tokens.put("not yet valid", signedByTheIdp("{\"nbf\":" + (now + 3600) + ",\"iat\":" + (now + 3600) + "}"));
        tokens.put("another issuer", signedByTheIdp("{\"iss\":\"https://idp.attacker.example\"}"));
        tokens.put("no audience", signedByTheIdp("{\"aud\":null}"));
        tokens.put("another audience", signedByTheIdp("{\"aud\":\"reports-app\"}"));
        tokens.put("no expiry", signedByTheIdp("{\"exp\":null}"));
        tokens.put("issued to another client", Tokens.forClient("reports-app", "reports-secret", "alice"));
        assertAllRefused(tokens);
    }

    @Test
    void forgedAndAlteredTokensAreRefused() throws JoseException {
        String genuine = Tokens.of("alice");
        String[] parts = genuine.split("\\.");
        String payload = json(parts[1]);
        PublicJsonWebKey idpKey = (PublicJsonWebKey) new JsonWebKeySet(given().get(Tokens.issuer() + "/keys").asString())
                .getJsonWebKeys().get(0);
        RsaJsonWebKey attackerKey = RsaJwkGenerator.generateJwk(2048);

        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("alg none", encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".");
        tokens.put("alg none, signature kept", encode("{\"alg\":\"none\"}") + "." + parts[1] + "." + parts[2]);
        tokens.put("signature stripped", parts[0] + "." + parts[1] + ".");
        tokens.put("no signature part", parts[0] + "." + parts[1]);
        tokens.put("signature of another token", parts[0] + "." + parts[1] + "." + Tokens.of("bob").split("\\.")[2]);
        tokens.put("HS256 keyed with the IdP's public key (DER)",
                sign(payload, AlgorithmIdentifiers.HMAC_SHA256, hmac(idpKey.getPublicKey().getEncoded()), idpKey.getKeyId()));
        tokens.put("HS256 keyed with the IdP's public key (PEM)",
                sign(payload, AlgorithmIdentifiers.HMAC_SHA256, hmac(pem(idpKey.getPublicKey().getEncoded())), idpKey.getKeyId()));
        tokens.put("HS256 keyed with the JWK's modulus",
                sign(payload, AlgorithmIdentifiers.HMAC_SHA256, hmac(idpKey.toJson().getBytes(StandardCharsets.UTF_8)), idpKey.getKeyId()));
        tokens.put("unknown kid", sign(payload, AlgorithmIdentifiers.RSA_USING_SHA256, attackerKey.getPrivateKey(), "attacker"));
        tokens.put("the IdP's kid, another key",
                sign(payload, AlgorithmIdentifiers.RSA_USING_SHA256, attackerKey.getPrivateKey(), idpKey.getKeyId()));
        tokens.put("no kid, another key", sign(payload, AlgorithmIdentifiers.RSA_USING_SHA256, attackerKey.getPrivateKey(), null));
        tokens.put("embedded jwk header", embeddedKey(payload, attackerKey));
        tokens.put("roles edited", tampered(parts, p -> p.replace("\"roles\":[\"user\"]", "\"roles\":[\"user\",\"admin\",\"premium\"]")));
        tokens.put("groups edited", tampered(parts, p -> p.replace("\"/team-a\"", "\"/team-b\"")));
        tokens.put("subject edited", tampered(parts, p -> p.replace("\"sub\":\"alice\"", "\"sub\":\"carol\"")));
        tokens.put("expiry extended", tampered(parts, p -> p.replaceFirst("\"exp\":\\d+", "\"exp\":9999999999")));
        tokens.put("garbage", "not-a-token");
        tokens.put("empty segments", "..");
        tokens.put("empty payload", parts[0] + ".." + parts[2]);
        tokens.put("not base64url", parts[0] + ".%%%." + parts[2]);
        tokens.put("JWE-shaped", parts[0] + "." + parts[1] + "." + parts[2] + ".x.y");
        tokens.put("huge", "a".repeat(20_000));
        assertThat(tokens.get("roles edited")).isNotEqualTo(genuine);
        assertThat(tokens.get("groups edited")).isNotEqualTo(genuine);
        assertAllRefused(tokens);
    }

    private void assertAllRefused(Map<String, String> tokens) {
        long before = auditRowsOfAliceAndCarol();
        List<String> wrong = new ArrayList<>();
        tokens.forEach((attack, token) -> {
            for (Response response : List.of(me(token), downloadUrl(token), page(token))) {
                String body = response.asString();
                if (response.statusCode() != 401 || Presigned.in(response)) {
                    wrong.add(attack + ": " + response.statusCode() + " " + body.substring(0, Math.min(body.length(), 120)));
                }
            }
        });
        assertThat(wrong).as("attacks that were not answered 401").isEmpty();
        assertThat(auditRowsOfAliceAndCarol()).as("no audit row under a forged identity").isEqualTo(before);
    }

    private long auditRowsOfAliceAndCarol() {
        return Fixtures.number(db, "SELECT count(*) FROM audit_event WHERE actor IN ('alice', 'carol')");
    }

    private static Response me(String token) {
        return given().header("Authorization", "Bearer " + token).get("/api/me");
    }

    private Response downloadUrl(String token) {
        return given().header("Authorization", "Bearer " + token).redirects().follow(false)
                .post("/api/items/" + item + "/download-url");
    }

    private static Response page(String token) {
        return given().header("Authorization", "Bearer " + token).redirects().follow(false).get("/catalog");
    }

    private static String signedByTheIdp(String claims) {
        return AuthorizationMatrixTest.withAccessTokenClaims(claims, () -> Tokens.fresh("alice"));
    }

    private static String tampered(String[] parts, UnaryOperator<String> edit) {
        return parts[0] + "." + encode(edit.apply(json(parts[1]))) + "." + parts[2];
    }

    private static String sign(String payload, String algorithm, Key key, String kid) throws JoseException {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(payload);
        jws.setAlgorithmHeaderValue(algorithm);
        jws.setKey(key);
        jws.setDoKeyValidation(false);
        if (kid != null) {
            jws.setKeyIdHeaderValue(kid);
        }
        return jws.getCompactSerialization();
    }

    /** Signed by the attacker, who also puts the key to check it with in the header (CVE-2018-0114 style). */
    private static String embeddedKey(String payload, RsaJsonWebKey attackerKey) throws JoseException {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(payload);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKey(attackerKey.getPrivateKey());
        jws.setJwkHeader(PublicJsonWebKey.Factory.newPublicJwk(attackerKey.getPublicKey()));
        return jws.getCompactSerialization();
    }

    private static Key hmac(byte[] secret) {
        return new SecretKeySpec(secret, "HmacSHA256");
    }

    private static byte[] pem(byte[] der) {
        return ("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String json(String segment) {
        return new String(Base64.getUrlDecoder().decode(segment), StandardCharsets.UTF_8);
    }

    private static String encode(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
