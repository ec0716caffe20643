package io.gatehouse.bucket;

import java.util.Map;

import io.gatehouse.support.OnCephRgw;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link BucketStoreTest} against Ceph RGW 16: it neither checks nor stores SHA-256 checksums. */
@QuarkusTest
@TestProfile(OnCephRgw.class)
@OnCephRgw.Only
class BucketStoreOnCephRgwTest extends BucketStoreTest {

    @Override
    protected Map<String, Boolean> expectedCapabilities() {
        return Map.of("checksSha256", false, "reportsSha256", false, "writeOnce", true);
    }
}
