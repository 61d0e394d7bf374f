package dev.keys.redis;

import dev.keys.api.ApiKey;
import dev.keys.api.RateLimit;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The compiled Redis side of one key's limits: its lanes, the hashes they live in, and the script's arguments.
 *
 * <p>Names. A key's own bandwidths are fields of {@code {<prefix>:k:<key id>}:k:<key id>}; owner-wide ones of
 * {@code {<prefix>:o:<tenant>:<owner>}:o}, tenant-wide ones of {@code {<prefix>:t:<tenant>}:t}, so that every key
 * naming the same owner bandwidth meets in the same field. A field is named by the bandwidth itself
 * ({@code name/limit/duration/burst}): keys that differ in it count apart. Every id is percent-encoded so that no
 * tenant, owner or key id can end a hash tag or run into the next part. The braces are the hash tag, which Redis
 * Cluster uses to keep a hash in one slot; a key that has owner-wide (or tenant-wide) bandwidths keeps its own hash
 * under the owner's (or tenant's) tag, so that one script can take them together. Only a key with both owner- and
 * tenant-wide bandwidths spans two slots.
 */
final class Plan {
    /** The script's empty argument: no lease, no report. */
    static final byte[] NONE = new byte[0];
    static final byte[] TAKE = ascii("take"), PEEK = ascii("peek"), GIVE = ascii("give");
    final Lane[] lanes;
    final String[] keys;
    private final byte[][] ttls;
    private final byte[][] keyIndexes;
    private final byte[] laneCount;

    Plan(ApiKey key, List<RateLimit> limits, String prefix, Duration idle) {
        boolean owner = false, tenant = false;
        for (RateLimit l : limits) {
            owner |= l.scope() == RateLimit.Scope.OWNER;
            tenant |= l.scope() == RateLimit.Scope.TENANT;
        }
        String ownerTag = "o:" + encode(key.tenant()) + ":" + encode(key.ownerId());
        String tenantTag = "t:" + encode(key.tenant());
        String keyTag = owner ? ownerTag : tenant ? tenantTag : "k:" + encode(key.id());
        List<String> names = new ArrayList<>();
        this.lanes = new Lane[limits.size()];
        for (int i = 0; i < lanes.length; i++) {
            RateLimit l = limits.get(i);
            String hash = switch (l.scope()) {
                case KEY -> "{" + prefix + ":" + keyTag + "}:k:" + encode(key.id());
                case OWNER -> "{" + prefix + ":" + ownerTag + "}:o";
                case TENANT -> "{" + prefix + ":" + tenantTag + "}:t";
            };
            int at = names.indexOf(hash);
            if (at < 0) {
                at = names.size();
                names.add(hash);
            }
            lanes[i] = new Lane(l, at);
        }
        this.keys = names.toArray(String[]::new);
        long[] ttl = new long[keys.length];
        for (Lane l : lanes) ttl[l.key] = Math.max(ttl[l.key], ttlMillis(l, idle));
        this.ttls = new byte[keys.length][];
        for (int i = 0; i < ttls.length; i++) ttls[i] = ascii(Long.toString(ttl[i]));
        this.keyIndexes = new byte[lanes.length][];
        for (int i = 0; i < lanes.length; i++) keyIndexes[i] = ascii(Integer.toString(lanes[i].key + 1));
        this.laneCount = ascii(Integer.toString(lanes.length));
    }

    /** How long a hash must outlive its last write: until the lane is full again, plus leases and clock skew. */
    private static long ttlMillis(Lane lane, Duration idle) {
        BigInteger ms = lane.horizon.divide(lane.perNano).divide(BigInteger.valueOf(1_000_000)).add(BigInteger.valueOf(idle.toMillis() + 1));
        return ms.bitLength() < 53 ? ms.longValue() : 1L << 53; // beyond 285,000 years
    }

    static String encode(String id) {
        StringBuilder b = new StringBuilder(id.length());
        for (int i = 0; i < id.length(); ) {
            int c = id.codePointAt(i);
            i += Character.charCount(c);
            if (c == '%' || c == '{' || c == '}' || c == ':' || c <= ' ' || c >= 0x7f) {
                for (byte x : new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8)) b.append('%').append(String.format("%02X", x & 0xff));
            } else {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    /**
     * The script's ARGV. {@code reports} holds per lane the report of lease {@code reportId} (null when there is none);
     * a lease of {@code leaseSize} tokens is asked for under {@code leaseId} unless it could not fit any lane anyway.
     * Only the time (and a cost other than 1) is encoded per call; the rest was encoded when the plan was made.
     */
    byte[][] args(byte[] op, long now, long cost, String reportId, byte[][] reports, String leaseId, long leaseExpiry, long leaseSize) {
        byte[][] a = new byte[6 + keys.length + 7 * lanes.length][];
        a[0] = op;
        a[1] = laneCount;
        a[2] = Lane.nanos(now);
        a[3] = ascii(reportId);
        System.arraycopy(ttls, 0, a, 6, ttls.length);
        boolean lease = leaseSize > 0;
        int at = 6 + keys.length;
        for (int i = 0; i < lanes.length; i++, at += 7) {
            Lane l = lanes[i];
            a[at] = keyIndexes[i];
            a[at + 1] = l.field;
            a[at + 2] = Lane.bytes(l.at(now));
            a[at + 3] = l.cost(cost);
            a[at + 4] = l.room(cost);
            a[at + 5] = reports == null ? NONE : reports[i];
            a[at + 6] = NONE;
            if (lease) {
                BigInteger units = l.tokens(leaseSize);
                BigInteger room = l.horizon.subtract(l.tokens(cost)).subtract(units);
                if (room.signum() < 0) lease = false;
                else a[at + 6] = Lane.put(room, Lane.put(units, new byte[2 * Lane.WIDTH], 0), Lane.WIDTH);
            }
        }
        if (!lease) for (int i = 0; i < lanes.length; i++) a[6 + keys.length + 7 * i + 6] = NONE;
        a[4] = lease ? ascii(leaseId) : NONE;
        a[5] = lease ? Lane.nanos(leaseExpiry) : NONE;
        return a;
    }

    static byte[] ascii(String s) {
        return s.isEmpty() ? NONE : s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The script's answer: 0 refused, 1 taken, 2 taken and leased; per lane what it owes after the call (other leases
     * included), when it is full again counting from the time it was judged at (a view, in lane units), and what
     * other leases hold.
     */
    record Reply(int status, BigInteger[] debts, BigInteger[] views, BigInteger[] outs) {
        boolean taken() {
            return status > 0;
        }
    }

    Reply reply(List<Object> r, long now) {
        if (r.size() != 1 + 2 * lanes.length) throw new IllegalStateException("unexpected reply of " + r.size() + " values");
        // a lane's value is its tat and the time it was judged at; an empty one was never used
        BigInteger[] debts = new BigInteger[lanes.length];
        BigInteger[] views = new BigInteger[lanes.length];
        BigInteger[] outs = new BigInteger[lanes.length];
        for (int i = 0; i < lanes.length; i++) {
            byte[] value = (byte[]) r.get(1 + 2 * i);
            byte[] out = (byte[]) r.get(2 + 2 * i);
            BigInteger judged = lanes[i].at(now);
            BigInteger tat = BigInteger.ZERO;
            if (value.length > 0) {
                tat = Lane.number(value, 0);
                judged = judged.max(Lane.number(value, Lane.WIDTH));
            }
            outs[i] = out.length == 0 ? BigInteger.ZERO : Lane.number(out, 0);
            views[i] = tat.max(judged);
            debts[i] = views[i].subtract(judged).add(outs[i]);
        }
        return new Reply(((Long) r.get(0)).intValue(), debts, views, outs);
    }
}
