package io.gatehouse.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The second real S3 store: a single-node Ceph cluster with its S3 gateway (radosgw), brought up by
 * {@code deploy/ceph-rgw/ceph-rgw.sh} for the tests of the {@link OnCephRgw} profile and torn down after them.
 */
public class CephRgw implements QuarkusTestResourceLifecycleManager {

    private static final Path SCRIPT = Path.of("deploy/ceph-rgw/ceph-rgw.sh").toAbsolutePath();
    private static final Path DATA = Path.of("target/ceph-rgw").toAbsolutePath();

    /** Whether radosgw and the Ceph daemons it needs are installed here. */
    public static boolean installed() {
        return List.of("radosgw", "radosgw-admin", "ceph-mon", "ceph-osd").stream().allMatch(CephRgw::onPath);
    }

    /** Set (to "required") by CI: a machine without radosgw then fails these tests instead of skipping them. */
    public static boolean required() {
        return "required".equals(System.getenv("GATEHOUSE_TEST_RGW"));
    }

    /** Set by {@link #init}: also serve https (self-signed, trusted through gatehouse.s3.ca-certificate) and use it. */
    private boolean tls;

    /** {@code tls=true} as an init argument: Gatehouse and browsers reach the store over https. */
    @Override
    public void init(Map<String, String> initArgs) {
        tls = "true".equals(initArgs.get("tls"));
    }

    @Override
    public Map<String, String> start() {
        if (!installed()) {
            throw new IllegalStateException("GATEHOUSE_TEST_RGW=required, but Ceph RGW is not installed "
                    + "(apt-get install radosgw ceph-mon ceph-osd)");
        }
        int rgwPort = Ports.free();
        String accessKey = "GH" + UUID.randomUUID().toString().replace("-", "").substring(0, 18).toUpperCase();
        String secretKey = UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
        if (tls) {
            int tlsPort = Ports.free();
            run(Map.of("RGW_TLS_PORT", Integer.toString(tlsPort)), "start", DATA.toString(), Integer.toString(Ports.free()),
                    Integer.toString(rgwPort), accessKey, secretKey);
            return Map.of(
                    "gatehouse.s3.endpoint", "https://127.0.0.1:" + tlsPort,
                    "gatehouse.s3.ca-certificate", DATA.resolve("tls/cert.pem").toString(),
                    "gatehouse.s3.access-key-id", accessKey,
                    "gatehouse.s3.secret-access-key", secretKey,
                    "gatehouse.s3.path-style", "true",
                    "gatehouse.s3.require-https", "true");
        }
        run("start", DATA.toString(), Integer.toString(Ports.free()), Integer.toString(rgwPort), accessKey, secretKey);
        return Map.of(
                "gatehouse.s3.endpoint", "http://127.0.0.1:" + rgwPort,
                "gatehouse.s3.access-key-id", accessKey,
                "gatehouse.s3.secret-access-key", secretKey,
                "gatehouse.s3.path-style", "true",
                // Loopback only: the test store speaks plain http.
                "gatehouse.s3.require-https", "false");
    }

    @Override
    public void stop() {
        run("stop", DATA.toString());
    }

    /**
     * Gives the store's user (the bucket owner) a TOTP MFA device, as {@code radosgw-admin mfa create} does: RGW's
     * stand-in for the AWS root account's device that MFA Delete needs.
     */
    public static void addMfaDevice(String serial, String hexSeed) {
        try {
            Process process = new ProcessBuilder("radosgw-admin", "-c", DATA.resolve("ceph.conf").toString(), "mfa", "create",
                    "--uid=gatehouse", "--totp-serial=" + serial, "--totp-seed=" + hexSeed, "--totp-seed-type=hex")
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("radosgw-admin mfa create failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void run(String... arguments) {
        run(Map.of(), arguments);
    }

    private static void run(Map<String, String> environment, String... arguments) {
        try {
            Path log = Files.createDirectories(DATA.getParent()).resolve("ceph-rgw-script.log");
            String[] command = new String[arguments.length + 1];
            command[0] = SCRIPT.toString();
            System.arraycopy(arguments, 0, command, 1, arguments.length);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("ceph-rgw.sh " + arguments[0] + " did not finish within 120 s (see " + log + ")");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("ceph-rgw.sh " + arguments[0] + " failed with " + process.exitValue()
                        + ":\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + SCRIPT + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }


    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
