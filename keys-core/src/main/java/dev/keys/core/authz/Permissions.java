package dev.keys.core.authz;

import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable, compiled set of granted permissions, asked whether it implies a required one.
 *
 * <p>Syntax: {@code resource:action[:instance]}, two or three segments separated by {@code :}; a segment is
 * {@code *} or one or more of {@code [A-Za-z0-9._~@+-]}. Matching is case-sensitive. A granted segment {@code *}
 * matches any required segment; a required {@code *} is met only by a granted {@code *}. A missing instance
 * segment is a wildcard on both sides, so {@code documents:read} grants {@code documents:read:42}, and requiring
 * {@code documents:read} needs a grant of the whole action, not of one instance.
 *
 * <p>Design: every permission is held in canonical three-segment form. A granted permission has one of eight
 * <em>shapes</em> (which of its segments are {@code *}). A required permission, compiled once in a
 * {@link PermissionQuery}, carries for each shape the one granted string that would imply it. So a check is one
 * open-addressing lookup per shape present in this set (typically one or two); it allocates nothing. Canonical
 * strings on both sides are interned ({@link String#intern()}), so a hit is a reference comparison; the character
 * comparison behind it only runs when two different strings share a hash. Interning also shares the strings of
 * role-derived permissions between the cached entries of many keys.
 */
public final class Permissions {

    /** No permission at all. */
    public static final Permissions NONE = new Permissions(Set.of(), new String[1], new int[1], 0);

    static final int SEGMENTS = 3;
    private static final int SHAPES = 1 << SEGMENTS;

    private final Set<String> granted;
    private final String[] table;
    private final int[] hashes;
    private final int mask;
    /** Bit {@code s} is set when some granted permission has shape {@code s}. */
    private final int shapes;

    private Permissions(Set<String> granted, String[] table, int[] hashes, int shapes) {
        this.granted = granted;
        this.table = table;
        this.hashes = hashes;
        this.mask = table.length - 1;
        this.shapes = shapes;
    }

    /**
     * Compiles a set of granted permissions.
     *
     * @throws IllegalArgumentException naming the first permission whose syntax is wrong
     */
    public static Permissions compile(Collection<String> granted) {
        Objects.requireNonNull(granted, "granted");
        if (granted.isEmpty()) return NONE;
        TreeSet<String> display = new TreeSet<>();
        TreeSet<String> canonical = new TreeSet<>();
        int shapes = 0;
        for (String p : granted) {
            String[] seg = segments(p);
            display.add(p);
            canonical.add(join(seg).intern());
            shapes |= 1 << shape(seg);
        }
        int capacity = Integer.highestOneBit(Math.max(2, canonical.size()) * 2 - 1) << 1; // load factor <= 0.5
        String[] table = new String[capacity];
        int[] hashes = new int[capacity];
        for (String c : canonical) {
            int i = spread(c.hashCode()) & (capacity - 1);
            while (table[i] != null) i = (i + 1) & (capacity - 1);
            table[i] = c;
            hashes[i] = c.hashCode();
        }
        return new Permissions(Collections.unmodifiableSet(display), table, hashes, shapes);
    }

    /** The granted permissions as given (without duplicates), sorted. */
    public Set<String> granted() {
        return granted;
    }

    public boolean isEmpty() {
        return granted.isEmpty();
    }

    /**
     * Whether this set implies {@code required}. Parses its argument, so it allocates; the hot path uses a compiled
     * {@link PermissionQuery} instead.
     *
     * @throws IllegalArgumentException when {@code required} is not a valid permission
     */
    public boolean implies(String required) {
        return holds(Term.of(required));
    }

    boolean holds(Term term) {
        String[] candidates = term.candidates;
        int s = shapes;
        while (s != 0) {
            int shape = Integer.numberOfTrailingZeros(s);
            s &= s - 1;
            if (contains(candidates[shape])) return true;
        }
        return false;
    }

    private boolean contains(String c) {
        int h = c.hashCode();
        String[] t = table;
        int i = spread(h) & mask;
        for (;;) {
            String e = t[i];
            if (e == c) return true;
            if (e == null) return false;
            if (hashes[i] == h && e.equals(c)) return true;
            i = (i + 1) & mask;
        }
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    /** Whether {@code permission} is syntactically valid. */
    public static boolean isValid(String permission) {
        try {
            segments(permission);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Checks the syntax of one permission.
     *
     * @throws IllegalArgumentException with a message naming the permission and what is wrong
     */
    public static void validate(String permission) {
        segments(permission);
    }

    /** The three canonical segments; a missing instance is {@code *}. */
    static String[] segments(String p) {
        if (p == null) throw new IllegalArgumentException("permission must not be null");
        String problem = problem(p);
        if (problem != null) throw new IllegalArgumentException("invalid permission \"" + p + "\": " + problem);
        String[] seg = new String[SEGMENTS];
        int start = 0, n = 0;
        for (int i = 0; i <= p.length(); i++) {
            if (i == p.length() || p.charAt(i) == ':') {
                seg[n++] = p.substring(start, i);
                start = i + 1;
            }
        }
        if (n == 2) seg[2] = "*";
        return seg;
    }

    private static String problem(String p) {
        if (p.isEmpty()) return "it is empty; expected resource:action[:instance]";
        int n = 0, segStart = 0;
        boolean star = false;
        for (int i = 0; i <= p.length(); i++) {
            char c = i == p.length() ? ':' : p.charAt(i);
            if (c == ':') {
                if (++n > SEGMENTS) return "more than 3 segments; expected resource:action[:instance]";
                if (i == segStart) return "segment " + n + " is empty; expected resource:action[:instance]";
                if (star && i - segStart != 1) return "'*' must be a whole segment";
                segStart = i + 1;
                star = false;
            } else if (c == '*') {
                star = true;
            } else if (!segmentChar(c)) {
                return "character '" + printable(c) + "' at index " + i + " is not allowed (use A-Z a-z 0-9 . _ ~ @ + - or a whole '*')";
            }
        }
        if (n < 2) return "only one segment; expected resource:action[:instance]";
        return null;
    }

    static boolean segmentChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '~' || c == '@' || c == '+' || c == '-';
    }

    static String printable(char c) {
        return c < 0x20 || c >= 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    static int shape(String[] seg) {
        int s = 0;
        for (int i = 0; i < SEGMENTS; i++) if (seg[i].equals("*")) s |= 1 << i;
        return s;
    }

    static String join(String[] seg) {
        return seg[0] + ':' + seg[1] + ':' + seg[2];
    }

    /** One required permission, compiled: for each shape, the granted string that would imply it. */
    static final class Term {
        final String text;
        final String[] candidates = new String[SHAPES];

        private Term(String text, String[] seg) {
            this.text = text;
            for (int shape = 0; shape < SHAPES; shape++) {
                String[] c = new String[SEGMENTS];
                for (int i = 0; i < SEGMENTS; i++) c[i] = (shape & (1 << i)) != 0 ? "*" : seg[i];
                String s = join(c).intern();
                s.hashCode(); // computed now, not on the first request
                candidates[shape] = s;
            }
        }

        static Term of(String text) {
            return new Term(text, segments(text));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Permissions other && granted.equals(other.granted);
    }

    @Override
    public int hashCode() {
        return granted.hashCode();
    }

    @Override
    public String toString() {
        return "Permissions" + granted;
    }
}
