package dev.keys.examples;

import dev.keys.api.Clock;
import dev.keys.jwt.SigningKeys;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * The OAuth signing keyring, sealed under the root secret ({@link SigningKeys#seal}), in one row of a table of the
 * example's own. Every instance on the same database signs with the same keys; whoever starts first generates them,
 * and an instance that loses that race reads the winner's row.
 */
final class SealedKeyring {
    static final String TABLE = "example_keyring";
    private static final String NAME = "oauth-signing";

    private SealedKeyring() {
    }

    /** The keyring and whether this start generated it. */
    record Loaded(SigningKeys keys, boolean generated) { }

    static Loaded loadOrCreate(DataSource ds, byte[] rootSecret, Duration maxTokenLifetime, Clock clock) throws SQLException {
        try (Connection c = ds.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + TABLE
                        + " (name VARCHAR(64) PRIMARY KEY, sealed VARCHAR(65536) NOT NULL, updated_at TIMESTAMP WITH TIME ZONE NOT NULL)");
            }
            Optional<String> row = read(c);
            if (row.isPresent()) return new Loaded(unseal(row.get(), rootSecret, clock), false);
            SigningKeys fresh = SigningKeys.generate(SigningKeys.Algorithm.ES256, maxTokenLifetime, clock);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO " + TABLE + " (name, sealed, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP)")) {
                p.setString(1, NAME);
                p.setString(2, Base64.getEncoder().encodeToString(fresh.seal(rootSecret)));
                p.executeUpdate();
                return new Loaded(fresh, true);
            } catch (SQLException duplicate) {
                // Another instance inserted first (a unique violation); anything else fails the read below too.
                if (!c.getAutoCommit()) c.rollback();
                Optional<String> winner = read(c);
                if (winner.isEmpty()) throw duplicate;
                return new Loaded(unseal(winner.get(), rootSecret, clock), false);
            }
        }
    }

    private static Optional<String> read(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT sealed FROM " + TABLE + " WHERE name = ?")) {
            p.setString(1, NAME);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static SigningKeys unseal(String base64, byte[] rootSecret, Clock clock) {
        try {
            return SigningKeys.unseal(Base64.getDecoder().decode(base64), rootSecret, clock);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the OAuth signing keys in " + TABLE + " cannot be opened with this root secret"
                    + " (another KEYS_ROOT_SECRET or root-secret file sealed them)", e);
        }
    }
}
