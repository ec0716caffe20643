package io.gatehouse.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The test profile that points Gatehouse at Ceph RGW instead of the embedded S3Proxy. The S3-facing tests run once
 * per store: a subclass annotated {@code @TestProfile(OnCephRgw.class) @OnCephRgw.Only} repeats them on RGW. On a
 * machine without radosgw they are skipped with a message; CI sets {@code GATEHOUSE_TEST_RGW=required}.
 */
public class OnCephRgw implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(CephRgw.class));
    }

    @Override
    public String getConfigProfile() {
        return "test";
    }

    /** Skips the class where RGW is not installed (unless CI requires it). */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @ExtendWith(WhereInstalled.class)
    public @interface Only {
    }

    public static class WhereInstalled implements ExecutionCondition {
        private static volatile boolean told;

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (CephRgw.installed() || CephRgw.required()) {
                return ConditionEvaluationResult.enabled("Ceph RGW is installed");
            }
            String why = "Ceph RGW (radosgw) is not installed here: the second-store tests are SKIPPED. "
                    + "apt-get install radosgw ceph-mon ceph-osd to run them; CI runs them (GATEHOUSE_TEST_RGW=required).";
            if (!told) {
                told = true;
                System.out.println("WARNING " + why);
            }
            return ConditionEvaluationResult.disabled(why);
        }
    }
}
