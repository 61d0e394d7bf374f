package dev.keys.core.store;

import dev.keys.api.ClientStore;

class InMemoryClientStoreTest extends ClientStoreSpec {
    @Override
    protected ClientStore newStore() {
        return new InMemoryClientStore();
    }
}
