package io.gatehouse.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What a declared file name may be, and the safe form that goes into the key. */
class FileNamesTest {

    @ParameterizedTest
    @ValueSource(strings = { "../escape.txt", "a/b.txt", "a\\b.txt", "nul\u0000.txt", "bell\u0007.txt", "evil\u202Etxt.exe",
            "CON", "con.txt", "LPT1.log", "", "   ", ".", "..", "...", "line\u2028break.txt" })
    void refusedNames(String name) {
        assertThat(FileNames.problemWith(name)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = { "report.pdf", "Résumé 2026.txt", "data (1).csv", "console.log", "a.b.c", "日本語.md" })
    void acceptedNames(String name) {
        assertThat(FileNames.problemWith(name)).isNull();
    }

    @org.junit.jupiter.api.Test
    void namesLongerThan255BytesInUtf8AreRefused() {
        assertThat(FileNames.problemWith("é".repeat(127) + "x")).isNull(); // 255 bytes
        assertThat(FileNames.problemWith("é".repeat(128))).isNotNull(); // 256 bytes
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            report.pdf           | report.pdf
            data (1).csv         | data (1).csv
            a;b<c>d.txt          | a_b_c_d.txt
            ..hidden             | hidden
            %%%                  | _
            """)
    void safeNamesKeepLettersDigitsAndAFewMarks(String name, String safe) {
        assertThat(FileNames.safe(name)).isEqualTo(safe);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({ "alice,alice", "alice@example.com,alice@example.com", "00000000-0000-0000-0000-000000000001,00000000-0000-0000-0000-000000000001",
            "a/b,a_b", ".hidden,_.hidden" })
    void userIdsBecomeOneKeySegment(String id, String segment) {
        assertThat(FileNames.segment(id)).isEqualTo(segment);
    }
}
