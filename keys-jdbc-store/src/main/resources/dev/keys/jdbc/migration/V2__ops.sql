-- keys-jdbc-store schema, version 2: operations (issue 9). Portable between PostgreSQL 15+ and H2 2.x.

-- Leases (JdbcLease): which instance runs a periodic job, until when. Taken with one conditional UPDATE (or the
-- first INSERT), so that of several instances at most one holds a lease at a time.
CREATE TABLE keys_lease (
    name       VARCHAR(128) NOT NULL PRIMARY KEY,
    owner      VARCHAR(255) NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Audit queries by time range (AuditQuery.between).
CREATE INDEX keys_audit_occurred_at ON keys_audit (occurred_at, id);
