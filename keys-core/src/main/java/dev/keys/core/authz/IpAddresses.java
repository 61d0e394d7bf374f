package dev.keys.core.authz;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * IP literals as 128-bit values (two longs); IPv4 as its IPv4-mapped IPv6 form {@code ::ffff:a.b.c.d}, so that one
 * comparison serves both families and {@code ::ffff:10.0.0.1} is {@code 10.0.0.1}. Our own parser, because
 * {@link InetAddress#getByName} would resolve a host name through DNS. The one parser of IP literals: conditions,
 * trusted proxies and the servlet side ({@link #literal}) all read addresses through it.
 */
public final class IpAddresses {
    static final long MAPPED_V4 = 0x0000_ffff_0000_0000L;

    private IpAddresses() {
    }

    /**
     * The address an IP literal names, never asking DNS: a dotted quad (no leading zeros), or IPv6, also in
     * brackets and with a zone ({@code %eth0}, dropped: conditions compare addresses only). Anything else, a host
     * name included, is empty.
     */
    public static Optional<InetAddress> literal(String text) {
        if (text == null) return Optional.empty();
        int from = 0, to = text.length();
        if (to >= 2 && text.charAt(0) == '[' && text.charAt(to - 1) == ']') {
            from = 1;
            to--;
        }
        int zone = text.indexOf('%', from);
        if (zone >= 0 && zone < to) {
            if (zone == to - 1 || text.lastIndexOf(':', zone) < 0) return Optional.empty();
            to = zone;
        }
        Parsed p = parse(text, from, to);
        return p == null ? Optional.empty() : Optional.of(toInetAddress(p.hi(), p.lo()));
    }

    /** A parsed literal: {@code hi}, {@code lo}, and whether it was written as IPv4 (or IPv4-mapped IPv6). */
    record Parsed(long hi, long lo, boolean v4Text) {
        boolean isV4() {
            return hi == 0 && (lo & 0xffff_ffff_0000_0000L) == MAPPED_V4;
        }
    }

    /** Parses {@code s[from, to)} as an IPv4 or IPv6 literal (no zone, no brackets), or returns null. */
    static Parsed parse(String s, int from, int to) {
        if (from >= to) return null;
        boolean colon = false;
        for (int i = from; i < to; i++) if (s.charAt(i) == ':') { colon = true; break; }
        if (!colon) {
            long v4 = parseV4(s, from, to);
            return v4 < 0 ? null : new Parsed(0, MAPPED_V4 | v4, true);
        }
        return parseV6(s, from, to);
    }

    /** Dotted quad, each part 0 to 255 without leading zeros (which some parsers read as octal); -1 when invalid. */
    static long parseV4(String s, int from, int to) {
        long v = 0;
        int parts = 0, i = from;
        while (parts < 4) {
            int start = i, n = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) n = n * 10 + (s.charAt(i++) - '0');
            if (i == start || n > 255 || (s.charAt(start) == '0' && i - start > 1)) return -1;
            v = (v << 8) | n;
            parts++;
            if (parts < 4) {
                if (i >= to || s.charAt(i) != '.') return -1;
                i++;
            }
        }
        return i == to ? v : -1;
    }

    private static Parsed parseV6(String s, int from, int to) {
        int[] groups = new int[8];
        int n = 0, gap = -1, i = from;
        boolean v4Tail = false;
        if (s.startsWith("::", from)) {
            gap = 0;
            i = from + 2;
            if (i == to) return new Parsed(0, 0, false);
        } else if (s.charAt(from) == ':') {
            return null;
        }
        while (i < to) {
            int start = i, g = 0;
            while (i < to && i - start < 5 && Character.digit(s.charAt(i), 16) >= 0) g = (g << 4) | Character.digit(s.charAt(i++), 16);
            if (i < to && s.charAt(i) == '.') {
                long v4 = parseV4(s, start, to);
                if (v4 < 0 || n > 6) return null;
                groups[n++] = (int) (v4 >>> 16);
                groups[n++] = (int) (v4 & 0xffff);
                v4Tail = true;
                i = to;
                break;
            }
            if (i == start || i - start > 4 || n == 8) return null;
            groups[n++] = g;
            if (i == to) break;
            if (s.charAt(i) != ':') return null;
            i++;
            if (i < to && s.charAt(i) == ':') {
                if (gap >= 0) return null;
                gap = n;
                i++;
                if (i == to) break;
            } else if (i == to) {
                return null;
            }
        }
        if (gap < 0 && n != 8) return null;
        if (gap >= 0 && n > 7) return null;
        int[] full = new int[8];
        if (gap < 0) {
            System.arraycopy(groups, 0, full, 0, 8);
        } else {
            System.arraycopy(groups, 0, full, 0, gap);
            int tail = n - gap;
            System.arraycopy(groups, gap, full, 8 - tail, tail);
        }
        long hi = 0, lo = 0;
        for (int k = 0; k < 4; k++) hi = (hi << 16) | full[k];
        for (int k = 4; k < 8; k++) lo = (lo << 16) | full[k];
        Parsed p = new Parsed(hi, lo, false);
        return new Parsed(hi, lo, v4Tail && p.isV4());
    }

    /** {@code [hi, lo]} of an address; IPv4 in mapped form. Allocates the address copy {@code getAddress} returns. */
    static long hi(byte[] a) {
        if (a.length == 4) return 0;
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (a[i] & 0xff);
        return v;
    }

    static long lo(byte[] a) {
        long v = 0;
        if (a.length == 4) {
            for (int i = 0; i < 4; i++) v = (v << 8) | (a[i] & 0xff);
            return MAPPED_V4 | v;
        }
        for (int i = 8; i < 16; i++) v = (v << 8) | (a[i] & 0xff);
        return v;
    }

    /** The address for a parsed literal, without any name lookup; IPv4-mapped values become {@link java.net.Inet4Address}. */
    static InetAddress toInetAddress(long hi, long lo) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes is a valid address length", e);
        }
    }
}
