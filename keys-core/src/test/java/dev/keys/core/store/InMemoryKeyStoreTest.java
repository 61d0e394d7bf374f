package dev.keys.core.store;

import dev.keys.api.KeyStore;

class InMemoryKeyStoreTest extends KeyStoreSpec {
    @Override
    protected KeyStore newStore() {
        return new InMemoryKeyStore();
    }
}
