package dev.keys.examples;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The data directory ({@code KEYS_DATA_DIR}) holds the H2 database, with every key digest, and the root-secret file:
 * it is the example's own and readable by its owner only. H2 creates its files with the process's umask (0644 under
 * the usual 022), so the directory is made 0700, which keeps every file in it away from other users whatever its
 * mode, and the database files are narrowed to 0600 once open. An existing directory (an older version made it 0755
 * and its files 0644) is narrowed the same way on the next start. On a file system without POSIX permissions
 * nothing is changed.
 */
final class DataDir {
    static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private DataDir() {
    }

    /** Creates {@code dir} owner-only (0700), or narrows it to that when it exists. */
    static void prepare(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try {
                Files.createDirectory(dir, ownerOnly(parent, OWNER_ONLY_DIR));
            } catch (FileAlreadyExistsException raced) {
                // another instance made it: narrowed below all the same
            }
        }
        // Set after creation too: the umask may have taken bits off, never added, but an old directory has them.
        if (posix(dir)) Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
    }

    /** Narrows the files of the database whose base name is {@code base} (H2's {@code base.mv.db}, {@code base.trace.db}...) to 0600. */
    static void narrowDatabaseFiles(Path dir, String base) throws IOException {
        if (!posix(dir)) return;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, base + ".*")) {
            for (Path f : files) {
                if (Files.isRegularFile(f)) Files.setPosixFilePermissions(f, OWNER_ONLY_FILE);
            }
        }
    }

    /** The attribute that creates a file or directory with {@code permissions}, on a POSIX file system. */
    static FileAttribute<?>[] ownerOnly(Path parent, Set<PosixFilePermission> permissions) {
        return posix(parent) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }

    static boolean posix(Path p) {
        return p != null && Files.getFileAttributeView(p, PosixFileAttributeView.class) != null;
    }
}
