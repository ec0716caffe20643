package io.gatehouse.downloads;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContentDispositionTest {

    @Test
    void encodesEveryNonAttrCharSoNoNameCanBreakOutOfTheHeader() {
        assertThat(ContentDisposition.attachment("report.pdf")).isEqualTo("attachment; filename*=UTF-8''report.pdf");
        assertThat(ContentDisposition.attachment("a\"; filename=evil.exe"))
                .isEqualTo("attachment; filename*=UTF-8''a%22%3B%20filename%3Devil.exe");
        assertThat(ContentDisposition.attachment("日本.txt")).isEqualTo("attachment; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt");
        assertThat(ContentDisposition.attachment("line\r\nbreak")).isEqualTo("attachment; filename*=UTF-8''line%0D%0Abreak");
    }
}
