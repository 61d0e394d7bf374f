package dev.keys.micrometer;

import dev.keys.api.Clock;
import dev.keys.api.Outcome;
import dev.keys.api.UsageSink;
import dev.keys.core.ops.ObservingVerifier;
import dev.keys.core.ops.VerificationEvent;
import dev.keys.core.ops.VerificationListener;
import dev.keys.api.Background;
import dev.keys.api.UsageEvent;
import dev.keys.core.verify.CredentialVerifier;
import dev.keys.core.verify.Verifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters of verification (Micrometer is an optional dependency of keys-core: only this class needs it).
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>fed by</th></tr>
 * <tr><td>{@code keys.verifications}</td><td>counter</td><td>{@code outcome}, {@code tenant} (and {@code key} when
 * enabled)</td><td>{@link #usageSink} or {@link #observe}</td></tr>
 * <tr><td>{@code keys.verification.duration}</td><td>timer</td><td>{@code outcome}</td><td>{@link #observe} (an {@link ObservingVerifier})</td></tr>
 * <tr><td>{@code keys.store.errors}</td><td>counter</td><td></td><td>{@code STORE_UNAVAILABLE} outcomes seen by {@link #observe}</td></tr>
 * <tr><td>{@code keys.cache.size}, {@code keys.cache.hit.ratio}, {@code keys.store.down}</td><td>gauges</td><td></td><td>the {@link Verifier} given to {@link #watch}</td></tr>
 * </table>
 *
 * Tenants become tag values only for the first {@code maxTenants} seen (default 100); later ones are tagged
 * {@value #OTHER}, and verifications that matched no key {@value #NONE}, so that the number of series stays
 * bounded. Per-key tags are off unless {@link Builder#perKeyTags(int)} turns them on (bounded the same way).
 * Count each verification from one place: either the usage sink (known keys only) or the observed verifier (every
 * outcome, any credential), not both. Like any observer, the meters wrap a verifier as a decorator
 * ({@link #observe}); the result goes wherever a verifier goes ({@code ApiKeyFilter.builder}, say). Meters are made on first use, and cached: one map lookup per event.
 */
public final class KeysMetrics implements MeterBinder, VerificationListener {
    public static final String OTHER = "other", NONE = "none";
    private static final Outcome[] OUTCOMES = Outcome.values();

    private final int maxTenants, maxKeys;
    private Verifier verifier;
    private final ConcurrentHashMap<String, Counter[]> byTenant = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter[]> byKey = new ConcurrentHashMap<>();
    private final java.util.Set<String> tenants = ConcurrentHashMap.newKeySet();
    private volatile MeterRegistry registry;
    private volatile Timer[] timers;
    private volatile Counter storeErrors;

    private KeysMetrics(Builder b) {
        this.maxTenants = b.maxTenants;
        this.maxKeys = b.maxKeys;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void bindTo(MeterRegistry r) {
        Timer[] t = new Timer[OUTCOMES.length];
        for (Outcome o : OUTCOMES) {
            t[o.ordinal()] = Timer.builder("keys.verification.duration").description("time of one verify call")
                    .tag("outcome", tag(o)).register(r);
        }
        storeErrors = Counter.builder("keys.store.errors").description("verifications answered STORE_UNAVAILABLE").register(r);
        timers = t;
        synchronized (this) {
            registry = r;
            if (verifier != null) gauges(r, verifier);
        }
    }

    /**
     * Publishes the verifier's cache size, hit ratio and store state as gauges (now, or when bound). One verifier
     * per {@code KeysMetrics}; the verifier is usually built after the usage sink, hence this separate call.
     */
    public synchronized KeysMetrics watch(Verifier v) {
        if (verifier != null) throw new IllegalStateException("already watching a verifier");
        verifier = Objects.requireNonNull(v, "verifier");
        if (registry != null) gauges(registry, v);
        return this;
    }

    private static void gauges(MeterRegistry r, Verifier v) {
        Gauge.builder("keys.cache.size", v, Verifier::cachedKeys).description("keys compiled in the verifier's cache").register(r);
        Gauge.builder("keys.cache.hit.ratio", v, Verifier::hitRatio).description("fraction of lookups answered from the cache").register(r);
        Gauge.builder("keys.store.down", v, x -> x.storeDown() ? 1 : 0).description("1 while the key store is failing").register(r);
    }

    /**
     * {@code verifier} timed and counted by these meters: every verification, whatever its outcome or credential
     * (an {@link ObservingVerifier} with this as its listener; it reads the system clock only to stamp events).
     */
    public ObservingVerifier observe(CredentialVerifier verifier) {
        return ObservingVerifier.of(verifier, Clock.system(), this);
    }

    /**
     * A usage sink that counts each event, then passes it on to {@code delegate}. Wire as the verifier's usage sink;
     * starting it (the verifier does) starts {@code delegate} when that is {@link Background}.
     */
    public UsageSink usageSink(UsageSink delegate) {
        Objects.requireNonNull(delegate, "delegate");
        final class Counting implements UsageSink, Background {
            @Override
            public void record(UsageEvent e) {
                count(e.outcome(), e.tenant(), e.keyId());
                delegate.record(e);
            }

            @Override
            public void start(ScheduledExecutorService scheduler) {
                if (delegate instanceof Background bg) bg.start(scheduler);
            }
        }
        return new Counting();
    }

    @Override
    public void onVerification(VerificationEvent e) {
        MeterRegistry r = registry;
        if (r == null) return;
        count(e.outcome(), e.tenant().orElse(NONE), e.keyId().orElse(null));
        if (e.durationNanos() > 0) timers[e.outcome().ordinal()].record(e.durationNanos(), TimeUnit.NANOSECONDS);
        if (e.outcome() == Outcome.STORE_UNAVAILABLE) storeErrors.increment();
    }

    private void count(Outcome outcome, String tenant, String keyId) {
        MeterRegistry r = registry;
        if (r == null) return;
        Counter[] c;
        if (maxKeys > 0 && keyId != null) {
            c = byKey.get(keyId);
            if (c == null) {
                String k = byKey.size() >= maxKeys ? OTHER : keyId;
                String t = k.equals(OTHER) ? OTHER : tenantTag(tenant);
                c = byKey.computeIfAbsent(k, x -> counters(r, t, Optional.of(k)));
            }
        } else {
            c = byTenant.get(tenant);
            if (c == null) {
                String t = tenantTag(tenant);
                c = byTenant.computeIfAbsent(t, x -> counters(r, t, Optional.empty()));
            }
        }
        c[outcome.ordinal()].increment();
    }

    private String tenantTag(String tenant) {
        if (tenants.contains(tenant)) return tenant;
        if (tenants.size() >= maxTenants) return OTHER;
        tenants.add(tenant);
        return tenant;
    }

    private static Counter[] counters(MeterRegistry r, String tenantTag, Optional<String> keyTag) {
        Counter[] c = new Counter[OUTCOMES.length];
        for (Outcome o : OUTCOMES) {
            Counter.Builder b = Counter.builder("keys.verifications").description("verifications by outcome")
                    .tag("outcome", tag(o)).tag("tenant", tenantTag);
            keyTag.ifPresent(k -> b.tag("key", k));
            c[o.ordinal()] = b.register(r);
        }
        return c;
    }

    private static String tag(Outcome o) {
        return o.name().toLowerCase(Locale.ROOT);
    }

    /** Configuration of {@link KeysMetrics}. */
    public static final class Builder {
        private int maxTenants = 100, maxKeys;

        private Builder() {
        }

        /** Distinct tenant tag values before the rest are tagged {@code other}. Default 100. */
        public Builder maxTenants(int n) {
            if (n < 1) throw new IllegalArgumentException("maxTenants must be positive");
            maxTenants = n;
            return this;
        }

        /** Tag verifications by key id too, for the first {@code maxKeys} keys (the rest {@code other}). Default off. */
        public Builder perKeyTags(int maxKeys) {
            if (maxKeys < 1) throw new IllegalArgumentException("maxKeys must be positive");
            this.maxKeys = maxKeys;
            return this;
        }

        public KeysMetrics build() {
            return new KeysMetrics(this);
        }
    }
}
