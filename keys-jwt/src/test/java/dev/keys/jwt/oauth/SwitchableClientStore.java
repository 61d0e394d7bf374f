package dev.keys.jwt.oauth;

import dev.keys.api.ClientStore;
import dev.keys.api.OAuthClient;
import dev.keys.api.Page;
import dev.keys.api.StoreException;
import dev.keys.core.store.InMemoryClientStore;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A client store in memory that counts reads and can fail like an unreachable database. */
final class SwitchableClientStore implements ClientStore {
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicInteger reads = new AtomicInteger();
    private final InMemoryClientStore d = new InMemoryClientStore();

    @Override public Optional<OAuthClient> findById(String id) {
        reads.incrementAndGet();
        if (down.get()) throw new StoreException.Unavailable("down (test)", null);
        return d.findById(id);
    }

    @Override public OAuthClient create(OAuthClient c) { return d.create(c); }
    @Override public OAuthClient update(OAuthClient c) { return d.update(c); }
    @Override public Page<OAuthClient> list(Optional<String> t, int l, Optional<String> c) { return d.list(t, l, c); }
}
