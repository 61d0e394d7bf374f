package dev.keys.core.store;

import dev.keys.api.ClientStore;
import dev.keys.core.lifecycle.ClientManagerRoundTrip;
import dev.keys.test.ClientStoreSpec;
import org.junit.jupiter.api.Test;

class InMemoryClientStoreTest extends ClientStoreSpec {
    @Override
    protected ClientStore newStore() {
        return new InMemoryClientStore();
    }

    @Test
    void aManagerOverTheStoreCreatesAuthenticatesAndRevokes() {
        ClientManagerRoundTrip.createsAuthenticatesUpdatesAndRevokes(store);
    }
}
