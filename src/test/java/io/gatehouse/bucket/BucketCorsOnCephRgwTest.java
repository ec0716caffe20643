package io.gatehouse.bucket;

import io.gatehouse.support.OnCephRgw;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link BucketCorsTest} against Ceph RGW, the second real S3 store. */
@QuarkusTest
@TestProfile(OnCephRgw.class)
@OnCephRgw.Only
class BucketCorsOnCephRgwTest extends BucketCorsTest {
}
