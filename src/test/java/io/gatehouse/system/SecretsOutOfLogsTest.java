package io.gatehouse.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

class SecretsOutOfLogsTest {

    private static final String SIGNATURE = "3f1c9a0b".repeat(8);
    private static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
    private static final String URL = "https://bucket.s3.amazonaws.com/teams/a/x.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr%2F&X-Amz-Signature=" + SIGNATURE;

    @Test
    void aPresignedUrlKeepsItsPathButNotItsSignatureOrToken() {
        String redacted = SecretsOutOfLogs.redact("issued " + URL + " to alice");
        assertThat(redacted).contains("teams/a/x.txt", "X-Amz-Signature=3f1c9a0b…", "to alice")
                .doesNotContain(SIGNATURE, "IQoJb3JpZ2luX2VjEJr");
    }

    @Test
    void tokensCookiesAndCustomerKeysAreCutDown() {
        String key = "q6Kz0xZ3b1eYtR8mN2pL5vC7wA9sD4fG1hJ0kL2mN3o=";
        String redacted = SecretsOutOfLogs.redact("Authorization: Bearer " + JWT + "; Cookie: q_session=AbCdEf0123456789xyz; "
                + "__Host-q_session_api=QwErTy0987654321; x-amz-server-side-encryption-customer-key: " + key
                + " and a JWT alone " + JWT);
        assertThat(redacted).doesNotContain(JWT, "AbCdEf0123456789xyz", "QwErTy0987654321", key)
                .contains("Bearer …", "q_session=…", "__Host-q_session_api=…", "customer-key: …");
    }

    @Test
    void ordinaryMessagesAreLeftAlone() {
        String message = "Demo data ready in bucket gatehouse-demo (5 new items, 3 new grants)";
        assertThat(SecretsOutOfLogs.redact(message)).isSameAs(message);
    }

    @Test
    void aRecordsFormattedMessageAndItsExceptionsAreRedacted() {
        ExtLogRecord record = new ExtLogRecord(Level.WARNING, "failed to fetch %s", ExtLogRecord.FormatStyle.PRINTF,
                SecretsOutOfLogsTest.class.getName());
        record.setParameters(new Object[] { URL });
        IllegalStateException cause = new IllegalStateException("GET " + URL + " refused");
        record.setThrown(new RuntimeException("wrapped", cause));

        assertThat(new SecretsOutOfLogs().isLoggable(record)).isTrue();

        assertThat(record.getFormattedMessage()).startsWith("failed to fetch https://bucket").doesNotContain(SIGNATURE);
        assertThat(record.getThrown().getMessage()).isEqualTo("java.lang.RuntimeException: wrapped");
        assertThat(record.getThrown().getCause().getMessage()).contains("IllegalStateException: GET https://bucket")
                .doesNotContain(SIGNATURE);
        assertThat(record.getThrown().getCause().getStackTrace()).isEqualTo(cause.getStackTrace());
    }
}
