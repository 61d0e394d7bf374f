package dev.keys.core.authz;

/** One address range, in the 128-bit space of {@link IpAddresses}. */
final class Cidr {
    private final long netHi, netLo, maskHi, maskLo;
    private final String text;

    private Cidr(long netHi, long netLo, int prefix128, String text) {
        this.maskHi = prefix128 == 0 ? 0 : prefix128 >= 64 ? -1L : -1L << (64 - prefix128);
        this.maskLo = prefix128 <= 64 ? 0 : prefix128 == 128 ? -1L : -1L << (128 - prefix128);
        this.netHi = netHi;
        this.netLo = netLo;
        this.text = text;
    }

    /**
     * Parses {@code address/prefix}, or a bare address meaning /32 or /128. IPv4 ranges cover IPv4 addresses
     * only ({@code 0.0.0.0/0} is every IPv4 address, not every address); {@code ::/0} covers both families.
     *
     * @throws IllegalArgumentException naming the entry and what is wrong
     */
    static Cidr parse(String text) {
        if (text == null) throw new IllegalArgumentException("CIDR must not be null");
        String t = text.strip();
        int slash = t.indexOf('/');
        int addrEnd = slash < 0 ? t.length() : slash;
        IpAddresses.Parsed a = IpAddresses.parse(t, 0, addrEnd);
        if (a == null) throw new IllegalArgumentException("invalid CIDR \"" + text + "\": not an IPv4 or IPv6 address literal");
        boolean v6Text = t.lastIndexOf(':', addrEnd) >= 0;
        int max = v6Text ? 128 : 32;
        int prefix = max;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9') || (p.length() > 1 && p.charAt(0) == '0'))
                throw new IllegalArgumentException("invalid CIDR \"" + text + "\": prefix length must be a number from 0 to " + max);
            prefix = Integer.parseInt(p);
            if (prefix > max) throw new IllegalArgumentException("invalid CIDR \"" + text + "\": prefix length must be a number from 0 to " + max);
        }
        int prefix128 = v6Text ? prefix : prefix + 96;
        Cidr c = new Cidr(a.hi(), a.lo(), prefix128, t);
        if ((a.hi() & ~c.maskHi) != 0 || (a.lo() & ~c.maskLo) != 0)
            throw new IllegalArgumentException("invalid CIDR \"" + text + "\": address has bits set beyond the /" + prefix + " prefix");
        return c;
    }

    boolean contains(long hi, long lo) {
        return ((hi ^ netHi) & maskHi) == 0 && ((lo ^ netLo) & maskLo) == 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
