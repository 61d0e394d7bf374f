-- keys-jdbc-store schema, version 1. Portable between PostgreSQL 15+ and H2 2.x (any mode): applied by
-- JdbcSchema.migrate(dataSource) or by Flyway (location classpath:dev/keys/jdbc/migration).
-- No plaintext key is ever stored: only its 32-byte digest, its prefix and the first 4 characters of the secret.

CREATE TABLE keys_api_key (
    id              VARCHAR(128)  NOT NULL PRIMARY KEY,
    tenant          VARCHAR(255)  NOT NULL,
    owner_id        VARCHAR(255)  NOT NULL,
    name            VARCHAR       NOT NULL,
    prefix          VARCHAR(24)   NOT NULL,
    key_start       VARCHAR(8)    NOT NULL,
    digest          BYTEA         NOT NULL,
    environment     VARCHAR(8)    NOT NULL,
    status          VARCHAR(24)   NOT NULL,
    roles           VARCHAR       NOT NULL, -- JSON array of strings
    permissions     VARCHAR       NOT NULL, -- JSON array of strings
    meta            VARCHAR       NOT NULL, -- JSON object of strings
    ratelimits      VARCHAR       NOT NULL, -- JSON array of {name, limit, duration, burst}
    quota_limit     BIGINT,
    quota_period    VARCHAR(8),
    remaining       BIGINT,
    refill_amount   BIGINT,
    refill_interval VARCHAR(64),            -- ISO-8601 duration
    ip_allowlist    VARCHAR       NOT NULL, -- JSON array of CIDRs
    tier            VARCHAR(255),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at      TIMESTAMP WITH TIME ZONE,
    rotated_to      VARCHAR(128),
    version         BIGINT        NOT NULL
);
CREATE UNIQUE INDEX keys_api_key_digest ON keys_api_key (digest);
CREATE INDEX keys_api_key_tenant ON keys_api_key (tenant, id);
CREATE INDEX keys_api_key_tenant_owner ON keys_api_key (tenant, owner_id, id);
CREATE INDEX keys_api_key_owner ON keys_api_key (owner_id, id);

-- The change feed. Sequence numbers come from the single row of keys_change_seq, incremented in the same
-- transaction as the key write: its row lock makes sequence numbers follow commit order, without gaps.
CREATE TABLE keys_change_seq (
    id  INT    NOT NULL PRIMARY KEY,
    seq BIGINT NOT NULL
);
INSERT INTO keys_change_seq (id, seq) VALUES (1, 0);

CREATE TABLE keys_changes (
    seq        BIGINT       NOT NULL PRIMARY KEY,
    key_id     VARCHAR(128) NOT NULL,
    digest     BYTEA        NOT NULL,
    changed_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX keys_changes_changed_at ON keys_changes (changed_at);

-- Exact counters behind quotas and remaining uses (UsageCounters).
CREATE TABLE keys_usage_counter (
    key_id       VARCHAR(128) NOT NULL,
    counter      VARCHAR(64)  NOT NULL,
    window_start BIGINT       NOT NULL,
    used         BIGINT       NOT NULL,
    PRIMARY KEY (key_id, counter, window_start)
);

-- Lifecycle audit (AuditLog), newest first by id.
CREATE TABLE keys_audit (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
    action      VARCHAR(32)  NOT NULL,
    actor       VARCHAR(255) NOT NULL,
    tenant      VARCHAR(255) NOT NULL,
    key_id      VARCHAR(128) NOT NULL,
    reason      VARCHAR,
    changes     VARCHAR      NOT NULL  -- JSON object: field -> [before, after]
);
CREATE INDEX keys_audit_tenant ON keys_audit (tenant, id);
CREATE INDEX keys_audit_key ON keys_audit (key_id, id);

-- Per-key verification counts (UsageLog), one row per key, minute and outcome.
CREATE TABLE keys_usage (
    key_id       VARCHAR(128) NOT NULL,
    period_start TIMESTAMP WITH TIME ZONE NOT NULL,
    outcome      VARCHAR(32)  NOT NULL,
    hits         BIGINT       NOT NULL,
    PRIMARY KEY (key_id, period_start, outcome)
);
