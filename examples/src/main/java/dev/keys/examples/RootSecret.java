package dev.keys.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The secret that seals the OAuth signing keys in the database. From {@code KEYS_ROOT_SECRET} (what a deployment
 * with several instances sets, from its secret manager), else from a file of the data directory that the first
 * start creates owner-only, as ssh treats its private keys. The database alone never suffices to sign tokens.
 */
final class RootSecret {
    static final int MIN_BYTES = 32;
    static final String FILE_NAME = "root-secret";

    private RootSecret() {
    }

    /** Where the secret came from, for the start-up message; never the secret. */
    record Loaded(byte[] secret, String source) { }

    static Loaded load(Optional<String> fromEnvironment, Path dataDir) throws IOException {
        if (fromEnvironment.isPresent()) return new Loaded(decode(fromEnvironment.get(), "KEYS_ROOT_SECRET"), "KEYS_ROOT_SECRET");
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) create(file);
        if (DataDir.posix(file) && !Files.getPosixFilePermissions(file).equals(DataDir.OWNER_ONLY_FILE)) {
            throw new IllegalStateException(file + " must be readable and writable by its owner only (chmod 600)");
        }
        return new Loaded(decode(Files.readString(file, StandardCharsets.US_ASCII), file.toString()), file.toString());
    }

    /** Base64 (standard or URL-safe, padded or not) or hex; at least 32 bytes. */
    static byte[] decode(String text, String where) {
        String s = text.strip();
        byte[] bytes;
        if (s.length() % 2 == 0 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            bytes = HexFormat.of().parseHex(s);
        } else {
            try {
                bytes = Base64.getDecoder().decode(s.replace('-', '+').replace('_', '/'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + " is neither hex nor base64");
            }
        }
        if (bytes.length < MIN_BYTES) throw new IllegalArgumentException(where + " must hold at least " + MIN_BYTES + " bytes");
        return bytes;
    }

    private static void create(Path file) throws IOException {
        DataDir.prepare(file.getParent());
        byte[] secret = new byte[MIN_BYTES];
        new SecureRandom().nextBytes(secret);
        try {
            // Created with its permissions, never widened then narrowed: no moment when another user could read it.
            Files.createFile(file, DataDir.ownerOnly(file.getParent(), DataDir.OWNER_ONLY_FILE));
        } catch (FileAlreadyExistsException raced) {
            return;
        }
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write((Base64.getEncoder().encodeToString(secret) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }
}
