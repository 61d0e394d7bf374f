package dev.keys.jdbc;

import dev.keys.api.ClientStore;
import dev.keys.api.Digest;
import dev.keys.api.KeyStatus;
import dev.keys.api.OAuthClient;
import dev.keys.api.Page;
import dev.keys.api.StoreException;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A {@link ClientStore} in PostgreSQL or H2: OAuth clients are rows of {@code keys_oauth_client} (migration
 * {@code V4__clients.sql}), found by client id. Only the secret's digest is stored. Updates are optimistic
 * ({@code UPDATE ... WHERE client_id = ? AND version = ?}); the digest, tenant and creation time never change.
 * Clients are read on each token request, not on each API request, so there is no change feed and no cache here.
 *
 * <p>Thread-safe. Every failure to reach the database is a {@link StoreException.Unavailable} naming the
 * operation, never a secret or digest.
 */
public final class JdbcClientStore implements ClientStore {
    private static final String COLUMNS = "client_id, tenant, name, secret_digest, roles, permissions, ratelimits, status, created_at, updated_at, version";
    private static final String INSERT = "INSERT INTO keys_oauth_client (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String UPDATE = "UPDATE keys_oauth_client SET name = ?, roles = ?, permissions = ?, ratelimits = ?, status = ?, "
            + "updated_at = ?, version = ? WHERE client_id = ? AND version = ?";

    private final Db db;

    JdbcClientStore(Db db) {
        this.db = db;
    }

    /** A store with the defaults, its dialect read from the database (which must be reachable). */
    public static JdbcClientStore of(DataSource dataSource) {
        return JdbcStores.builder(dataSource).build().clientStore();
    }

    @Override
    public Optional<OAuthClient> findById(String clientId) {
        return db.read("findClient", c -> {
            try (PreparedStatement ps = db.prepare(c, "SELECT " + COLUMNS + " FROM keys_oauth_client WHERE client_id = ?")) {
                ps.setString(1, clientId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public OAuthClient create(OAuthClient client) {
        OAuthClient stored = normalise(client, 1);
        try {
            db.transaction("createClient", c -> {
                try (PreparedStatement ps = db.prepare(c, INSERT)) {
                    ps.setString(1, stored.clientId());
                    ps.setString(2, stored.tenant());
                    ps.setString(3, stored.name());
                    ps.setBytes(4, stored.secretDigest().toBytes());
                    ps.setString(5, JsonColumns.strings(new TreeSet<>(stored.roles())));
                    ps.setString(6, JsonColumns.strings(new TreeSet<>(stored.permissions())));
                    ps.setString(7, JsonColumns.rateLimits(stored.ratelimits()));
                    ps.setString(8, stored.status().name());
                    ps.setObject(9, Db.timestamp(stored.createdAt()));
                    ps.setObject(10, Db.timestamp(stored.updatedAt()));
                    ps.setLong(11, stored.version());
                    ps.executeUpdate();
                }
                return null;
            });
        } catch (Db.UniqueViolation e) {
            throw new StoreException.Duplicate("client " + client.clientId() + " exists already");
        }
        return stored;
    }

    @Override
    public OAuthClient update(OAuthClient client) {
        OAuthClient stored = normalise(client, client.version() + 1);
        boolean written = db.transaction("updateClient", c -> {
            try (PreparedStatement ps = db.prepare(c, UPDATE)) {
                ps.setString(1, stored.name());
                ps.setString(2, JsonColumns.strings(new TreeSet<>(stored.roles())));
                ps.setString(3, JsonColumns.strings(new TreeSet<>(stored.permissions())));
                ps.setString(4, JsonColumns.rateLimits(stored.ratelimits()));
                ps.setString(5, stored.status().name());
                ps.setObject(6, Db.timestamp(stored.updatedAt()));
                ps.setLong(7, stored.version());
                ps.setString(8, client.clientId());
                ps.setLong(9, client.version());
                return ps.executeUpdate() == 1;
            }
        });
        if (!written) {
            OAuthClient current = findById(client.clientId()).orElseThrow(() -> new StoreException.NotFound("no client with id " + client.clientId()));
            throw new StoreException.Conflict("client " + client.clientId() + " was changed concurrently (version " + current.version() + ")");
        }
        // What was written: the fields this store never changes come from the row, not from the caller.
        return findById(client.clientId()).orElse(stored);
    }

    @Override
    public Page<OAuthClient> list(Optional<String> tenant, int limit, Optional<String> cursor) {
        if (limit <= 0) throw new IllegalArgumentException("limit must be positive");
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM keys_oauth_client WHERE 1 = 1");
        List<String> args = new ArrayList<>();
        tenant.ifPresent(t -> { sql.append(" AND tenant = ?"); args.add(t); });
        cursor.ifPresent(cur -> { sql.append(" AND client_id > ?"); args.add(cur); });
        sql.append(" ORDER BY client_id LIMIT ").append((long) limit + 1);
        List<OAuthClient> items = db.read("listClients", c -> {
            try (PreparedStatement ps = db.prepare(c, sql.toString())) {
                for (int i = 0; i < args.size(); i++) ps.setString(i + 1, args.get(i));
                List<OAuthClient> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(row(rs));
                }
                return out;
            }
        });
        if (items.size() <= limit) return new Page<>(items, Optional.empty());
        List<OAuthClient> page = items.subList(0, limit);
        return new Page<>(page, Optional.of(page.get(page.size() - 1).clientId()));
    }

    private static OAuthClient normalise(OAuthClient c, long version) {
        return new OAuthClient(c.clientId(), c.tenant(), c.name(), c.secretDigest(), c.roles(), c.permissions(), c.ratelimits(),
                c.status(), c.createdAt().truncatedTo(ChronoUnit.MICROS), c.updatedAt().truncatedTo(ChronoUnit.MICROS), version);
    }

    private static OAuthClient row(ResultSet rs) throws SQLException {
        return new OAuthClient(
                rs.getString("client_id"),
                rs.getString("tenant"),
                rs.getString("name"),
                Digest.of(rs.getBytes("secret_digest")),
                new LinkedHashSet<>(JsonColumns.strings("roles", rs.getString("roles"))),
                new LinkedHashSet<>(JsonColumns.strings("permissions", rs.getString("permissions"))),
                JsonColumns.rateLimits("ratelimits", rs.getString("ratelimits")),
                KeyStatus.valueOf(rs.getString("status")),
                Db.instant(rs.getObject("created_at", OffsetDateTime.class)),
                Db.instant(rs.getObject("updated_at", OffsetDateTime.class)),
                rs.getLong("version"));
    }
}
