package io.gatehouse.dashboard;

import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import io.gatehouse.db.StoreUnavailable;

/** The admin dashboard's figures, straight from the audit trail and the upload sessions. */
@ApplicationScoped
public class DashboardService {

    public record DayCount(LocalDate day, long count) {
    }

    public record DayReasonCount(LocalDate day, String reason, long count) {
    }

    public record TeamUploads(String team, long uploads, long bytes) {
    }

    public record TopItem(String resource, long downloads) {
    }

    public record Figures(int days, List<DayCount> urlsPerDay, List<DayReasonCount> denialsPerDay,
            List<TeamUploads> uploadsPerTeam, List<TopItem> topItems) {
    }

    private final DataSource dataSource;

    DashboardService(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Figures figures(int days) {
        try (var connection = dataSource.getConnection()) {
            List<DayCount> urls = new ArrayList<>();
            try (var select = connection.prepareStatement("""
                    SELECT d::date, count(e.id)
                    FROM generate_series(current_date - (? - 1), current_date, interval '1 day') d
                    LEFT JOIN audit_event e ON e.action = 'DOWNLOAD_URL_ISSUED'
                         AND e.occurred_at >= d AND e.occurred_at < d + interval '1 day'
                    GROUP BY d ORDER BY d""")) {
                select.setInt(1, days);
                try (var rows = select.executeQuery()) {
                    while (rows.next()) {
                        urls.add(new DayCount(rows.getObject(1, LocalDate.class), rows.getLong(2)));
                    }
                }
            }
            List<DayReasonCount> denials = new ArrayList<>();
            try (var select = connection.prepareStatement("""
                    SELECT occurred_at::date, coalesce(reason, 'unknown'), count(*)
                    FROM audit_event
                    WHERE outcome = 'DENIED' AND occurred_at >= current_date - (? - 1)
                    GROUP BY 1, 2 ORDER BY 1, 2""")) {
                select.setInt(1, days);
                try (var rows = select.executeQuery()) {
                    while (rows.next()) {
                        denials.add(new DayReasonCount(rows.getObject(1, LocalDate.class), rows.getString(2), rows.getLong(3)));
                    }
                }
            }
            List<TeamUploads> uploads = new ArrayList<>();
            try (var rows = connection.createStatement().executeQuery("""
                    SELECT team_slug, count(*), coalesce(sum(declared_size), 0)
                    FROM upload_session WHERE status = 'VERIFIED' GROUP BY team_slug ORDER BY 3 DESC""")) {
                while (rows.next()) {
                    uploads.add(new TeamUploads(rows.getString(1), rows.getLong(2), rows.getLong(3)));
                }
            }
            List<TopItem> top = new ArrayList<>();
            try (var select = connection.prepareStatement("""
                    SELECT resource, count(*) FROM audit_event
                    WHERE action = 'DOWNLOAD_URL_ISSUED' AND occurred_at >= current_date - (? - 1)
                    GROUP BY resource ORDER BY 2 DESC, 1 LIMIT 10""")) {
                select.setInt(1, days);
                try (var rows = select.executeQuery()) {
                    while (rows.next()) {
                        top.add(new TopItem(rows.getString(1), rows.getLong(2)));
                    }
                }
            }
            return new Figures(days, urls, denials, uploads, top);
        } catch (SQLException e) {
            throw new StoreUnavailable("could not compute the dashboard: " + e.getMessage(), e);
        }
    }
}
