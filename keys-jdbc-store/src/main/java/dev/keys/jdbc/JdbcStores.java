package dev.keys.jdbc;

import dev.keys.api.Clock;
import dev.keys.api.StoreException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The JDBC-backed SPIs over one {@link DataSource}, sharing its dialect and query timeout:
 * <pre>{@code
 * JdbcStores stores = JdbcStores.builder(dataSource).migrate(true).build();
 * Keys keys = Keys.builder().store(stores.keyStore()).audit(stores.auditLog())
 *         .verifier(v -> v.usageSink(stores.usageLog())).build();
 * }</pre>
 * Each component is made on first use; {@link #close()} flushes and stops the usage log. The data source stays
 * the caller's to close.
 */
public final class JdbcStores implements AutoCloseable {
    private final Db db;
    private final Clock clock;
    private final Duration retention, usageFlushInterval;
    private final int usageMaxPending;
    private JdbcKeyStore keyStore;
    private JdbcUsageCounters counters;
    private JdbcAuditLog audit;
    private JdbcUsageLog usage;
    private JdbcClientStore clients;

    private JdbcStores(Builder b, Dialect dialect) {
        this.db = new Db(b.dataSource, dialect, b.queryTimeout);
        this.clock = b.clock;
        this.retention = b.changeRetention;
        this.usageFlushInterval = b.usageFlushInterval;
        this.usageMaxPending = b.usageMaxPending;
    }

    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    public Dialect dialect() {
        return db.dialect;
    }

    public synchronized JdbcKeyStore keyStore() {
        if (keyStore == null) keyStore = new JdbcKeyStore(db, clock, retention);
        return keyStore;
    }

    public synchronized JdbcUsageCounters usageCounters() {
        if (counters == null) counters = new JdbcUsageCounters(db);
        return counters;
    }

    public synchronized JdbcAuditLog auditLog() {
        if (audit == null) audit = new JdbcAuditLog(db);
        return audit;
    }

    /** OAuth clients of the client-credentials grant (needs migration {@code V4__clients.sql}). */
    public synchronized JdbcClientStore clientStore() {
        if (clients == null) clients = new JdbcClientStore(db);
        return clients;
    }

    /**
     * The usage log, made on the first call. It writes every {@code usageFlushInterval} once started: a verifier
     * given it as usage sink starts it on its {@code Keys}' scheduler; otherwise call {@code start}.
     */
    public synchronized JdbcUsageLog usageLog() {
        if (usage == null) usage = new JdbcUsageLog(db, usageFlushInterval, usageMaxPending);
        return usage;
    }

    /** Leases for periodic jobs ({@code keys_lease}), timed by this builder's clock. */
    public JdbcLease lease() {
        return new JdbcLease(db, clock);
    }

    /** Last use of keys, from the usage log's table. */
    public JdbcLastUse lastUse() {
        return new JdbcLastUse(db);
    }

    /** Flushes and stops the usage log, if one was made. */
    @Override
    public synchronized void close() {
        if (usage != null) usage.close();
    }

    /** Configuration shared by the JDBC components. */
    public static final class Builder {
        private final DataSource dataSource;
        private Optional<Dialect> dialect = Optional.empty();
        private Duration queryTimeout = Duration.ofSeconds(2), changeRetention = JdbcKeyStore.DEFAULT_RETENTION;
        private Duration usageFlushInterval = Duration.ofSeconds(1);
        private int usageMaxPending = 100_000;
        private Clock clock = Clock.system();
        private boolean migrate;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The database's dialect. Default: read from the connection's metadata when built (needs the database up). */
        public Builder dialect(Dialect d) { dialect = Optional.of(d); return this; }

        /** JDBC query timeout of every statement, rounded up to whole seconds. Default 2 s. */
        public Builder queryTimeout(Duration d) { queryTimeout = Objects.requireNonNull(d); return this; }

        /** How long the change feed keeps a change; readers further behind reload everything. Default one day. */
        public Builder changeRetention(Duration d) { changeRetention = Objects.requireNonNull(d); return this; }

        /** How often the usage log writes its counts; zero means only on {@code flush()} and close. Default 1 s. */
        public Builder usageFlushInterval(Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException("usageFlushInterval must not be negative");
            usageFlushInterval = d;
            return this;
        }

        /** Most distinct (key, minute, outcome) slots the usage log holds between flushes. Default 100,000. */
        public Builder usageMaxPending(int n) { usageMaxPending = n; return this; }

        /** The time of change-feed entries and retention. Default the system clock. */
        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }

        /** Apply {@link JdbcSchema#migrate} when built. Default off: migrate at deployment, or with Flyway. */
        public Builder migrate(boolean on) { migrate = on; return this; }

        /**
         * @throws StoreException.Unavailable when the dialect must be detected, or the schema migrated, and the
         *                                    database cannot be reached
         */
        public JdbcStores build() {
            if (migrate) JdbcSchema.migrate(dataSource);
            Dialect d = dialect.orElseGet(this::detect);
            return new JdbcStores(this, d);
        }

        private Dialect detect() {
            try (Connection c = dataSource.getConnection()) {
                return Dialect.of(c);
            } catch (SQLException e) {
                throw new StoreException.Unavailable("cannot detect the database dialect: the database is unreachable (SQLState " + e.getSQLState() + ")", e);
            }
        }
    }
}
