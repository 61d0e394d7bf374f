package dev.keys.core.authz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fuzzes {@link PathNormalizer} and {@link RouteTable#match}: no spelling of a path reaches a weaker rule than the
 * path itself (docs/contract.md §4). With {@code * /admin/** -> admin:*} before {@code * /** -> NONE}, a raw path that
 * any plausible reading by the application behind (decoded once or twice, {@code ;} parameters cut before or after
 * decoding, {@code \} as {@code /}, dot segments resolved and clamped at the root) puts under {@code /admin} must
 * answer {@link RouteMatch.BadPath} or the admin rule, never the open one. And a trailing slash is part of the path:
 * with {@code GET /admin -> admin:read} before {@code * /admin/** -> admin:*}, the exact rule serves only a path that
 * every such reading, keeping its trailing slash as Jetty does, resolves to exactly {@code /admin}.
 */
class RouteTableFuzzTest {
    static final RouteTable TABLE = RouteTable.parse("""
            * /admin/** -> admin:*
            * /** -> NONE
            """);
    static final RouteTable FOLDED = RouteTable.builder().lines("""
            GET,POST /admin/** -> admin:*
            * /** -> NONE
            """).caseInsensitive(true).build();
    static final RouteTable EXACT = RouteTable.parse("""
            GET /admin -> admin:read
            * /admin/** -> admin:*
            * /** -> NONE
            """);
    static final List<String> PIECES = List.of("/", "//", "admin", "ADMIN", "Admin", "adm", "in", ".", "..", "%2e", "%2E", "%2e%2e",
            "%2f", "%2F", "%5c", "\\", ";", ";jsessionid=1", "%3b", "%25", "%252e", "%", "%61", "%41", "%00", "?", "#", "x", "%c0%ae",
            "%e2%80%ae", "\u0130", "\u212a", " ", "%20", "\t", "./", "../", "a/../");
    static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "get", "OPTIONS", "");

    /** Arbitrary raw paths. */
    @FuzzTest(maxDuration = "30s")
    void arbitraryPath(byte[] input) {
        String raw = new String(input, StandardCharsets.UTF_8);
        checkPath(raw.startsWith("/") ? raw : "/" + raw);
    }

    /** Paths assembled from the pieces that usually matter: encodings, dot segments, parameters, case. */
    @FuzzTest(maxDuration = "30s")
    void pieces(FuzzedDataProvider data) {
        StringBuilder sb = new StringBuilder("/");
        int n = data.consumeInt(0, 16);
        for (int i = 0; i < n; i++) sb.append(data.pickValue(PIECES));
        String raw = sb.toString();
        checkPath(raw);
        String method = data.pickValue(METHODS);
        RouteMatch m = FOLDED.match(method, raw);
        boolean adminMethod = method.equals("GET") || method.equals("HEAD") || method.equals("POST");
        if (adminMethod && reachesAdmin(raw, true)) assertAdminOrBad(m, raw);
    }

    static void checkPath(String raw) {
        NormalizedPath n = PathNormalizer.normalize(raw);
        if (n instanceof NormalizedPath.Valid v) {
            String p = v.path();
            assertTrue(p.startsWith("/"), p);
            assertFalse(p.contains("//") || p.contains(";") || p.contains("\\") || p.contains("%"), p);
            for (String seg : p.substring(1).split("/")) assertFalse(seg.equals(".") || seg.equals(".."), p);
            if (p.chars().allMatch(c -> c == '/' || c == '-' || c == '.' || c == '_' || c == '~' || Character.isLetterOrDigit(c) && c < 128)) {
                assertEquals(n, PathNormalizer.normalize(p), "normalising twice changes nothing");
            }
        }
        String plain = raw.indexOf('?') < 0 ? raw : raw.substring(0, raw.indexOf('?'));
        if (plain.length() <= PathNormalizer.MAX_LENGTH && plain.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '%' && c != ';' && c != '\\' && c != '#')) {
            String expected = resolveKeepingSlash(plain, true);
            assertEquals(expected == null ? null : new NormalizedPath.Valid(expected), n instanceof NormalizedPath.Valid ? n : null, raw);
            // Tomcat drops the slash a last dot segment leaves: a route that decides must be the route of both readings
            if (EXACT.match("GET", raw) instanceof RouteMatch.Matched em && expected != null) {
                assertEquals(em, EXACT.match("GET", expected), raw);
                assertEquals(em, EXACT.match("GET", resolveKeepingSlash(plain, false)), raw);
            }
        }
        RouteMatch exact = EXACT.match("GET", raw);
        if (exact instanceof RouteMatch.Matched em && em.route().pattern().equals("/admin")) {
            for (String reading : readings(raw, false)) assertEquals("/admin", resolveKeepingSlash(reading, true), () -> "the exact rule served " + raw);
        }
        RouteMatch m = TABLE.match("GET", raw);
        if (reachesAdmin(raw, false)) assertAdminOrBad(m, raw);
        // the table's answer agrees with the normaliser's
        assertEquals(n instanceof NormalizedPath.Rejected, m instanceof RouteMatch.BadPath, raw);
        assertNotEquals(RouteMatch.NoMatch.ALLOWED, m);
    }

    static void assertAdminOrBad(RouteMatch m, String raw) {
        if (m instanceof RouteMatch.BadPath) return;
        assertInstanceOf(RouteMatch.Matched.class, m, raw);
        assertEquals("/admin/**", ((RouteMatch.Matched) m).route().pattern(), () -> "the open rule served " + raw);
    }

    /** Whether some plausible reading of {@code raw} lands on /admin or below it. */
    static boolean reachesAdmin(String raw, boolean foldCase) {
        for (String s : readings(raw, foldCase)) {
            String resolved = resolve(s);
            if (resolved.equals("/admin") || resolved.startsWith("/admin/")) return true;
        }
        return false;
    }

    /** The path as an application might read it, before dot segments: decoded once or twice, parameters cut before or after. */
    static List<String> readings(String raw, boolean foldCase) {
        int q = raw.indexOf('?');
        String path = q < 0 ? raw : raw.substring(0, q);
        List<String> out = new java.util.ArrayList<>();
        for (int decodes = 1; decodes <= 2; decodes++) {
            for (boolean paramsFirst : new boolean[] {true, false}) {
                String s = paramsFirst ? dropParams(path) : path;
                for (int d = 0; d < decodes; d++) s = decode(s);
                s = s.replace('\\', '/');
                if (!paramsFirst) s = dropParams(s);
                out.add(foldCase ? s.toLowerCase(Locale.ROOT) : s);
            }
        }
        return out;
    }

    /**
     * RFC 3986 §5.2.4 with repeated slashes collapsed, written apart from the normaliser: a last segment that is empty,
     * or ({@code dotsLeaveSlash}, as Jetty; not as Tomcat 11) {@code .} or {@code ..}, leaves a trailing slash; null
     * when {@code ..} would leave the root.
     */
    static String resolveKeepingSlash(String s, boolean dotsLeaveSlash) {
        Deque<String> segs = new ArrayDeque<>();
        String[] parts = s.split("/", -1);
        boolean slash = false;
        for (int i = 1; i < parts.length; i++) {
            String seg = parts[i];
            slash = seg.isEmpty() || (dotsLeaveSlash && (seg.equals(".") || seg.equals("..")));
            if (seg.equals("..") && segs.pollLast() == null) return null;
            if (!seg.isEmpty() && !seg.equals(".") && !seg.equals("..")) segs.addLast(seg);
        }
        String joined = "/" + String.join("/", segs);
        return slash && !segs.isEmpty() ? joined + "/" : joined;
    }

    static String dropParams(String s) {
        String[] segs = s.split("/", -1);
        for (int i = 0; i < segs.length; i++) {
            int semi = segs[i].indexOf(';');
            if (semi >= 0) segs[i] = segs[i].substring(0, semi);
        }
        return String.join("/", segs);
    }

    /** Lenient percent-decoding: a bad escape stays as it is; bytes as UTF-8 with replacement. */
    static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 2 < in.length && Character.digit(in[i + 1], 16) >= 0 && Character.digit(in[i + 2], 16) >= 0) {
                out.write(Character.digit(in[i + 1], 16) * 16 + Character.digit(in[i + 2], 16));
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Dot segments and empty segments resolved as RFC 3986 §5.2.4 does, clamping {@code ..} at the root. */
    static String resolve(String s) {
        Deque<String> segs = new ArrayDeque<>();
        for (String seg : s.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) continue;
            if (seg.equals("..")) {
                segs.pollLast();
            } else {
                segs.addLast(seg);
            }
        }
        return "/" + String.join("/", segs);
    }
}
