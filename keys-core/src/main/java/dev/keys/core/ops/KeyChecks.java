package dev.keys.core.ops;

import dev.keys.api.ApiKey;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStatus;
import dev.keys.api.KeyStore;
import dev.keys.api.LastUseSource;
import dev.keys.api.Lease;
import dev.keys.api.Page;
import dev.keys.api.StoreException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The alert rules read from the key store rather than from requests: {@link AlertRule#unused} and
 * {@link AlertRule#expiringWithin}, for an {@link AlertingUsageSink}.
 *
 * <p>Fleet. With a {@link Lease} (a {@code JdbcLease} shared by the instances), a periodic round runs only on the
 * instance that holds the lease {@value AlertingUsageSink#DEFAULT_LEASE}, as the {@code Sweeper}'s rounds do. An
 * expiring key is also checked on the instance whose {@code KeyManager} wrote it, which need not hold that lease:
 * so each expiring alert is first claimed, as a lease of its own named after the rule, the key and the expiry
 * instant, taken under an owner used for that claim only and held until past the expiry. Of all the instances that
 * try, one takes it and sends the alert; the others find it held. A claim that cannot be answered (the store down)
 * sends nothing and is tried again on the next round. Without a lease, every instance checks and remembers in
 * memory only (a single instance).
 */
final class KeyChecks {
    private static final System.Logger LOG = System.getLogger(KeyChecks.class.getName());
    private static final int MAX_LEASE_NAME = 128;

    private final List<AlertRule> unused, expiring;
    private final KeyStore store;
    private final LastUseSource lastUse;
    private final Optional<Lease> lease;
    private final String owner = "alerts-" + UUID.randomUUID();
    private final AtomicLong claims = new AtomicLong();
    private final Duration leaseTtl;
    private final Consumer<Alert> deliver;
    // Guarded by this.
    private final Map<String, Instant> unusedFired = new HashMap<>();
    private final Map<String, Instant> expiringFired;

    KeyChecks(List<AlertRule> rules, KeyStore store, LastUseSource lastUse, Optional<Lease> lease, Duration leaseTtl, int maxTracked,
              Consumer<Alert> deliver) {
        this.unused = rules.stream().filter(r -> r.kind == AlertRule.Kind.UNUSED).toList();
        this.expiring = rules.stream().filter(r -> r.kind == AlertRule.Kind.EXPIRING).toList();
        if (!unused.isEmpty() && (store == null || lastUse == null)) throw new IllegalStateException("the unused rule needs keys(store, lastUseSource)");
        if (!expiring.isEmpty() && store == null) throw new IllegalStateException("the expiring rule needs keys(store) (or keys(store, lastUseSource))");
        this.store = store;
        this.lastUse = lastUse;
        this.lease = Objects.requireNonNull(lease, "lease");
        this.leaseTtl = leaseTtl;
        this.deliver = deliver;
        this.expiringFired = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
                return size() > maxTracked;
            }
        };
    }

    boolean any() {
        return !unused.isEmpty() || !expiring.isEmpty();
    }

    boolean expiring() {
        return !expiring.isEmpty();
    }

    /** One round over every key, when this instance holds the lease (or there is none). @return the alerts delivered */
    synchronized int round(Instant now) {
        if (!any()) return 0;
        if (lease.isPresent()) {
            try {
                if (!lease.get().tryAcquire(AlertingUsageSink.DEFAULT_LEASE, owner, leaseTtl)) return 0;
            } catch (StoreException.Unavailable e) {
                LOG.log(System.Logger.Level.WARNING, "alert checks skipped: lease unavailable: {0}", e.getMessage());
                return 0;
            }
        }
        int fired = 0;
        Optional<String> cursor = Optional.empty();
        do {
            Page<ApiKey> page = store.list(new KeyQuery(Optional.empty(), Optional.empty(), KeyQuery.MAX_LIMIT, cursor));
            List<ApiKey> active = page.items().stream().filter(k -> k.status() == KeyStatus.ACTIVE).toList();
            if (!unused.isEmpty()) fired += unused(active, now);
            for (ApiKey k : active) fired += expiring(k, now);
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        return fired;
    }

    /** A key the {@code KeyManager} wrote: an expiry inside a window alerts now, not at the next round. */
    synchronized void written(ApiKey k, Instant now) {
        if (k.status() == KeyStatus.ACTIVE) expiring(k, now);
    }

    private int unused(List<ApiKey> active, Instant now) {
        Map<String, Instant> last = active.isEmpty() ? Map.of() : lastUse.lastUses(active.stream().map(ApiKey::id).toList());
        int fired = 0;
        for (ApiKey k : active) {
            Instant since = last.getOrDefault(k.id(), k.createdAt());
            if (since.isBefore(k.createdAt())) since = k.createdAt();
            for (AlertRule r : unused) {
                if (Duration.between(since, now).compareTo(r.window) < 0) continue;
                String mark = r.name + '\u0000' + k.id();
                if (since.equals(unusedFired.get(mark))) continue;
                unusedFired.put(mark, since);
                long days = Duration.between(since, now).toDays();
                deliver.accept(new Alert(r.name, r.kind(), Optional.of(k.id()), Optional.of(k.tenant()), Optional.of(k.ownerId()), Optional.empty(),
                        since, now, days, r.window.toDays(), days, "key " + k.id() + " has not been used since " + since + " (" + days + " days)"));
                fired++;
            }
        }
        return fired;
    }

    private int expiring(ApiKey k, Instant now) {
        if (expiring.isEmpty() || k.expiresAt().isEmpty()) return 0;
        Instant at = k.expiresAt().get();
        if (!now.isBefore(at)) return 0;
        Duration left = Duration.between(now, at);
        int fired = 0;
        for (AlertRule r : expiring) {
            if (left.compareTo(r.window) > 0) continue;
            String mark = r.name + '\u0000' + k.id();
            if (at.equals(expiringFired.get(mark))) continue;
            Optional<Boolean> won = claim(r, k.id(), at, left);
            if (won.isEmpty()) continue; // unanswered: the next round tries again
            expiringFired.put(mark, at);
            if (!won.get()) continue;    // another instance sent it
            long seconds = left.toSeconds();
            deliver.accept(new Alert(r.name, r.kind(), Optional.of(k.id()), Optional.of(k.tenant()), Optional.of(k.ownerId()), Optional.empty(),
                    at.minus(r.window), at, seconds, r.window.toSeconds(), seconds,
                    "key " + k.id() + " expires at " + at + ", in " + describe(left) + " (within " + r.window + ")"));
            fired++;
        }
        return fired;
    }

    /** Whether this instance sends the alert: true without a lease; empty when the lease cannot answer. */
    private Optional<Boolean> claim(AlertRule r, String keyId, Instant at, Duration left) {
        if (lease.isEmpty()) return Optional.of(true);
        String name = claimName(r.name, keyId, at);
        try {
            // Held until well past the expiry, so that no instance whose clock lags finds the claim expired in time.
            return Optional.of(lease.get().tryAcquire(name, owner + "#" + claims.incrementAndGet(), left.plus(r.window).plusSeconds(1)));
        } catch (StoreException.Unavailable e) {
            LOG.log(System.Logger.Level.WARNING, "expiring alert for key {0} not claimed (retried next round): {1}", keyId, e.getMessage());
            return Optional.empty();
        }
    }

    static String claimName(String rule, String keyId, Instant at) {
        String name = "alert:" + rule + ":" + keyId + ":" + at.getEpochSecond();
        if (name.length() <= MAX_LEASE_NAME) return name;
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return "alert:" + HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static String describe(Duration d) {
        long days = d.toDays();
        return days >= 1 ? days + (days == 1 ? " day" : " days") : d.toHours() >= 1 ? d.toHours() + " hours" : Math.max(1, d.toMinutes()) + " minutes";
    }

    /** Gives the round's lease up, so that another instance takes the rounds over at once. */
    void release() {
        lease.ifPresent(l -> {
            try {
                l.release(AlertingUsageSink.DEFAULT_LEASE, owner);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "alert lease not released (it expires by itself): {0}", e.getMessage());
            }
        });
    }
}
