package io.gatehouse.posture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.gatehouse.support.Audit;
import io.gatehouse.support.CephRgw;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.OnCephRgw;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link PostureTest} against Ceph RGW, which implements versioning, bucket policies and more than S3Proxy — and
 * MFA Delete, with a TOTP device given to the bucket owner (RGW's stand-in for the AWS root account's device).
 */
@QuarkusTest
@TestProfile(PostureOnCephRgwTest.OwnBucketOnCephRgw.class)
@OnCephRgw.Only
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostureOnCephRgwTest extends PostureTest {

    public static class OwnBucketOnCephRgw extends OnCephRgw {
        @Override
        public Map<String, String> getConfigOverrides() {
            return PostureTest.SETTINGS;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(CephRgw.class));
        }
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: once MFA Delete is on, no probe version can be deleted without the owner's code
    void mfaDeleteIsTurnedOnWithTheOwnersDeviceAndThenTheStoreRefusesVersionDeletesWithoutIt() throws Exception {
        byte[] seed = new byte[20];
        new SecureRandom().nextBytes(seed);
        CephRgw.addMfaDevice("gatehouse-root-mfa", HexFormat.of().formatHex(seed));
        String fresh = Tokens.fresh(Fixtures.ADMIN);
        long now = Instant.now().getEpochSecond();
        String code = totp(seed, now);

        apply(fresh, Map.of("mfaSerial", "has spaces in it", "mfaCode", code)).then().statusCode(400)
                .body("field", equalTo("mfaSerial"));
        apply(fresh, Map.of("mfaSerial", "gatehouse-root-mfa", "mfaCode", "12ab")).then().statusCode(400)
                .body("field", equalTo("mfaCode"));
        // A code the device does not show (none of the windows the store accepts): the store says no, nothing changes.
        apply(fresh, Map.of("mfaSerial", "gatehouse-root-mfa", "mfaCode", notShown(seed, now))).then().statusCode(409)
                .body("code", equalTo("store_refused")).body("message", containsString("403 AccessDenied"));
        assertThat(s3.getBucketVersioning(r -> r.bucket(config.bucket())).mfaDeleteAsString()).isNotEqualTo("Enabled");

        var after = apply(fresh, Map.of("mfaSerial", "gatehouse-root-mfa", "mfaCode", code)).then().statusCode(200)
                .extract().jsonPath();
        assertThat(s3.getBucketVersioning(r -> r.bucket(config.bucket())).mfaDeleteAsString()).isEqualTo("Enabled");
        var mfaDelete = control(after, "mfa-delete");
        assertThat(mfaDelete.getString("state")).isEqualTo("OK");
        assertThat(mfaDelete.getString("probe.answer")).startsWith("refused: HTTP 403 AccessDenied");
        assertThat(Audit.lastReason(db, Fixtures.ADMIN, "POSTURE_APPLIED")).isNull();
        try (var connection = db.getConnection(); var query = connection.prepareStatement(
                "SELECT count(*) FROM audit_event WHERE action = 'POSTURE_APPLIED' AND details::text LIKE ?")) {
            query.setString(1, "%" + code + "%");
            var rows = query.executeQuery();
            rows.next();
            assertThat(rows.getLong(1)).as("audit rows holding the MFA code").isZero();
        }
    }

    private static io.restassured.response.Response apply(String token, Map<String, String> body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).when()
                .post("/api/admin/posture/mfa-delete/apply");
    }

    /** RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits), what an MFA device shows at {@code epochSecond}. */
    private static String totp(byte[] seed, long epochSecond) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(seed, "HmacSHA1"));
        byte[] hash = mac.doFinal(ByteBuffer.allocate(8).putLong(epochSecond / 30).array());
        int offset = hash[hash.length - 1] & 0xf;
        int value = (ByteBuffer.wrap(hash, offset, 4).getInt() & 0x7fffffff) % 1_000_000;
        return String.format("%06d", value);
    }

    /** A 6-digit code the device shows in none of the windows around now. */
    private static String notShown(byte[] seed, long now) throws GeneralSecurityException {
        List<String> shown = new java.util.ArrayList<>();
        for (int step = -3; step <= 3; step++) {
            shown.add(totp(seed, now + step * 30L));
        }
        for (int candidate = 0;; candidate++) {
            String code = String.format("%06d", candidate);
            if (!shown.contains(code)) {
                return code;
            }
        }
    }
}
