package dev.keys.examples;

import dev.keys.core.hash.KeyHasher;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * How this database's key and client-secret digests are made, recorded in it so that every instance and every later
 * start hashes alike. A new database gets HMAC-SHA256 with a pepper derived from the root secret
 * ({@link KeyHasher#hmacFromRootSecret}): a copy of the database alone then cannot be used to test guessed keys. A
 * database that already holds keys or clients but no record was made by a version that hashed with plain SHA-256;
 * it is recorded as {@code sha256} and goes on verifying its keys (digests cannot be converted without the
 * plaintexts). Whoever records first wins; an instance that loses that race reads the winner's row.
 */
final class KeyHashing {
    static final String TABLE = "example_settings";
    static final String NAME = "key-hashing";
    static final String HMAC = "hmac-sha256-root-secret", SHA256 = "sha256";

    /** The hasher and the mode recorded for this database. */
    record Chosen(KeyHasher hasher, String mode) {
        /** For the start-up message. */
        String description() {
            return mode.equals(HMAC) ? "HMAC-SHA256, pepper derived from the root secret"
                    : "SHA-256 (this database held keys hashed so before the pepper became the default)";
        }
    }

    private KeyHashing() {
    }

    /** The recorded mode, recording one first if there is none; the key tables must exist (migrated). */
    static Chosen of(DataSource ds, byte[] rootSecret) throws SQLException {
        try (Connection c = ds.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (name VARCHAR(64) PRIMARY KEY, setting VARCHAR(256) NOT NULL)");
            }
            Optional<String> mode = read(c);
            if (mode.isEmpty()) {
                String fresh = holdsDigests(c) ? SHA256 : HMAC;
                try (PreparedStatement p = c.prepareStatement("INSERT INTO " + TABLE + " (name, setting) VALUES (?, ?)")) {
                    p.setString(1, NAME);
                    p.setString(2, fresh);
                    p.executeUpdate();
                    mode = Optional.of(fresh);
                } catch (SQLException duplicate) {
                    if (!c.getAutoCommit()) c.rollback();
                    mode = read(c);
                    if (mode.isEmpty()) throw duplicate;
                }
            }
            return switch (mode.get()) {
                case HMAC -> new Chosen(KeyHasher.hmacFromRootSecret(rootSecret), HMAC);
                case SHA256 -> new Chosen(KeyHasher.sha256(), SHA256);
                default -> throw new IllegalStateException(TABLE + " names an unknown key hashing '" + mode.get() + "'");
            };
        }
    }

    private static Optional<String> read(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT setting FROM " + TABLE + " WHERE name = ?")) {
            p.setString(1, NAME);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static boolean holdsDigests(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet keys = s.executeQuery("SELECT (SELECT COUNT(*) FROM keys_api_key) + (SELECT COUNT(*) FROM keys_oauth_client)")) {
            return keys.next() && keys.getLong(1) > 0;
        }
    }
}
