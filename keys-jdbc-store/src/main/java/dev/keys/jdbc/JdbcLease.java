package dev.keys.jdbc;

import dev.keys.api.Clock;
import dev.keys.api.Lease;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A {@link Lease} as a row of {@code keys_lease} (name, owner, expiry), shared by every instance on the database.
 * Taking or renewing is one atomic statement, {@code UPDATE ... SET owner = me, expires_at = now + ttl WHERE name = ?
 * AND (owner = me OR expires_at <= now)}, and the first take of a name an {@code INSERT} that the primary key lets
 * only one instance win. Works the same on PostgreSQL and H2. "Now" is this instance's {@link Clock}: instances'
 * clocks must agree to well within the lease's time to live (NTP does; a lease of minutes tolerates seconds).
 */
public final class JdbcLease implements Lease {
    private final Db db;
    private final Clock clock;

    JdbcLease(Db db, Clock clock) {
        this.db = db;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A lease table reached through {@code dataSource} (migrated), its dialect read from the database. */
    public static JdbcLease of(DataSource dataSource, Clock clock) {
        return JdbcStores.builder(dataSource).clock(clock).build().lease();
    }

    @Override
    public boolean tryAcquire(String name, String owner, Duration ttl) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(owner, "owner");
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive");
        Instant now = clock.instant(), until = now.plus(ttl);
        int updated = db.read("lease renew", c -> {
            try (PreparedStatement ps = db.prepare(c, "UPDATE keys_lease SET owner = ?, expires_at = ? WHERE name = ? AND (owner = ? OR expires_at <= ?)")) {
                ps.setString(1, owner);
                ps.setObject(2, Db.timestamp(until));
                ps.setString(3, name);
                ps.setString(4, owner);
                ps.setObject(5, Db.timestamp(now));
                return ps.executeUpdate();
            }
        });
        if (updated == 1) return true;
        try {
            return db.read("lease take", c -> {
                try (PreparedStatement ps = db.prepare(c, "INSERT INTO keys_lease (name, owner, expires_at) VALUES (?, ?, ?)")) {
                    ps.setString(1, name);
                    ps.setString(2, owner);
                    ps.setObject(3, Db.timestamp(until));
                    return ps.executeUpdate() == 1;
                }
            });
        } catch (Db.UniqueViolation e) {
            return false; // the row exists: another owner holds an unexpired lease (or just took it)
        }
    }

    @Override
    public void release(String name, String owner) {
        db.read("lease release", c -> {
            try (PreparedStatement ps = db.prepare(c, "DELETE FROM keys_lease WHERE name = ? AND owner = ?")) {
                ps.setString(1, name);
                ps.setString(2, owner);
                return ps.executeUpdate();
            }
        });
    }
}
