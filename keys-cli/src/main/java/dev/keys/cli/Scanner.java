package dev.keys.cli;

import dev.keys.core.format.KeyFormat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds keys of the format of docs/contract.md §2 in text: a candidate of the right shape, then the checksum
 * ({@link KeyFormat#isWellFormed}), so that a random string of the same shape is not reported (one in 62^6). A
 * find keeps the key only for {@code --revoke}; nothing prints it: its {@code toString} shows prefix and start.
 */
final class Scanner {
    /** The shape: a prefix starting with a letter, {@code _}, 38 base62; not glued to a word on either side. */
    static final Pattern CANDIDATE = Pattern.compile(
            "(?<![A-Za-z0-9_])[a-z][a-z0-9_]{0," + (KeyFormat.MAX_PREFIX_LENGTH - 1) + "}_[0-9A-Za-z]{" + KeyFormat.BODY_LENGTH + "}(?![0-9A-Za-z])");
    /** The same shape for {@code git grep -E} and for GitHub's secret-scanning pattern. */
    static final String REGEX = "[a-z][a-z0-9_]{0,23}_[0-9A-Za-z]{38}";
    private static final long MAX_FILE_BYTES = 64L << 20;

    record Find(String file, int line, String prefix, String start, String key) {
        @Override
        public String toString() {
            return file + ":" + line + " " + prefix + "_" + start + "...";
        }
    }

    private Scanner() {
    }

    /** Every key in {@code text}, which is line {@code line} of {@code file}. */
    static void scanLine(String file, int line, CharSequence text, Consumer<Find> out) {
        if (text.length() < KeyFormat.MIN_LENGTH) return;
        Matcher m = CANDIDATE.matcher(text);
        while (m.find()) {
            String key = m.group();
            if (KeyFormat.isWellFormed(key)) out.accept(new Find(file, line, KeyFormat.prefix(key), KeyFormat.start(key), key));
        }
    }

    /** Every key in a text stream, read as ISO-8859-1 so that no byte stops the scan (keys are ASCII). */
    static void scanStream(String file, InputStream in, Consumer<Find> out) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
        String s;
        int line = 0;
        while ((s = r.readLine()) != null) scanLine(file, ++line, s, out);
    }

    /**
     * Every key in a file or under a directory (not following links, skipping {@code .git} and files that look
     * binary or are larger than 64 MiB). Files that cannot be read go to {@code unreadable}.
     */
    static void scanPath(Path root, Consumer<Find> out, Consumer<String> unreadable) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.getFileName() != null && dir.getFileName().toString().equals(".git") && !dir.equals(root)
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                if (!attrs.isRegularFile() || attrs.size() > MAX_FILE_BYTES) return FileVisitResult.CONTINUE;
                try (InputStream in = Files.newInputStream(f)) {
                    byte[] head = in.readNBytes(8000);
                    for (byte b : head) if (b == 0) return FileVisitResult.CONTINUE;
                    scanStream(f.toString(), new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head), in), out);
                } catch (IOException e) {
                    unreadable.accept(f.toString());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                unreadable.accept(f.toString());
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Every key added anywhere in the history of the git repository at {@code dir}: {@code git log -p --all -U0},
     * each added line with its line number in the file as that commit left it. A find's file reads
     * {@code <commit>:<path>}, as git names a file at a commit.
     */
    static void scanGit(Path dir, Consumer<Find> out) throws IOException {
        if (run(dir, "rev-parse", "--git-dir") != 0) throw CliException.failure("not a git repository: " + dir);
        Process p = git(dir, "-c", "core.quotePath=false", "log", "-p", "--all", "--no-color", "--no-ext-diff", "--no-textconv",
                "-U0", "--pretty=format:commit %H").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.ISO_8859_1))) {
            String commit = "", path = null, s;
            int line = 0, minus = 0, plus = 0;
            while ((s = r.readLine()) != null) {
                if (minus > 0 || plus > 0) {
                    // Inside a hunk the counts of its header say what is content, whatever it starts with.
                    if (s.startsWith("-")) {
                        minus--;
                    } else if (s.startsWith("+")) {
                        plus--;
                        if (path != null) scanLine(commit + ":" + path, line, s.substring(1), out);
                        line++;
                    } else if (!s.startsWith("\\")) {
                        minus = plus = 0;
                    }
                    continue;
                }
                if (s.startsWith("commit ") && s.length() >= 47) {
                    commit = s.substring(7, 19);
                    path = null;
                } else if (s.startsWith("+++ ")) {
                    String target = s.substring(4);
                    if (target.startsWith("\"") && target.endsWith("\"")) target = target.substring(1, target.length() - 1);
                    path = target.equals("/dev/null") ? null : target.startsWith("b/") ? target.substring(2) : target;
                } else if (s.startsWith("@@ ")) {
                    Matcher h = HUNK.matcher(s);
                    if (h.lookingAt()) {
                        minus = h.group(2) == null ? 1 : Integer.parseInt(h.group(2));
                        line = Integer.parseInt(h.group(3));
                        plus = h.group(4) == null ? 1 : Integer.parseInt(h.group(4));
                    }
                }
            }
        }
        try {
            int code = p.waitFor();
            if (code != 0) throw CliException.failure("git log failed in " + dir + " (exit " + code + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failure("interrupted");
        }
    }

    private static final Pattern HUNK = Pattern.compile("@@ -(\\d+)(?:,(\\d+))? \\+(\\d+)(?:,(\\d+))? @@");

    private static ProcessBuilder git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    private static int run(Path dir, String... args) throws IOException {
        Process p = git(dir, args).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failure("interrupted");
        }
    }
}
