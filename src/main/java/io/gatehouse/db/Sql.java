package io.gatehouse.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one seam for plain JDBC, where it earns its keep (the hot paths, PostgreSQL features): a statement, its
 * parameters and a row mapper; connection handling and failures in one place. Inside a transaction the connection
 * is the transaction's (Agroal hands out the enlisted one); a failure becomes {@link StoreUnavailable}, which rolls
 * the transaction back and answers 503. Parameters: {@link Instant} as timestamptz, a {@link Collection} as a text
 * array, a {@link Null} for a typed NULL, anything else as JDBC maps it.
 */
@ApplicationScoped
public class Sql {

    /** Reads one row. */
    @FunctionalInterface
    public interface Row<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** Work on the connection itself (cursors, several statements in a row). */
    @FunctionalInterface
    public interface Work<T> {
        T on(Connection connection) throws SQLException;
    }

    /** A NULL of a given SQL type (PostgreSQL cannot always infer it). */
    public record Null(int sqlType) {
    }

    public static final Null NULL_BIGINT = new Null(Types.BIGINT);
    public static final Null NULL_TEXT = new Null(Types.VARCHAR);

    private final DataSource db;

    Sql(DataSource db) {
        this.db = db;
    }

    /** Every row; {@code what} names the read in the failure ("read grants"). */
    public <T> List<T> list(String what, String sql, Row<T> row, Object... parameters) {
        return on(what, connection -> {
            try (PreparedStatement statement = prepare(connection, sql, parameters); ResultSet rows = statement.executeQuery()) {
                List<T> values = new ArrayList<>();
                while (rows.next()) {
                    values.add(row.map(rows));
                }
                return values;
            }
        });
    }

    /** The first row, if any. */
    public <T> Optional<T> one(String what, String sql, Row<T> row, Object... parameters) {
        return on(what, connection -> {
            try (PreparedStatement statement = prepare(connection, sql, parameters); ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(row.map(rows)) : Optional.empty();
            }
        });
    }

    /** Rows changed. */
    public int update(String what, String sql, Object... parameters) {
        return on(what, connection -> {
            try (PreparedStatement statement = prepare(connection, sql, parameters)) {
                return statement.executeUpdate();
            }
        });
    }

    public <T> T on(String what, Work<T> work) {
        try (Connection connection = db.getConnection()) {
            return work.on(connection);
        } catch (SQLException e) {
            throw new StoreUnavailable("could not " + what + ": " + e.getMessage(), e);
        }
    }

    /** A statement with its parameters bound (for {@link #on} work that needs more than one). */
    public static PreparedStatement prepare(Connection connection, String sql, Object... parameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < parameters.length; i++) {
                bind(statement, i + 1, parameters[i]);
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }

    private static void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        if (value instanceof Null typed) {
            statement.setNull(index, typed.sqlType());
        } else if (value instanceof Instant instant) {
            statement.setTimestamp(index, Timestamp.from(instant));
        } else if (value instanceof Collection<?> values) {
            // A String[] is bound as an array by the driver itself; createArrayOf looks the type up on every call.
            String[] texts = new String[values.size()];
            int i = 0;
            for (Object element : values) {
                texts[i++] = element == null ? null : element.toString();
            }
            statement.setObject(index, texts);
        } else {
            statement.setObject(index, value);
        }
    }

    /** A nullable bigint column. */
    public static Long longOrNull(ResultSet row, String column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }

    /** A nullable timestamptz column. */
    public static Instant instantOrNull(ResultSet row, String column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
