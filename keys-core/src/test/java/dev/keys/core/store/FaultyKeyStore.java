package dev.keys.core.store;

import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStore;
import dev.keys.api.Page;
import dev.keys.api.StoreException;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A store that can be switched off (every call fails as a real outage would) and counts digest lookups. */
public final class FaultyKeyStore implements KeyStore {
    private final KeyStore delegate;
    public final AtomicBoolean down = new AtomicBoolean();
    public final AtomicInteger digestLookups = new AtomicInteger();

    public FaultyKeyStore(KeyStore delegate) {
        this.delegate = delegate;
    }

    private void check() {
        if (down.get()) throw new StoreException.Unavailable("connection refused (test)", null);
    }

    @Override public Optional<ApiKey> findByDigest(Digest d) { check(); digestLookups.incrementAndGet(); return delegate.findByDigest(d); }
    @Override public Optional<ApiKey> findById(String id) { check(); return delegate.findById(id); }
    @Override public ApiKey create(ApiKey k) { check(); return delegate.create(k); }
    @Override public ApiKey update(ApiKey k) { check(); return delegate.update(k); }
    @Override public Page<ApiKey> list(KeyQuery q) { check(); return delegate.list(q); }
    @Override public List<KeyChange> changesSince(long s, int l) { check(); return delegate.changesSince(s, l); }
    @Override public long lastSequence() { check(); return delegate.lastSequence(); }
}
