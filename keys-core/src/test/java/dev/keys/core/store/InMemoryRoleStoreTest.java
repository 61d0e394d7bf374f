package dev.keys.core.store;

import dev.keys.api.KeyStore;
import dev.keys.test.RoleStoreSpec;

class InMemoryRoleStoreTest extends RoleStoreSpec {
    @Override
    protected KeyStore newStore() {
        return new InMemoryKeyStore();
    }
}
