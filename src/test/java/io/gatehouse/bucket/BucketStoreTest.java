package io.gatehouse.bucket;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.support.Audit;
import io.gatehouse.support.BrowserSession;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The bucket page says how uploads are verified on this store and why, from what the store did when probed. Each
 * store's known behaviour is written down here (S3Proxy 4.0) and in the subclass for the other store (Ceph RGW 16).
 */
@QuarkusTest
class BucketStoreTest {

    @Inject
    DataSource db;

    /** checks x-amz-checksum-sha256, reports it on HEAD, refuses a PUT with If-None-Match: * onto an existing key. */
    protected Map<String, Boolean> expectedCapabilities() {
        return Map.of("checksSha256", true, "reportsSha256", true, "writeOnce", true);
    }

    @Test
    void theVerificationModeInForceIsShownWithTheReason() {
        Map<String, Boolean> expected = expectedCapabilities();
        boolean storeChecks = expected.get("checksSha256") && expected.get("reportsSha256");
        var state = given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).get("/api/admin/bucket").then().statusCode(200)
                .body("capabilities.checksSha256", equalTo(expected.get("checksSha256")))
                .body("capabilities.reportsSha256", equalTo(expected.get("reportsSha256")))
                .body("capabilities.writeOnce", equalTo(expected.get("writeOnce")))
                .body("integrity", equalTo(storeChecks ? "STORE_CHECKSUM" : "READ_BACK"))
                .extract().jsonPath();
        assertThat(state.getString("integrityReason")).contains(storeChecks ? "checked by the store on arrival"
                : "reads every upload back");
        BrowserSession carol = BrowserSession.signIn(Fixtures.ADMIN);
        assertThat(carol.get("/admin/bucket").asString())
                .contains(storeChecks ? "Checked by the store" : "Read back by Gatehouse").contains(state.getString("integrityReason"));

        long probes = Audit.count(db, Fixtures.ADMIN, "STORE_PROBED", "SUCCEEDED");
        var probed = carol.postForm("/admin/bucket", "/admin/bucket/probe", Map.of());
        assertThat(probed.statusCode()).isEqualTo(303);
        assertThat(Audit.count(db, Fixtures.ADMIN, "STORE_PROBED", "SUCCEEDED")).isEqualTo(probes + 1);
        given().auth().oauth2(Tokens.of("alice")).get("/api/admin/bucket").then().statusCode(403);
    }
}
