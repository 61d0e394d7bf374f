package dev.keys.core.store;

import dev.keys.api.Lease;
import dev.keys.test.LeaseSpec;
import dev.keys.test.ManualClock;

class InMemoryLeaseTest extends LeaseSpec {
    @Override
    protected Lease newLease(ManualClock clock) {
        return new InMemoryLease(clock);
    }
}
