package io.gatehouse.storage;

import io.gatehouse.support.OnCephRgw;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link ObjectHeadsTest} against Ceph RGW, the second real S3 store. */
@QuarkusTest
@TestProfile(OnCephRgw.class)
@OnCephRgw.Only
class ObjectHeadsOnCephRgwTest extends ObjectHeadsTest {
}
