package dev.keys.core.authz;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Normalises a request path before route matching, so that no spelling of a path reaches a weaker rule than the
 * path itself. The rules, in order:
 * <ol>
 *   <li>Everything from the first {@code ?} on is the query and is dropped. The path must start with {@code /} and be
 *       at most 8192 characters.</li>
 *   <li>Raw characters must be printable ASCII: control characters, space, non-ASCII, {@code \} and {@code #} are
 *       rejected (clients percent-encode them).</li>
 *   <li>The path is split into segments at raw {@code /}. In each segment, a {@code ;} and what follows (path
 *       parameters such as {@code ;jsessionid=1}) are removed, as servlet containers do; the parameters must still
 *       pass the checks of the next step, so that none hides an encoded separator.</li>
 *   <li>Each segment is percent-decoded once, as strict UTF-8. Rejected: invalid escapes ({@code %}, {@code %G1}),
 *       malformed or overlong UTF-8, and decoded {@code /} ({@code %2F}), {@code \} ({@code %5C}), {@code ;}
 *       ({@code %3B}), {@code %} ({@code %25}: a double encoding such as {@code %252e} is neither decoded twice nor
 *       let through) and control characters ({@code %00}).</li>
 *   <li>Empty segments (repeated slashes) and {@code .} are removed; {@code ..} removes the segment before it, and is
 *       rejected when there is none (escaping the root). {@code %2e%2e} and {@code ..;x} count as {@code ..}.</li>
 *   <li>A trailing slash is kept: it is part of the path (docs/contract.md §4), since a container may hand
 *       {@code /api/hello/} and {@code /api/hello} to different servlets. A last segment that is empty, {@code .} or
 *       {@code ..} leaves one, as RFC 3986 §5.2.4 and Jetty resolve it: {@code /a//}, {@code /a/.} and
 *       {@code /a/b/..} are all {@code /a/}.</li>
 * </ol>
 * The result is {@code /} followed by the segments joined with {@code /}, and a {@code /} after them when the path
 * ends in one ({@code /} for the root). Case is kept: paths are case-sensitive, as in servlet containers ({@link RouteTable} can fold case). A path
 * that needs none of this is returned as is.
 */
public final class PathNormalizer {
    static final int MAX_LENGTH = 8192;

    private PathNormalizer() {
    }

    public static NormalizedPath normalize(String rawPath) {
        if (rawPath == null) return new NormalizedPath.Rejected("no path");
        int q = rawPath.indexOf('?');
        int end = q < 0 ? rawPath.length() : q;
        if (end > MAX_LENGTH) return new NormalizedPath.Rejected("path longer than " + MAX_LENGTH + " characters");
        if (end == 0 || rawPath.charAt(0) != '/') return new NormalizedPath.Rejected("path must start with '/'");
        if (end == 1) return new NormalizedPath.Valid("/");
        boolean simple = true;
        for (int i = 0; i < end; i++) {
            char c = rawPath.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '#')
                return new NormalizedPath.Rejected("character '" + Permissions.printable(c) + "' at index " + i + " is not allowed in a path");
            if (c == '%' || c == ';' || (c == '/' && i + 1 < end && rawPath.charAt(i + 1) == '/') || (c == '.' && rawPath.charAt(i - 1) == '/'))
                simple = false;
        }
        if (simple) return new NormalizedPath.Valid(end == rawPath.length() ? rawPath : rawPath.substring(0, end));
        return slow(rawPath, end);
    }

    private static NormalizedPath slow(String raw, int end) {
        StringBuilder out = new StringBuilder(end);
        int[] starts = new int[16];
        int depth = 0;
        int s = 1;
        boolean trailingSlash = false;
        while (s <= end) {
            int e = raw.indexOf('/', s);
            if (e < 0 || e > end) e = end;
            int contentEnd = s;
            while (contentEnd < e && raw.charAt(contentEnd) != ';') contentEnd++;
            int before = out.length();
            out.append('/');
            int mark = out.length();
            String problem = decodeInto(out, raw, s, contentEnd);
            // Parameters are dropped, but not unchecked: an application that decodes before cutting them would see
            // an encoded '/', '\' or '%' in them ("/;%2fadmin") as part of its path.
            if (problem == null && contentEnd < e) problem = decodeInto(new StringBuilder(), raw, contentEnd + 1, e);
            if (problem != null) return new NormalizedPath.Rejected(problem);
            int len = out.length() - mark;
            trailingSlash = true;
            if (len == 0 || (len == 1 && out.charAt(mark) == '.')) {
                out.setLength(before);
            } else if (len == 2 && out.charAt(mark) == '.' && out.charAt(mark + 1) == '.') {
                if (depth == 0) return new NormalizedPath.Rejected("'..' at index " + s + " escapes the root");
                out.setLength(starts[--depth]);
            } else {
                if (depth == starts.length) starts = java.util.Arrays.copyOf(starts, depth * 2);
                starts[depth++] = before;
                trailingSlash = false;
            }
            s = e + 1;
        }
        // Only the last segment's kind counts: "/a/./b" has no trailing slash, "/a/b/." has one.
        if (out.length() == 0 || trailingSlash) out.append('/');
        return new NormalizedPath.Valid(out.toString());
    }

    /**
     * Whether the last segment of a path that {@link #normalize} accepted is {@code .} or {@code ..} (also encoded,
     * or with {@code ;} parameters): the spelling that containers resolve differently.
     */
    static boolean endsInDotSegment(String rawPath) {
        int q = rawPath.indexOf('?');
        int end = q < 0 ? rawPath.length() : q;
        int from = rawPath.lastIndexOf('/', end - 1) + 1;
        int semi = rawPath.indexOf(';', from);
        if (semi >= 0 && semi < end) end = semi;
        String seg = rawPath.substring(from, end).replace("%2e", ".").replace("%2E", ".");
        return seg.equals(".") || seg.equals("..");
    }

    /** Appends the decoded segment {@code raw[from, to)}; returns why it is rejected, or null. */
    private static String decodeInto(StringBuilder out, String raw, int from, int to) {
        int pct = raw.indexOf('%', from);
        if (pct < 0 || pct >= to) {
            out.append(raw, from, to);
            return null;
        }
        byte[] bytes = new byte[to - from];
        int n = 0;
        boolean ascii = true;
        for (int i = from; i < to; i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                bytes[n++] = (byte) c;
                continue;
            }
            int hi = i + 2 < to ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int lo = i + 2 < to ? Character.digit(raw.charAt(i + 2), 16) : -1;
            if (hi < 0 || lo < 0) return "invalid percent-encoding at index " + i;
            int b = (hi << 4) | lo;
            if (b >= 0x80) ascii = false;
            bytes[n++] = (byte) b;
            i += 2;
        }
        CharSequence decoded;
        if (ascii) {
            decoded = new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
        } else {
            try {
                decoded = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, n));
            } catch (CharacterCodingException e) {
                return "percent-encoded bytes at index " + from + " are not valid UTF-8";
            }
        }
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            String what = c == '/' ? "'/' (%2F) inside a segment"
                    : c == '\\' ? "'\\' (%5C)"
                    : c == '%' ? "'%' (%25): double encoding is not decoded twice"
                    : c == ';' ? "';' (%3B)"
                    : Character.isISOControl(c) ? "control character " + Permissions.printable(c)
                    : null;
            if (what != null) return "encoded " + what + " in the segment at index " + from + " is not allowed";
        }
        if (decoded instanceof CharBuffer cb) out.append(cb);
        else out.append(decoded);
        return null;
    }
}
