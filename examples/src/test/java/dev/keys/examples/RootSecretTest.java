package dev.keys.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RootSecretTest {
    @TempDir Path dir;

    @Test
    void createsAnOwnerOnlyFileOnceAndReadsItBack() throws Exception {
        RootSecret.Loaded first = RootSecret.load(Optional.empty(), dir.resolve("data"));
        Path file = dir.resolve("data").resolve(RootSecret.FILE_NAME);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(32, first.secret().length);
        assertArrayEquals(first.secret(), RootSecret.load(Optional.empty(), dir.resolve("data")).secret());
    }

    @Test
    void refusesAFileOthersCanRead() throws Exception {
        RootSecret.load(Optional.empty(), dir);
        Files.setPosixFilePermissions(dir.resolve(RootSecret.FILE_NAME), PosixFilePermissions.fromString("rw-r--r--"));
        assertThrows(IllegalStateException.class, () -> RootSecret.load(Optional.empty(), dir));
    }

    @Test
    void readsHexOrBase64FromTheEnvironmentAndNeeds32Bytes() throws Exception {
        byte[] secret = new byte[48];
        for (int i = 0; i < secret.length; i++) secret[i] = (byte) (i * 7);
        assertArrayEquals(secret, RootSecret.load(Optional.of(HexFormat.of().formatHex(secret)), dir).secret());
        assertArrayEquals(secret, RootSecret.load(Optional.of(Base64.getEncoder().encodeToString(secret)), dir).secret());
        assertArrayEquals(secret, RootSecret.load(Optional.of(Base64.getUrlEncoder().withoutPadding().encodeToString(secret)), dir).secret());
        assertFalse(Files.exists(dir.resolve(RootSecret.FILE_NAME)));
        String shortSecret = Base64.getEncoder().encodeToString(new byte[31]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RootSecret.load(Optional.of(shortSecret), dir));
        assertFalse(e.getMessage().contains(shortSecret));
        assertThrows(IllegalArgumentException.class, () -> RootSecret.load(Optional.of("not a secret!"), dir));
    }
}
