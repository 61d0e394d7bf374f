package dev.keys.spring;

import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStore;
import dev.keys.api.Page;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.*;

/** A store that notes the thread of every key lookup, to show that WebFlux never reads it on an event-loop thread. */
final class ThreadRecordingStore implements KeyStore {
    private final KeyStore store;
    private final Set<String> threads = ConcurrentHashMap.newKeySet();

    ThreadRecordingStore(KeyStore store) {
        this.store = store;
    }

    /** Requests read the store, on bounded-elastic threads, and never on Reactor Netty's event loop. */
    void assertNeverOnTheEventLoop() {
        assertFalse(threads.isEmpty(), "the first verification of a key reads the store");
        // The test's own thread reads the store too (the manager's writes refresh the cache): only request threads count.
        assertTrue(threads.stream().anyMatch(t -> t.startsWith("boundedElastic-")), threads.toString());
        for (String t : threads) assertFalse(t.startsWith("reactor-http"), "store called on an event-loop thread: " + t);
    }

    @Override
    public Optional<ApiKey> findByDigest(Digest digest) {
        threads.add(Thread.currentThread().getName());
        return store.findByDigest(digest);
    }

    @Override public Optional<ApiKey> findById(String id) { return store.findById(id); }
    @Override public ApiKey create(ApiKey key) { return store.create(key); }
    @Override public ApiKey update(ApiKey key) { return store.update(key); }
    @Override public Page<ApiKey> list(KeyQuery query) { return store.list(query); }
    @Override public List<KeyChange> changesSince(long afterSequence, int limit) { return store.changesSince(afterSequence, limit); }
    @Override public long lastSequence() { return store.lastSequence(); }
}
