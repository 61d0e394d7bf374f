package dev.keys.core.store;

import dev.keys.api.KeyStore;
import dev.keys.test.KeyStoreSpec;

class InMemoryKeyStoreTest extends KeyStoreSpec {
    @Override
    protected KeyStore newStore() {
        return new InMemoryKeyStore();
    }
}
