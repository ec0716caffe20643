package io.gatehouse.grants;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class CsvReaderTest {

    @Test
    void quotedFieldsDoubledQuotesAndBothLineEndings() throws IOException {
        assertThat(all("a,\"b, c\",\"say \"\"hi\"\"\"\r\n,\"multi\nline\",\n")).containsExactly(
                List.of("a", "b, c", "say \"hi\""), List.of("", "multi\nline", ""));
    }

    @Test
    void anUnclosedQuoteOrAnEndlessRowIsRefused() {
        assertThatThrownBy(() -> all("a,\"b\n")).hasMessageContaining("not closed");
        assertThatThrownBy(() -> new CsvReader(new StringReader("x".repeat(100))).next(10)).hasMessageContaining("longer than 10");
    }

    private static List<List<String>> all(String csv) throws IOException {
        CsvReader reader = new CsvReader(new StringReader(csv));
        List<List<String>> records = new ArrayList<>();
        for (List<String> record; (record = reader.next(1000)) != null;) {
            records.add(record);
        }
        return records;
    }
}
