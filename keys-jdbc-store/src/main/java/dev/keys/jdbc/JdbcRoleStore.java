package dev.keys.jdbc;

import dev.keys.api.Clock;
import dev.keys.api.Digest;
import dev.keys.api.KeyChange;
import dev.keys.api.RoleStore;
import dev.keys.api.StoredRole;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The {@link RoleStore} of a {@link JdbcKeyStore}: rows of {@code keys_role}. Every write first appends its
 * {@link KeyChange#ROLES} change to the key store's feed, which takes the feed's counter row lock, so that role
 * writes are serialised with each other and with key writes, and the change commits with the row or not at all.
 */
final class JdbcRoleStore implements RoleStore {
    private static final Digest NO_DIGEST = new Digest(0, 0, 0, 0);
    private final Db db;
    private final Clock clock;
    private final JdbcKeyStore feed;

    JdbcRoleStore(Db db, Clock clock, JdbcKeyStore feed) {
        this.db = db;
        this.clock = clock;
        this.feed = feed;
    }

    @Override
    public List<StoredRole> list() {
        return db.read("listRoles", c -> {
            try (PreparedStatement ps = db.prepare(c, "SELECT name, permissions FROM keys_role ORDER BY name"); ResultSet rs = ps.executeQuery()) {
                List<StoredRole> out = new ArrayList<>();
                while (rs.next()) out.add(row(rs));
                return out;
            }
        });
    }

    @Override
    public Optional<StoredRole> find(String name) {
        return db.read("findRole", c -> find(c, name));
    }

    @Override
    public Optional<StoredRole> put(StoredRole role) {
        return db.transaction("putRole", c -> {
            feed.appendChange(c, KeyChange.ROLES, NO_DIGEST);
            Optional<StoredRole> before = find(c, role.name());
            String sql = before.isPresent() ? "UPDATE keys_role SET permissions = ?, updated_at = ? WHERE name = ?"
                    : "INSERT INTO keys_role (permissions, updated_at, name) VALUES (?, ?, ?)";
            try (PreparedStatement ps = db.prepare(c, sql)) {
                ps.setString(1, JsonColumns.strings(new TreeSet<>(role.permissions())));
                ps.setObject(2, Db.timestamp(clock.instant()));
                ps.setString(3, role.name());
                ps.executeUpdate();
            }
            return before;
        });
    }

    @Override
    public Optional<StoredRole> delete(String name) {
        if (find(name).isEmpty()) return Optional.empty();
        try {
            return db.transaction("deleteRole", c -> {
                feed.appendChange(c, KeyChange.ROLES, NO_DIGEST);
                // Read again under the feed's lock: a concurrent delete may have got there first.
                Optional<StoredRole> gone = find(c, name);
                if (gone.isEmpty()) throw new Gone();
                try (PreparedStatement ps = db.prepare(c, "DELETE FROM keys_role WHERE name = ?")) {
                    ps.setString(1, name);
                    ps.executeUpdate();
                }
                return gone;
            });
        } catch (Gone e) {
            return Optional.empty(); // rolled back: no change on the feed
        }
    }

    /** Rolls a delete back that found nothing under the lock. */
    private static final class Gone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Gone() {
            super(null, null, false, false);
        }
    }

    private Optional<StoredRole> find(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, "SELECT name, permissions FROM keys_role WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static StoredRole row(ResultSet rs) throws SQLException {
        return new StoredRole(rs.getString("name"), new LinkedHashSet<>(JsonColumns.strings("keys_role.permissions", rs.getString("permissions"))));
    }
}
