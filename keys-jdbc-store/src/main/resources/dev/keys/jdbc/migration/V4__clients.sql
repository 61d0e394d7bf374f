-- keys-jdbc-store schema, version 3: OAuth 2.0 clients of the client-credentials grant (ClientStore).
-- Portable between PostgreSQL 15+ and H2 2.x. The secret is never stored: only its 32-byte digest.
-- (Version 2 is the operations tables; the two are independent and may be applied in either order.)

CREATE TABLE keys_oauth_client (
    client_id     VARCHAR(128)  NOT NULL PRIMARY KEY,
    tenant        VARCHAR(255)  NOT NULL,
    name          VARCHAR       NOT NULL,
    secret_digest BYTEA         NOT NULL,
    roles         VARCHAR       NOT NULL, -- JSON array of strings
    permissions   VARCHAR       NOT NULL, -- JSON array of strings
    ratelimits    VARCHAR       NOT NULL, -- JSON array of {name, limit, duration, burst}
    status        VARCHAR(24)   NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    version       BIGINT        NOT NULL
);
CREATE INDEX keys_oauth_client_tenant ON keys_oauth_client (tenant, client_id);
