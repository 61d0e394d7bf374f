package dev.keys.core.oauth;

import dev.keys.api.ClientStore;

class InMemoryClientStoreTest extends ClientStoreSpec {
    @Override
    protected ClientStore newStore() {
        return new InMemoryClientStore();
    }
}
