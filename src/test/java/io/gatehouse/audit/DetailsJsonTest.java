package io.gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The audit details are written exactly as Jackson writes them, whatever they hold. */
class DetailsJsonTest {

    private final ObjectMapper jackson = new ObjectMapper();

    @Test
    void simpleDetailsAreWrittenAsJacksonWritesThem() throws Exception {
        StringBuilder every = new StringBuilder();
        for (char c = 0; c < 0x3000; c++) {
            every.append(c);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("rule", "grant");
        details.put("itemId", 42L);
        details.put("count", 7);
        details.put("multipart", true);
        details.put("expiresAt", Instant.parse("2026-12-03T12:00:00Z").toString());
        details.put("parts", List.of(1, 2, 3));
        details.put("roles", List.of("admin", "user"));
        details.put("nothing", null);
        details.put("quote\"back\\slash\nnew\tline\u0001\u001f\u007f\u2028 é 日本 😀", every.toString());
        details.put("empty", new ArrayList<>());

        assertThat(DetailsJson.write(details, jackson)).isEqualTo(jackson.writeValueAsString(details));
        assertThat(DetailsJson.write(Map.of(), jackson)).isEqualTo("{}");
    }

    @Test
    void instantsAreWrittenAsTheyPrintThemselves() {
        Instant second = Instant.parse("2026-12-03T12:00:00Z");
        for (Instant instant : List.of(second, second, second.plusSeconds(1), second, second.plusMillis(250),
                second.plusNanos(1), Instant.EPOCH, Instant.parse("1969-12-31T23:59:59Z"))) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("expiresAt", instant);
            assertThat(DetailsJson.write(details, jackson)).isEqualTo("{\"expiresAt\":\"" + instant + "\"}");
        }
    }

    enum Tier { PREMIUM }

    @Test
    void anythingElseGoesToJackson() throws Exception {
        for (Object value : List.of(Tier.PREMIUM, 1.5d, Map.of("nested", 1), List.of(List.of(1)), List.of(Tier.PREMIUM))) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("first", "text");
            details.put("other", value);
            assertThat(DetailsJson.write(details, jackson)).as(String.valueOf(value)).isEqualTo(jackson.writeValueAsString(details));
        }
    }
}
