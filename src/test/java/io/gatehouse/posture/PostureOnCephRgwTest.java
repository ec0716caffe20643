package io.gatehouse.posture;

import java.util.List;
import java.util.Map;

import io.gatehouse.support.CephRgw;
import io.gatehouse.support.OnCephRgw;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link PostureTest} against Ceph RGW, which implements versioning, bucket policies and more than S3Proxy. */
@QuarkusTest
@TestProfile(PostureOnCephRgwTest.OwnBucketOnCephRgw.class)
@OnCephRgw.Only
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
}
