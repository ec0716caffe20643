package io.gatehouse.browser;

import io.gatehouse.support.OnCephRgw;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link BrowserUploadDownloadTest} against Ceph RGW: real CORS preflights, read-back verification in the browser flow. */
@QuarkusTest
@TestProfile(OnCephRgw.class)
@OnCephRgw.Only
class BrowserOnCephRgwTest extends BrowserUploadDownloadTest {
}
