package dev.keys.jdbc;

import dev.keys.api.AuditEvent;
import dev.keys.api.AuditLog;
import dev.keys.api.AuditQuery;
import dev.keys.api.Page;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@link AuditLog} in {@code keys_audit}. {@link #record} writes synchronously, so that an admin operation whose
 * audit entry cannot be written fails visibly ({@code StoreException.Unavailable}) instead of going unrecorded.
 * Pages are newest first by the row's identity; the cursor is that identity.
 */
public final class JdbcAuditLog implements AuditLog {
    private final Db db;

    JdbcAuditLog(Db db) {
        this.db = db;
    }

    /** An audit log with the defaults, its dialect read from the database (which must be reachable). */
    public static JdbcAuditLog of(DataSource dataSource) {
        return JdbcStores.builder(dataSource).build().auditLog();
    }

    @Override
    public void record(AuditEvent e) {
        db.read("audit record", c -> {
            try (PreparedStatement ps = db.prepare(c, "INSERT INTO keys_audit (occurred_at, action, actor, tenant, key_id, reason, changes) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setObject(1, Db.timestamp(e.at()));
                ps.setString(2, e.action());
                ps.setString(3, e.actor());
                ps.setString(4, e.tenant());
                ps.setString(5, e.keyId());
                if (e.reason().isPresent()) ps.setString(6, e.reason().get());
                else ps.setNull(6, Types.VARCHAR);
                ps.setString(7, JsonColumns.changes(e.changes()));
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Page<AuditEvent> find(Optional<String> tenant, Optional<String> keyId, int limit, Optional<String> cursor) {
        if (limit < 1 || limit > 1000) throw new IllegalArgumentException("limit must be between 1 and 1000");
        return find(new AuditQuery(tenant, keyId, java.util.Set.of(), Optional.empty(), Optional.empty(), limit, cursor));
    }

    /**
     * Events matching the query (tenant, key, any of the actions, {@code from <= at < to}), newest first, paged as
     * {@link #find(Optional, Optional, int, Optional)}. Read-only: this class only ever inserts into and selects from
     * {@code keys_audit}.
     */
    public Page<AuditEvent> find(AuditQuery q) {
        Optional<String> tenant = q.tenant(), keyId = q.keyId(), cursor = q.cursor();
        int limit = q.limit();
        long after;
        try {
            after = cursor.map(Long::parseLong).orElse(Long.MAX_VALUE);
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("not a cursor of this audit log");
        }
        StringBuilder sql = new StringBuilder("SELECT id, occurred_at, action, actor, tenant, key_id, reason, changes FROM keys_audit WHERE id < ?");
        List<Object> args = new ArrayList<>();
        tenant.ifPresent(t -> { sql.append(" AND tenant = ?"); args.add(t); });
        keyId.ifPresent(k -> { sql.append(" AND key_id = ?"); args.add(k); });
        if (!q.actions().isEmpty()) {
            sql.append(" AND action IN (").append("?,".repeat(q.actions().size() - 1)).append("?)");
            args.addAll(new java.util.TreeSet<>(q.actions()));
        }
        q.from().ifPresent(f -> { sql.append(" AND occurred_at >= ?"); args.add(Db.timestamp(f)); });
        q.to().ifPresent(t -> { sql.append(" AND occurred_at < ?"); args.add(Db.timestamp(t)); });
        sql.append(" ORDER BY id DESC LIMIT ").append(limit + 1);
        List<long[]> ids = new ArrayList<>();
        List<AuditEvent> events = db.read("audit find", c -> {
            try (PreparedStatement ps = db.prepare(c, sql.toString())) {
                ps.setLong(1, after);
                for (int i = 0; i < args.size(); i++) ps.setObject(i + 2, args.get(i));
                List<AuditEvent> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(new long[]{rs.getLong(1)});
                        Map<String, List<String>> changes = JsonColumns.changes("changes", rs.getString(8));
                        out.add(new AuditEvent(Db.instant(rs.getObject(2, OffsetDateTime.class)), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), Optional.ofNullable(rs.getString(7)), changes));
                    }
                }
                return out;
            }
        });
        if (events.size() <= limit) return new Page<>(events, Optional.empty());
        return new Page<>(events.subList(0, limit), Optional.of(Long.toString(ids.get(limit - 1)[0])));
    }
}
