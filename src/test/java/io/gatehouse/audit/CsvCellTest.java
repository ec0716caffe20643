package io.gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A cell of the audit export: RFC 4180 quoting, and never a formula when a spreadsheet opens it. */
class CsvCellTest {

    @Test
    void plainTextStaysAsItIs() {
        assertThat(AuditTrail.cell("plain")).isEqualTo("plain");
        assertThat(AuditTrail.cell("")).isEmpty();
        assertThat(AuditTrail.cell(null)).isEmpty();
    }

    @Test
    void commasQuotesAndLineBreaksAreQuoted() {
        assertThat(AuditTrail.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(AuditTrail.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(AuditTrail.cell("two\nlines")).isEqualTo("\"two\nlines\"");
    }

    @Test
    void whatASpreadsheetWouldRunIsDefused() {
        for (String formula : new String[] { "=SUM(A1)", "+1", "-1", "@cmd", "\tx" }) {
            assertThat(AuditTrail.cell(formula)).isEqualTo("'" + formula);
        }
        assertThat(AuditTrail.cell("=1,2")).isEqualTo("\"'=1,2\"");
    }
}
