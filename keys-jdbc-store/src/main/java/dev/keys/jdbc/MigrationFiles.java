package dev.keys.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the migration files shipped under a class-path folder, in a directory ({@code target/classes}) or a jar
 * (plain, or nested as in a Spring Boot jar, through {@link JarURLConnection}), ordered by version.
 */
final class MigrationFiles {
    static final Pattern NAME = Pattern.compile("V([0-9]{1,9})__[A-Za-z0-9_]+\\.sql");

    private MigrationFiles() {
    }

    /**
     * @throws IllegalStateException when no migration is found, two files share a version, or the class path
     *                               cannot be listed
     */
    static List<String> discover(String location) {
        return discover(MigrationFiles.class.getClassLoader(), location);
    }

    static List<String> discover(ClassLoader cl, String location) {
        TreeMap<Integer, String> byVersion = new TreeMap<>();
        try {
            Enumeration<URL> urls = cl.getResources(location);
            while (urls.hasMoreElements()) {
                for (String name : list(urls.nextElement(), location)) {
                    Matcher m = NAME.matcher(name);
                    if (!m.matches()) continue;
                    String previous = byVersion.putIfAbsent(Integer.parseInt(m.group(1)), name);
                    if (previous != null && !previous.equals(name))
                        throw new IllegalStateException("two migrations have version " + m.group(1) + ": " + previous + " and " + name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the migrations under " + location, e);
        }
        if (byVersion.isEmpty()) throw new IllegalStateException("no migration found under " + location);
        return List.copyOf(byVersion.values());
    }

    private static List<String> list(URL url, String location) throws IOException {
        List<String> out = new ArrayList<>();
        switch (url.getProtocol()) {
            case "file" -> {
                Path dir;
                try {
                    dir = Path.of(url.toURI());
                } catch (URISyntaxException e) {
                    throw new IOException("not a file URL: " + url, e);
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                    for (Path f : files) out.add(f.getFileName().toString());
                }
            }
            case "jar" -> {
                var connection = url.openConnection();
                if (!(connection instanceof JarURLConnection jar)) throw new IOException("cannot list " + url);
                jar.setUseCaches(false);
                String prefix = location.endsWith("/") ? location : location + "/";
                try (JarFile file = jar.getJarFile()) {
                    for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                        String n = e.nextElement().getName();
                        if (n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0 && n.length() > prefix.length())
                            out.add(n.substring(prefix.length()));
                    }
                }
            }
            default -> throw new IOException("cannot list migrations in a class-path entry of protocol " + url.getProtocol());
        }
        return out;
    }
}
