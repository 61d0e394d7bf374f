package dev.keys.spring;

import dev.keys.api.AuditLog;
import dev.keys.api.Clock;
import dev.keys.api.UsageCounters;
import dev.keys.api.UsageLog;
import dev.keys.core.store.InMemoryAuditLog;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.core.store.InMemoryUsageCounters;
import dev.keys.core.store.InMemoryUsageLog;
import dev.keys.jdbc.JdbcStores;

/**
 * Where the starter keeps keys, their audit trail, usage and counters: all in one database when the application
 * has a {@code DataSource}, all in memory otherwise. {@link #close} writes what the usage log still holds.
 */
record KeysStorage(FeedWatch store, AuditLog audit, UsageLog usage, UsageCounters counters, String description,
                   Runnable closer) implements AutoCloseable {

    static KeysStorage jdbc(JdbcStores stores, Clock clock) {
        return new KeysStorage(new FeedWatch(stores.keyStore(), clock), stores.auditLog(), stores.usageLog(), stores.usageCounters(),
                "JDBC (" + stores.dialect() + ")", stores::close);
    }

    static KeysStorage inMemory(Clock clock) {
        InMemoryUsageLog usage = new InMemoryUsageLog();
        return new KeysStorage(new FeedWatch(new InMemoryKeyStore(), clock), new InMemoryAuditLog(), usage, new InMemoryUsageCounters(),
                "in memory", usage::close);
    }

    @Override
    public void close() {
        closer.run();
    }
}
