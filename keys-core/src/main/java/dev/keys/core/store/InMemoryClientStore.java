package dev.keys.core.store;

import dev.keys.api.ClientStore;
import dev.keys.api.OAuthClient;
import dev.keys.api.Page;
import dev.keys.api.StoreException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/** A {@link ClientStore} in memory, for tests, examples and single-process deployments. Thread-safe. */
public final class InMemoryClientStore implements ClientStore {
    private final TreeMap<String, OAuthClient> byId = new TreeMap<>();

    @Override
    public synchronized Optional<OAuthClient> findById(String clientId) {
        return Optional.ofNullable(byId.get(clientId));
    }

    @Override
    public synchronized OAuthClient create(OAuthClient client) {
        if (byId.containsKey(client.clientId())) throw new StoreException.Duplicate("client " + client.clientId() + " exists already");
        OAuthClient stored = withVersion(client, 1);
        byId.put(stored.clientId(), stored);
        return stored;
    }

    @Override
    public synchronized OAuthClient update(OAuthClient client) {
        OAuthClient current = byId.get(client.clientId());
        if (current == null) throw new StoreException.NotFound("no client with id " + client.clientId());
        if (current.version() != client.version())
            throw new StoreException.Conflict("client " + client.clientId() + " was changed concurrently (version " + current.version() + ")");
        OAuthClient stored = withVersion(client, client.version() + 1);
        byId.put(stored.clientId(), stored);
        return stored;
    }

    @Override
    public synchronized Page<OAuthClient> list(Optional<String> tenant, int limit, Optional<String> cursor) {
        if (limit <= 0) throw new IllegalArgumentException("limit must be positive");
        var tail = cursor.isPresent() ? byId.tailMap(cursor.get(), false) : byId;
        List<OAuthClient> items = new ArrayList<>();
        for (OAuthClient c : tail.values()) {
            if (tenant.isPresent() && !tenant.get().equals(c.tenant())) continue;
            if (items.size() == limit) return new Page<>(items, Optional.of(items.get(items.size() - 1).clientId()));
            items.add(c);
        }
        return new Page<>(items, Optional.empty());
    }

    private static OAuthClient withVersion(OAuthClient c, long version) {
        return new OAuthClient(c.clientId(), c.tenant(), c.name(), c.secretDigest(), c.roles(), c.permissions(), c.ratelimits(),
                c.status(), c.createdAt(), c.updatedAt(), version);
    }
}
