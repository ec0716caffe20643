package io.gatehouse.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which keys Gatehouse accepts (grants, items): plain, printable, bounded, no path tricks. */
class ObjectKeysTest {

    @ParameterizedTest
    @ValueSource(strings = { "", "/abs.txt", "a/../b", "../a", "a/./b", "a//b", "a\\b", "nul\u0000", "tab\tkey", "bidi\u202Ekey" })
    void refusedKeys(String key) {
        assertThat(ObjectKeys.problemWith(key)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = { "teams/team-a/x.txt", "shared/", "a.b/c..d/e", "日本/語.txt", "x" })
    void acceptedKeys(String key) {
        assertThat(ObjectKeys.problemWith(key)).isNull();
    }

    @Test
    void aPartBetweenSlashesIsBoundedIn255BytesForStoresKeptOnAFileSystem() {
        assertThat(ObjectKeys.problemWith("teams/a/" + "a".repeat(255))).isNull();
        assertThat(ObjectKeys.problemWith("teams/a/" + "a".repeat(256))).contains("255 bytes");
        assertThat(ObjectKeys.problemWith("teams/" + "é".repeat(128) + "/x")).contains("255 bytes");
    }

    @Test
    void keysAreBoundedIn1024BytesOfUtf8() {
        assertThat(ObjectKeys.problemWith(("a".repeat(255) + "/").repeat(4))).isNull();
        assertThat(ObjectKeys.problemWith("a".repeat(1025))).contains("1024 bytes");
        assertThat(ObjectKeys.problemWith("é".repeat(513))).contains("1024 bytes");
    }

    @Test
    void theFileNameIsTheLastSegment() {
        assertThat(ObjectKeys.fileName("teams/team-a/report.pdf")).isEqualTo("report.pdf");
        assertThat(ObjectKeys.fileName("report.pdf")).isEqualTo("report.pdf");
    }
}
