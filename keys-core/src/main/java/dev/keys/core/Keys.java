package dev.keys.core;

import dev.keys.api.AuditSink;
import dev.keys.api.Clock;
import dev.keys.api.KeyStore;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.core.verify.Verifier;

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

    private Keys(Builder b) {
        this.store = b.store;
        Verifier.Builder vb = Verifier.builder(b.store).hasher(b.hasher).clock(b.clock);
        b.verifierConfig.accept(vb);
        this.verifier = vb.build();
        this.manager = KeyManager.builder(b.store).hasher(b.hasher).clock(b.clock).audit(b.audit).listener(verifier::refresh).build();
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

        private Builder() {
        }

        /** Default: a new {@link InMemoryKeyStore}. */
        public Builder store(KeyStore s) { store = Objects.requireNonNull(s); return this; }
        public Builder hasher(KeyHasher h) { hasher = Objects.requireNonNull(h); return this; }
        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }
        public Builder audit(AuditSink a) { audit = Objects.requireNonNull(a); return this; }
        /** Further verifier settings (cache sizes, stale bound, environment, ...). */
        public Builder verifier(Consumer<Verifier.Builder> config) { verifierConfig = Objects.requireNonNull(config); return this; }

        public Keys build() {
            return new Keys(this);
        }
    }
}
