package dev.keys.core.store;

import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStore;
import dev.keys.api.Page;
import dev.keys.api.RoleStore;
import dev.keys.api.StoreException;
import dev.keys.api.StoredRole;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The reference store: everything in memory, one lock for writes and consistent reads. For tests, single-instance
 * services and as the model every other store is held to by the store spec. The change feed keeps the last
 * {@value #FEED_CAPACITY} changes; a reader further behind must drop its whole cache (see
 * {@link #changesSince}). It keeps roles defined at run time too ({@link #roles()}), their changes on the same feed.
 */
public final class InMemoryKeyStore implements KeyStore {
    static final int FEED_CAPACITY = 100_000;
    private final TreeMap<String, ApiKey> byId = new TreeMap<>();
    private final Map<Digest, String> idByDigest = new HashMap<>();
    private final ArrayList<KeyChange> feed = new ArrayList<>();
    private final TreeMap<String, StoredRole> roles = new TreeMap<>();
    private final Optional<RoleStore> roleStore = Optional.of(new Roles());
    private long sequence;

    @Override
    public synchronized Optional<ApiKey> findByDigest(Digest digest) {
        String id = idByDigest.get(digest);
        return id == null ? Optional.empty() : Optional.of(byId.get(id));
    }

    @Override
    public synchronized Optional<ApiKey> findById(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public synchronized ApiKey create(ApiKey key) {
        if (byId.containsKey(key.id())) throw new StoreException.Duplicate("a key with id " + key.id() + " exists");
        if (idByDigest.containsKey(key.digest())) throw new StoreException.Duplicate("a key with the same digest exists");
        ApiKey stored = key.toBuilder().version(1).build();
        byId.put(stored.id(), stored);
        idByDigest.put(stored.digest(), stored.id());
        changed(stored);
        return stored;
    }

    @Override
    public synchronized ApiKey update(ApiKey key) {
        ApiKey current = byId.get(key.id());
        if (current == null) throw new StoreException.NotFound("no key with id " + key.id());
        if (current.version() != key.version()) {
            throw new StoreException.Conflict("key " + key.id() + " was changed concurrently (version " + current.version() + ")");
        }
        if (!current.digest().equals(key.digest())) throw new IllegalArgumentException("a key's digest cannot change");
        ApiKey stored = key.toBuilder().version(key.version() + 1).build();
        byId.put(stored.id(), stored);
        changed(stored);
        return stored;
    }

    @Override
    public synchronized boolean delete(String id) {
        ApiKey gone = byId.remove(id);
        if (gone == null) return false;
        idByDigest.remove(gone.digest());
        changed(gone);
        return true;
    }

    @Override
    public synchronized Page<ApiKey> list(KeyQuery q) {
        List<ApiKey> items = new ArrayList<>();
        var tail = q.cursor().isPresent() ? byId.tailMap(q.cursor().get(), false) : byId;
        for (ApiKey k : tail.values()) {
            if (!q.matches(k)) continue;
            if (items.size() == q.limit()) return new Page<>(items, Optional.of(items.get(items.size() - 1).id()));
            items.add(k);
        }
        return new Page<>(items, Optional.empty());
    }

    /** Changes after {@code afterSequence}; a reader behind the retained feed gets one {@link KeyChange#ALL}. */
    @Override
    public synchronized List<KeyChange> changesSince(long afterSequence, int limit) {
        if (feed.isEmpty() || afterSequence >= sequence) return List.of();
        long first = feed.get(0).sequence();
        if (afterSequence < first - 1) {
            return List.of(new KeyChange(first - 1, KeyChange.ALL, feed.get(0).digest()));
        }
        int from = (int) (afterSequence - first + 1);
        return List.copyOf(feed.subList(from, Math.min(feed.size(), from + limit)));
    }

    @Override
    public synchronized long lastSequence() {
        return sequence;
    }

    @Override
    public Optional<RoleStore> roles() {
        return roleStore;
    }

    private void changed(ApiKey k) {
        changed(k.id(), k.digest());
    }

    private void changed(String id, Digest digest) {
        feed.add(new KeyChange(++sequence, id, digest));
        if (feed.size() > FEED_CAPACITY) feed.subList(0, feed.size() - FEED_CAPACITY).clear();
    }

    /** The roles, under the store's lock, each write one {@link KeyChange#ROLES} on the feed. */
    private final class Roles implements RoleStore {
        private static final Digest NONE = new Digest(0, 0, 0, 0);

        @Override
        public List<StoredRole> list() {
            synchronized (InMemoryKeyStore.this) {
                return List.copyOf(roles.values());
            }
        }

        @Override
        public Optional<StoredRole> find(String name) {
            synchronized (InMemoryKeyStore.this) {
                return Optional.ofNullable(roles.get(name));
            }
        }

        @Override
        public Optional<StoredRole> put(StoredRole role) {
            synchronized (InMemoryKeyStore.this) {
                Optional<StoredRole> before = Optional.ofNullable(roles.put(role.name(), role));
                changed(KeyChange.ROLES, NONE);
                return before;
            }
        }

        @Override
        public Optional<StoredRole> delete(String name) {
            synchronized (InMemoryKeyStore.this) {
                Optional<StoredRole> gone = Optional.ofNullable(roles.remove(name));
                if (gone.isPresent()) changed(KeyChange.ROLES, NONE);
                return gone;
            }
        }
    }
}
