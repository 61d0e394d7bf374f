package dev.keys.jdbc;

import dev.keys.api.ApiKey;
import dev.keys.api.Clock;
import dev.keys.api.Digest;
import dev.keys.api.Environment;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStatus;
import dev.keys.api.KeyStore;
import dev.keys.api.Page;
import dev.keys.api.Quota;
import dev.keys.api.QuotaPeriod;
import dev.keys.api.Refill;
import dev.keys.api.RoleStore;
import dev.keys.api.StoreException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link KeyStore} in PostgreSQL or H2, shared by every instance of a service.
 *
 * <p>Keys are rows of {@code keys_api_key}, found by their unique digest (32 bytes). Updates are optimistic:
 * {@code UPDATE ... WHERE id = ? AND version = ?}, so that of two concurrent changes of one key the second gets
 * {@link StoreException.Conflict}. Every write also appends to the change feed {@code keys_changes} in the same
 * transaction, numbered from the single counter row {@code keys_change_seq}: the counter's row lock is held to the
 * commit, so numbers are handed out in commit order and a reader polling {@code seq > last} never skips a change
 * that commits late. This serialises key writes (admin operations, a few per second at most), never reads.
 *
 * <p>Changes older than the retention (default one day) are deleted by the writers; a reader further behind gets
 * {@link KeyChange#ALL} and drops its cache. Timestamps are kept to the microsecond (the databases' precision);
 * {@link #create} and {@link #update} answer the key as stored.
 *
 * <p>Thread-safe. Every failure to reach the database is a {@link StoreException.Unavailable} naming the
 * operation, never a key or digest.
 */
public final class JdbcKeyStore implements KeyStore {
    static final Duration DEFAULT_RETENTION = Duration.ofDays(1);
    private static final Digest NO_DIGEST = new Digest(0, 0, 0, 0);
    private static final String COLUMNS = "id, tenant, owner_id, name, prefix, key_start, digest, environment, status, roles, "
            + "permissions, meta, ratelimits, quota_limit, quota_period, remaining, refill_amount, refill_interval, ip_allowlist, "
            + "tier, created_at, updated_at, expires_at, rotated_to, created_by, admin_hold, version";
    private static final String INSERT = "INSERT INTO keys_api_key (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String UPDATE = "UPDATE keys_api_key SET tenant = ?, owner_id = ?, name = ?, prefix = ?, key_start = ?, "
            + "environment = ?, status = ?, roles = ?, permissions = ?, meta = ?, ratelimits = ?, quota_limit = ?, quota_period = ?, "
            + "remaining = ?, refill_amount = ?, refill_interval = ?, ip_allowlist = ?, tier = ?, created_at = ?, updated_at = ?, "
            + "expires_at = ?, rotated_to = ?, created_by = ?, admin_hold = ?, version = ? WHERE id = ? AND version = ? AND digest = ?";

    private final Db db;
    private final Clock clock;
    private final Optional<RoleStore> roles;
    private final Duration retention;
    private final long pruneEveryNanos;
    private volatile long lastPrune;

    JdbcKeyStore(Db db, Clock clock, Duration retention) {
        if (retention.isNegative() || retention.isZero()) throw new IllegalArgumentException("changeRetention must be positive");
        this.db = db;
        this.clock = clock;
        this.retention = retention;
        this.pruneEveryNanos = Math.min(Duration.ofMinutes(1).toNanos(), retention.toNanos() / 10);
        this.lastPrune = clock.nanos();
        this.roles = Optional.of(new JdbcRoleStore(db, clock, this));
    }

    /** Roles defined at run time, in {@code keys_role} (migration {@code V6__roles.sql}), their changes on this feed. */
    @Override
    public Optional<RoleStore> roles() {
        return roles;
    }

    /** A store with the defaults, its dialect read from the database (which must be reachable). */
    public static JdbcKeyStore of(DataSource dataSource) {
        return JdbcStores.builder(dataSource).build().keyStore();
    }

    /** The dialect this store writes. */
    public Dialect dialect() {
        return db.dialect;
    }

    @Override
    public Optional<ApiKey> findByDigest(Digest digest) {
        return db.read("findByDigest", c -> {
            try (PreparedStatement ps = db.prepare(c, "SELECT " + COLUMNS + " FROM keys_api_key WHERE digest = ?")) {
                ps.setBytes(1, digest.toBytes());
                return one(ps);
            }
        });
    }

    @Override
    public Optional<ApiKey> findById(String id) {
        return db.read("findById", c -> {
            try (PreparedStatement ps = db.prepare(c, "SELECT " + COLUMNS + " FROM keys_api_key WHERE id = ?")) {
                ps.setString(1, id);
                return one(ps);
            }
        });
    }

    @Override
    public ApiKey create(ApiKey key) {
        ApiKey stored = normalise(key.toBuilder().version(1).build());
        try {
            db.transaction("create", c -> {
                try (PreparedStatement ps = db.prepare(c, INSERT)) {
                    int i = 1;
                    ps.setString(i++, stored.id());
                    i = bind(ps, i, stored, true);
                    ps.setLong(i, stored.version());
                    ps.executeUpdate();
                }
                appendChange(c, stored);
                return null;
            });
        } catch (Db.UniqueViolation e) {
            boolean idTaken = findById(key.id()).isPresent();
            throw new StoreException.Duplicate(idTaken ? "a key with id " + key.id() + " exists" : "a key with the same digest exists");
        }
        prunePeriodically();
        return stored;
    }

    @Override
    public ApiKey update(ApiKey key) {
        ApiKey stored = normalise(key.toBuilder().version(key.version() + 1).build());
        boolean written = db.transaction("update", c -> {
            try (PreparedStatement ps = db.prepare(c, UPDATE)) {
                int i = bind(ps, 1, stored, false);
                ps.setLong(i++, stored.version());
                ps.setString(i++, key.id());
                ps.setLong(i++, key.version());
                ps.setBytes(i, key.digest().toBytes());
                if (ps.executeUpdate() == 0) return false;
            }
            appendChange(c, stored);
            return true;
        });
        if (!written) {
            ApiKey current = findById(key.id()).orElseThrow(() -> new StoreException.NotFound("no key with id " + key.id()));
            if (current.version() != key.version()) {
                throw new StoreException.Conflict("key " + key.id() + " was changed concurrently (version " + current.version() + ")");
            }
            if (!current.digest().equals(key.digest())) throw new IllegalArgumentException("a key's digest cannot change");
            // Same version and digest now: the competing writer rolled back between our update and this read.
            throw new StoreException.Conflict("key " + key.id() + " was changed concurrently; re-read and retry");
        }
        prunePeriodically();
        return stored;
    }

    /** The row and, in the same transaction, one change with its digest, so that other instances drop it. */
    @Override
    public boolean delete(String id) {
        return db.transaction("delete", c -> {
            ApiKey gone;
            try (PreparedStatement ps = db.prepare(c, "SELECT " + COLUMNS + " FROM keys_api_key WHERE id = ?")) {
                ps.setString(1, id);
                Optional<ApiKey> k = one(ps);
                if (k.isEmpty()) return false;
                gone = k.get();
            }
            try (PreparedStatement ps = db.prepare(c, "DELETE FROM keys_api_key WHERE id = ?")) {
                ps.setString(1, id);
                if (ps.executeUpdate() == 0) return false;
            }
            appendChange(c, gone);
            return true;
        });
    }

    @Override
    public Page<ApiKey> list(KeyQuery q) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM keys_api_key WHERE 1 = 1");
        List<String> args = new ArrayList<>();
        q.tenant().ifPresent(t -> { sql.append(" AND tenant = ?"); args.add(t); });
        q.ownerId().ifPresent(o -> { sql.append(" AND owner_id = ?"); args.add(o); });
        q.status().ifPresent(st -> { sql.append(" AND status = ?"); args.add(st.name()); });
        // As KeyQuery.matches. No index serves a substring: the scan walks the (tenant, id) or primary key order
        // and stops at the page's end, so a page costs the keys up to its last match, the search text being bounded.
        q.search().ifPresent(text -> {
            sql.append(" AND (id = ? OR key_start = ? OR LOWER(name) LIKE ? ESCAPE '!')");
            args.add(text);
            args.add(text);
            args.add("%" + text.toLowerCase(Locale.ROOT).replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
        });
        q.cursor().ifPresent(cur -> { sql.append(" AND id > ?"); args.add(cur); });
        sql.append(" ORDER BY id LIMIT ").append(q.limit() + 1);
        List<ApiKey> items = db.read("list", c -> {
            try (PreparedStatement ps = db.prepare(c, sql.toString())) {
                for (int i = 0; i < args.size(); i++) ps.setString(i + 1, args.get(i));
                List<ApiKey> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(row(rs));
                }
                return out;
            }
        });
        if (items.size() <= q.limit()) return new Page<>(items, Optional.empty());
        List<ApiKey> page = items.subList(0, q.limit());
        return new Page<>(page, Optional.of(page.get(page.size() - 1).id()));
    }

    /**
     * Changes after {@code afterSequence}, oldest first. Numbers are gapless (see the class comment), so a gap
     * after {@code afterSequence} can only mean that retention deleted what the reader missed: it gets one
     * {@link KeyChange#ALL}.
     */
    @Override
    public List<KeyChange> changesSince(long afterSequence, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be positive");
        return db.read("changesSince", c -> {
            // The counter first: every change up to it has committed, so none can appear behind the rows read next.
            long last = lastSequence(c);
            if (afterSequence >= last) return List.of();
            List<KeyChange> out = new ArrayList<>();
            try (PreparedStatement ps = db.prepare(c, "SELECT seq, key_id, digest FROM keys_changes WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?")) {
                ps.setLong(1, afterSequence);
                ps.setLong(2, last);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new KeyChange(rs.getLong(1), rs.getString(2), Digest.of(rs.getBytes(3))));
                }
            }
            if (out.isEmpty()) return List.of(new KeyChange(last, KeyChange.ALL, NO_DIGEST));
            long first = out.get(0).sequence();
            if (first != afterSequence + 1) return List.of(new KeyChange(first - 1, KeyChange.ALL, NO_DIGEST));
            return List.copyOf(out);
        });
    }

    @Override
    public long lastSequence() {
        return db.read("lastSequence", this::lastSequence);
    }

    private long lastSequence(Connection c) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, "SELECT seq FROM keys_change_seq WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) throw new SQLException("keys_change_seq has no row", "42P01");
            return rs.getLong(1);
        }
    }

    /**
     * Deletes changes older than the retention, always a prefix of the feed. Writers call it at most once a minute
     * (or a tenth of the retention); public for operators who would rather schedule it.
     *
     * @return the number of changes deleted
     */
    public int pruneChanges() {
        lastPrune = clock.nanos();
        Instant cutoff = clock.instant().minus(retention);
        return db.read("pruneChanges", c -> {
            try (PreparedStatement ps = db.prepare(c, "DELETE FROM keys_changes WHERE seq <= (SELECT MAX(seq) FROM keys_changes WHERE changed_at < ?)")) {
                ps.setObject(1, Db.timestamp(cutoff));
                return ps.executeUpdate();
            }
        });
    }

    private void prunePeriodically() {
        if (clock.nanos() - lastPrune < pruneEveryNanos) return;
        try {
            pruneChanges();
        } catch (StoreException.Unavailable e) {
            // the next write tries again
        }
    }

    private void appendChange(Connection c, ApiKey k) throws SQLException {
        appendChange(c, k.id(), k.digest());
    }

    /** One change; its sequence number locks the counter row until the caller's transaction ends. */
    void appendChange(Connection c, String id, Digest digest) throws SQLException {
        long seq = db.dialect.nextChangeSequence(c, db.timeoutSeconds);
        try (PreparedStatement ps = db.prepare(c, "INSERT INTO keys_changes (seq, key_id, digest, changed_at) VALUES (?, ?, ?, ?)")) {
            ps.setLong(1, seq);
            ps.setString(2, id);
            ps.setBytes(3, digest.toBytes());
            ps.setObject(4, Db.timestamp(clock.instant()));
            ps.executeUpdate();
        }
    }

    private static ApiKey normalise(ApiKey k) {
        return k.toBuilder()
                .createdAt(k.createdAt().truncatedTo(ChronoUnit.MICROS))
                .updatedAt(k.updatedAt().truncatedTo(ChronoUnit.MICROS))
                .expiresAt(k.expiresAt().map(e -> e.truncatedTo(ChronoUnit.MICROS)))
                .build();
    }

    /** Binds every column but id and version, in {@link #COLUMNS} order (the digest only when inserting). */
    private static int bind(PreparedStatement ps, int i, ApiKey k, boolean withDigest) throws SQLException {
        ps.setString(i++, k.tenant());
        ps.setString(i++, k.ownerId());
        ps.setString(i++, k.name());
        ps.setString(i++, k.prefix());
        ps.setString(i++, k.start());
        if (withDigest) ps.setBytes(i++, k.digest().toBytes());
        ps.setString(i++, k.environment().name());
        ps.setString(i++, k.status().name());
        ps.setString(i++, JsonColumns.strings(new TreeSet<>(k.roles())));
        ps.setString(i++, JsonColumns.strings(new TreeSet<>(k.permissions())));
        ps.setString(i++, JsonColumns.meta(new TreeMap<>(k.meta())));
        ps.setString(i++, JsonColumns.rateLimits(k.ratelimits()));
        setLong(ps, i++, k.quota().map(Quota::limit));
        ps.setString(i++, k.quota().map(q -> q.period().name()).orElse(null));
        setLong(ps, i++, k.remaining().isPresent() ? Optional.of(k.remaining().getAsLong()) : Optional.empty());
        setLong(ps, i++, k.refill().map(Refill::amount));
        ps.setString(i++, k.refill().map(r -> r.interval().toString()).orElse(null));
        ps.setString(i++, JsonColumns.strings(k.ipAllowlist()));
        ps.setString(i++, k.tier().orElse(null));
        ps.setObject(i++, Db.timestamp(k.createdAt()));
        ps.setObject(i++, Db.timestamp(k.updatedAt()));
        if (k.expiresAt().isPresent()) ps.setObject(i++, Db.timestamp(k.expiresAt().get()));
        else ps.setNull(i++, Types.TIMESTAMP_WITH_TIMEZONE);
        ps.setString(i++, k.rotatedTo().orElse(null));
        ps.setString(i++, k.createdBy());
        ps.setBoolean(i++, k.adminHold());
        return i;
    }

    private static void setLong(PreparedStatement ps, int i, Optional<Long> v) throws SQLException {
        if (v.isPresent()) ps.setLong(i, v.get());
        else ps.setNull(i, Types.BIGINT);
    }

    private static Optional<ApiKey> one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
    }

    private static ApiKey row(ResultSet rs) throws SQLException {
        long quotaLimit = rs.getLong("quota_limit");
        Optional<Quota> quota = rs.wasNull() ? Optional.empty() : Optional.of(new Quota(quotaLimit, QuotaPeriod.valueOf(rs.getString("quota_period"))));
        long remaining = rs.getLong("remaining");
        OptionalLong rem = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(remaining);
        long refillAmount = rs.getLong("refill_amount");
        Optional<Refill> refill = rs.wasNull() ? Optional.empty() : Optional.of(new Refill(refillAmount, Duration.parse(rs.getString("refill_interval"))));
        return ApiKey.builder()
                .id(rs.getString("id"))
                .tenant(rs.getString("tenant"))
                .ownerId(rs.getString("owner_id"))
                .name(rs.getString("name"))
                .prefix(rs.getString("prefix"))
                .start(rs.getString("key_start"))
                .digest(Digest.of(rs.getBytes("digest")))
                .environment(Environment.valueOf(rs.getString("environment")))
                .status(KeyStatus.valueOf(rs.getString("status")))
                .roles(new LinkedHashSet<>(JsonColumns.strings("roles", rs.getString("roles"))))
                .permissions(new LinkedHashSet<>(JsonColumns.strings("permissions", rs.getString("permissions"))))
                .meta(JsonColumns.meta("meta", rs.getString("meta")))
                .ratelimits(JsonColumns.rateLimits("ratelimits", rs.getString("ratelimits")))
                .quota(quota)
                .remaining(rem)
                .refill(refill)
                .ipAllowlist(JsonColumns.strings("ip_allowlist", rs.getString("ip_allowlist")))
                .tier(Optional.ofNullable(rs.getString("tier")))
                .createdAt(Db.instant(rs.getObject("created_at", java.time.OffsetDateTime.class)))
                .updatedAt(Db.instant(rs.getObject("updated_at", java.time.OffsetDateTime.class)))
                .expiresAt(Optional.ofNullable(Db.instant(rs.getObject("expires_at", java.time.OffsetDateTime.class))))
                .rotatedTo(Optional.ofNullable(rs.getString("rotated_to")))
                .createdBy(rs.getString("created_by"))
                .adminHold(rs.getBoolean("admin_hold"))
                .version(rs.getLong("version"))
                .build();
    }
}
