package dev.keys.spring;

import dev.keys.api.ApiKey;
import dev.keys.api.Clock;
import dev.keys.api.Digest;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStore;
import dev.keys.api.Page;
import dev.keys.api.RoleStore;

import java.util.List;
import java.util.Optional;

/**
 * The store as the verifier sees it, watching its change-feed polls: how far the verifier has read the feed and
 * when it last read it without error. The health indicator compares that with the store's newest sequence, so that
 * a verifier that stopped applying other instances' revocations shows, without the verifier exposing its state.
 * Everything else is passed through.
 */
final class FeedWatch implements KeyStore {
    private final KeyStore store;
    private final Clock clock;
    private volatile long read;
    private volatile long lastPollNanos;

    FeedWatch(KeyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    KeyStore store() {
        return store;
    }

    /** The newest sequence the verifier has been handed (it applies changes in order, right after reading them). */
    long read() {
        return read;
    }

    /** Clock nanos of the last poll that answered, 0 before the first. */
    long lastPollNanos() {
        return lastPollNanos;
    }

    @Override
    public List<KeyChange> changesSince(long afterSequence, int limit) {
        List<KeyChange> changes = store.changesSince(afterSequence, limit);
        long newest = changes.isEmpty() ? afterSequence : changes.get(changes.size() - 1).sequence();
        if (newest > read) read = newest;
        lastPollNanos = clock.nanos();
        return changes;
    }

    @Override
    public long lastSequence() {
        return store.lastSequence();
    }

    @Override
    public Optional<ApiKey> findByDigest(Digest digest) {
        return store.findByDigest(digest);
    }

    @Override
    public Optional<ApiKey> findById(String id) {
        return store.findById(id);
    }

    @Override
    public ApiKey create(ApiKey key) {
        return store.create(key);
    }

    @Override
    public ApiKey update(ApiKey key) {
        return store.update(key);
    }

    @Override
    public Page<ApiKey> list(KeyQuery query) {
        return store.list(query);
    }

    @Override
    public boolean delete(String id) {
        return store.delete(id);
    }

    /** The wrapped store's runtime roles: hidden, the admin API could not define roles and the verifier would not load them. */
    @Override
    public Optional<RoleStore> roles() {
        return store.roles();
    }
}
