package dev.keys.core.authz;

import dev.keys.api.ApiKey;
import dev.keys.api.RequestContext;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The client address (after the {@link TrustedProxies} rule) lies in one of the ranges. A request without a client
 * address fails. A check allocates the copy {@link InetAddress#getAddress()} returns (4 or 16 bytes).
 */
public final class IpCondition implements Condition {
    private final Cidr[] ranges;
    private final String description;

    private IpCondition(List<Cidr> ranges, String note) {
        this.ranges = ranges.toArray(new Cidr[0]);
        List<String> texts = new ArrayList<>();
        for (Cidr c : ranges) texts.add(c.toString());
        this.description = "ip " + String.join(", ", texts) + note;
    }

    /**
     * Ranges as CIDR strings; a bare address means /32 or /128.
     *
     * @throws IllegalArgumentException naming the first invalid entry
     */
    public static IpCondition of(Collection<String> cidrs) {
        if (cidrs.isEmpty()) throw new IllegalArgumentException("ip: expected at least one CIDR range");
        List<Cidr> out = new ArrayList<>();
        for (String c : cidrs) out.add(Cidr.parse(c));
        return new IpCondition(out, "");
    }

    /**
     * A key's stored {@code ipAllowlist}, compiled to fail closed: invalid entries are left out (narrowing the
     * list), and a list whose entries are all invalid admits no address. Empty when the list is empty.
     */
    public static Optional<IpCondition> ofAllowlist(List<String> allowlist, List<String> problems) {
        if (allowlist.isEmpty()) return Optional.empty();
        List<Cidr> out = new ArrayList<>();
        int invalid = 0;
        for (String c : allowlist) {
            try {
                out.add(Cidr.parse(c));
            } catch (IllegalArgumentException e) {
                problems.add("ipAllowlist: " + e.getMessage());
                invalid++;
            }
        }
        return Optional.of(new IpCondition(out, invalid == 0 ? "" : out.isEmpty() ? " (no valid range)" : " (" + invalid + " invalid entries left out)"));
    }

    /** Checks the syntax of one CIDR entry, e.g. for an admin API. */
    public static void validate(String cidr) {
        Cidr.parse(cidr);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        long hi = IpAddresses.hi(a), lo = IpAddresses.lo(a);
        for (Cidr c : ranges) if (c.contains(hi, lo)) return true;
        return false;
    }

    @Override
    public boolean test(ApiKey key, RequestContext request, long nowNanos) {
        Optional<InetAddress> a = request.clientAddress();
        return a.isPresent() && contains(a.get());
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return description;
    }
}
