package io.gatehouse.dashboard;

import java.time.LocalDate;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditReasons;
import io.gatehouse.db.Sql;

/** The admin dashboard's figures, straight from the audit trail and the upload sessions. */
@ApplicationScoped
public class DashboardService {

    public record DayCount(LocalDate day, long count) {
    }

    /** {@code reason}: the code stored; {@code label}: what people read. */
    public record DayReasonCount(LocalDate day, String reason, String label, long count) {
    }

    public record TeamUploads(String team, long uploads, long bytes) {
    }

    public record TopItem(String resource, long downloads) {
    }

    public record Figures(int days, List<DayCount> urlsPerDay, List<DayReasonCount> denialsPerDay,
            List<TeamUploads> uploadsPerTeam, List<TopItem> topItems) {
    }

    private final Sql sql;

    DashboardService(Sql sql) {
        this.sql = sql;
    }

    public Figures figures(int days) {
        List<DayCount> urls = sql.list("compute the dashboard", """
                SELECT d::date, count(e.id)
                FROM generate_series(current_date - (? - 1), current_date, interval '1 day') d
                LEFT JOIN audit_event e ON e.action = ?
                     AND e.occurred_at >= d AND e.occurred_at < d + interval '1 day'
                GROUP BY d ORDER BY d""", row -> new DayCount(row.getObject(1, LocalDate.class), row.getLong(2)),
                days, AuditAction.DOWNLOAD_URL_ISSUED.name());
        List<DayReasonCount> denials = sql.list("compute the dashboard", """
                SELECT occurred_at::date, coalesce(reason, 'unknown'), count(*)
                FROM audit_event
                WHERE outcome = 'DENIED' AND occurred_at >= current_date - (? - 1)
                GROUP BY 1, 2 ORDER BY 1, 2""", row -> new DayReasonCount(row.getObject(1, LocalDate.class), row.getString(2),
                AuditReasons.label(row.getString(2)), row.getLong(3)), days);
        List<TeamUploads> uploads = sql.list("compute the dashboard", """
                SELECT team_slug, count(*), coalesce(sum(declared_size), 0)
                FROM upload_session WHERE status = 'VERIFIED' GROUP BY team_slug ORDER BY 3 DESC""",
                row -> new TeamUploads(row.getString(1), row.getLong(2), row.getLong(3)));
        List<TopItem> top = sql.list("compute the dashboard", """
                SELECT resource, count(*) FROM audit_event
                WHERE action = ? AND occurred_at >= current_date - (? - 1)
                GROUP BY resource ORDER BY 2 DESC, 1 LIMIT 10""", row -> new TopItem(row.getString(1), row.getLong(2)),
                AuditAction.DOWNLOAD_URL_ISSUED.name(), days);
        return new Figures(days, urls, denials, uploads, top);
    }
}
