package io.gatehouse.uploads;

import io.gatehouse.support.OnCephRgw;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link UploadTest} against Ceph RGW, the second real S3 store. */
@QuarkusTest
@TestProfile(OnCephRgw.class)
@OnCephRgw.Only
class UploadOnCephRgwTest extends UploadTest {

    @Override
    protected boolean refusesPartsOfAbortedUploads() {
        return true;
    }
}
