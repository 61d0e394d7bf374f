package dev.keys.core;

import dev.keys.api.AuditSink;
import dev.keys.api.Clock;
import dev.keys.api.KeyStore;
import dev.keys.api.UsageCounters;
import dev.keys.core.authz.Roles;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.store.InMemoryUsageCounters;
import dev.keys.core.limit.QuotaEnforcer;
import dev.keys.core.limit.Tiers;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.core.verify.Verifier;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A {@link KeyManager} and a {@link Verifier} wired to one store, hasher and clock, so that every change made
 * through the manager holds from the verifier's next request. The usual entry point:
 * <pre>{@code
 * Keys keys = Keys.builder().store(new InMemoryKeyStore()).build();
 * IssuedKey issued = keys.manager().create(NewKey.builder("sk_live").ownerId("acme").build(), KeyManager.SYSTEM);
 * Verification v = keys.verifier().verify(issued.plaintext());
 * }</pre>
 */
public final class Keys implements AutoCloseable {
    private final KeyStore store;
    private final Verifier verifier;
    private final KeyManager manager;
    private final QuotaEnforcer quotas;
    private final Roles roles;
    private final Clock clock;

    private Keys(Builder b) {
        this.store = b.store;
        this.roles = b.roles;
        this.clock = b.clock;
        this.quotas = QuotaEnforcer.builder(b.counters).tiers(b.tiers).zone(b.zone).build();
        Verifier.Builder vb = Verifier.builder(b.store).hasher(b.hasher).clock(b.clock).roles(b.roles).tiers(b.tiers).quotas(quotas);
        b.verifierConfig.accept(vb);
        this.verifier = vb.build();
        this.manager = KeyManager.builder(b.store).hasher(b.hasher).clock(b.clock).audit(b.audit).usageCounters(b.counters)
                .listener(verifier::refresh).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public KeyStore store() {
        return store;
    }

    public Verifier verifier() {
        return verifier;
    }

    public KeyManager manager() {
        return manager;
    }

    /** The roles keys may hold: admin checks must flatten with the same ones as the verifier. */
    public Roles roles() {
        return roles;
    }

    public Clock clock() {
        return clock;
    }

    /** Quotas and remaining uses, for display (e.g. the remaining uses of a key). */
    public QuotaEnforcer quotas() {
        return quotas;
    }

    @Override
    public void close() {
        verifier.close();
    }

    public static final class Builder {
        private KeyStore store = new InMemoryKeyStore();
        private KeyHasher hasher = KeyHasher.sha256();
        private Clock clock = Clock.system();
        private AuditSink audit = AuditSink.NONE;
        private Consumer<Verifier.Builder> verifierConfig = v -> { };
        private UsageCounters counters = new InMemoryUsageCounters();
        private Roles roles = Roles.EMPTY;
        private Tiers tiers = Tiers.NONE;
        private ZoneId zone = ZoneOffset.UTC;

        private Builder() {
        }

        /** Default: a new {@link InMemoryKeyStore}. */
        public Builder store(KeyStore s) { store = Objects.requireNonNull(s); return this; }
        public Builder hasher(KeyHasher h) { hasher = Objects.requireNonNull(h); return this; }
        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }
        public Builder audit(AuditSink a) { audit = Objects.requireNonNull(a); return this; }
        /** Where quotas and remaining uses are counted; share one across instances (e.g. JDBC). Default in memory. */
        public Builder usageCounters(UsageCounters c) { counters = Objects.requireNonNull(c); return this; }
        public Builder roles(Roles r) { roles = Objects.requireNonNull(r); return this; }
        public Builder tiers(Tiers t) { tiers = Objects.requireNonNull(t); return this; }
        /** The zone quota periods (day, week, month) follow. Default UTC. */
        public Builder quotaZone(ZoneId z) { zone = Objects.requireNonNull(z); return this; }
        /** Further verifier settings (cache sizes, stale bound, environment, ...). */
        public Builder verifier(Consumer<Verifier.Builder> config) { verifierConfig = Objects.requireNonNull(config); return this; }

        public Keys build() {
            return new Keys(this);
        }
    }
}
