package io.gatehouse.downloads;

import io.gatehouse.support.OnCephRgw;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link DownloadUrlTest} against Ceph RGW, the second real S3 store. */
@QuarkusTest
@TestProfile(OnCephRgw.class)
@OnCephRgw.Only
class DownloadUrlOnCephRgwTest extends DownloadUrlTest {
}
