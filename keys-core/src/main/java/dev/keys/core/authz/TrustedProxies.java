package dev.keys.core.authz;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Which peers may report the client address in {@code X-Forwarded-For}. The header is never taken at face value:
 * starting from the socket peer, the walk goes from the rightmost entry leftwards while the current hop is a
 * trusted proxy, and returns the first address that is not trusted. Each proxy appends the address it saw, so the
 * entries right of that point were written by proxies we trust and the rest by someone we do not.
 *
 * <ul>
 *   <li>An untrusted peer: the peer; its header is ignored.</li>
 *   <li>An entry that is not an IP literal ({@code unknown}, a host name, garbage): the walk stops at the hop that
 *       reported it, whose address is returned.</li>
 *   <li>Every entry trusted: the leftmost entry.</li>
 *   <li>Several header lines are read as one list, in order. Entries may carry a port ({@code 1.2.3.4:80},
 *       {@code [2001:db8::1]:443}). The RFC 7239 {@code Forwarded} header is not read.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class TrustedProxies {

    /** Trusts no proxy: the client address is always the socket peer. */
    public static final TrustedProxies NONE = new TrustedProxies(List.of(), List.of());

    private final Cidr[] ranges;
    private final List<String> texts;

    private TrustedProxies(List<Cidr> ranges, List<String> texts) {
        this.ranges = ranges.toArray(new Cidr[0]);
        this.texts = List.copyOf(texts);
    }

    /**
     * @param cidrs ranges of the trusted proxies' addresses; a bare address means /32 or /128
     * @throws IllegalArgumentException naming the first invalid entry
     */
    public static TrustedProxies of(Collection<String> cidrs) {
        if (cidrs.isEmpty()) return NONE;
        List<Cidr> out = new ArrayList<>();
        for (String c : cidrs) out.add(Cidr.parse(c));
        return new TrustedProxies(out, new ArrayList<>(cidrs));
    }

    /** The configured ranges, as given. */
    public List<String> ranges() {
        return texts;
    }

    public boolean isTrusted(InetAddress address) {
        byte[] a = address.getAddress();
        return trusted(IpAddresses.hi(a), IpAddresses.lo(a));
    }

    private boolean trusted(long hi, long lo) {
        for (Cidr c : ranges) if (c.contains(hi, lo)) return true;
        return false;
    }

    /**
     * The client's address.
     *
     * @param peer                       the address of the socket peer
     * @param xForwardedForHeaderValues  every {@code X-Forwarded-For} header line of the request, in order
     */
    public InetAddress clientAddress(InetAddress peer, List<String> xForwardedForHeaderValues) {
        if (ranges.length == 0 || !isTrusted(peer)) return peer;
        InetAddress current = peer;
        for (int h = xForwardedForHeaderValues.size() - 1; h >= 0; h--) {
            String v = xForwardedForHeaderValues.get(h);
            int end = v.length();
            while (end >= 0) {
                int comma = v.lastIndexOf(',', end - 1);
                int from = comma + 1, to = end;
                while (from < to && Character.isWhitespace(v.charAt(from))) from++;
                while (to > from && Character.isWhitespace(v.charAt(to - 1))) to--;
                IpAddresses.Parsed p = entry(v, from, to);
                if (p == null) return current;
                InetAddress a = IpAddresses.toInetAddress(p.hi(), p.lo());
                if (!trusted(p.hi(), p.lo())) return a;
                current = a;
                if (comma < 0) break;
                end = comma;
            }
        }
        return current;
    }

    /** One entry, with an optional port: {@code 1.2.3.4}, {@code 1.2.3.4:80}, {@code 2001:db8::1}, {@code [2001:db8::1]:80}. */
    private static IpAddresses.Parsed entry(String v, int from, int to) {
        if (from >= to) return null;
        if (v.charAt(from) == '[') {
            int close = v.indexOf(']', from);
            if (close < 0 || close > to) return null;
            if (close + 1 < to && !port(v, close + 1, to)) return null;
            return IpAddresses.parse(v, from + 1, close);
        }
        int colons = 0, colon = -1;
        for (int i = from; i < to; i++) {
            if (v.charAt(i) == ':') {
                colons++;
                colon = i;
            }
        }
        if (colons == 1) { // IPv4 with a port; IPv6 has at least two colons
            if (!port(v, colon, to)) return null;
            return IpAddresses.parse(v, from, colon);
        }
        return IpAddresses.parse(v, from, to);
    }

    private static boolean port(String v, int colon, int to) {
        if (v.charAt(colon) != ':' || colon + 1 >= to || to - colon - 1 > 5) return false;
        for (int i = colon + 1; i < to; i++) if (v.charAt(i) < '0' || v.charAt(i) > '9') return false;
        return true;
    }

    @Override
    public String toString() {
        return "TrustedProxies" + texts;
    }
}
