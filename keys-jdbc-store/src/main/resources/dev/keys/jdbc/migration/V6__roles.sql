-- keys-jdbc-store schema, version 6: roles defined at run time (RoleStore, docs/contract.md §5 PUT /roles/{name}).
-- Portable between PostgreSQL 15+ and H2 2.x. Every write of a role appends a change with key id '*roles' and an
-- all-zero digest to keys_changes in the same transaction, so that every verifier reloads the roles from the feed.

CREATE TABLE keys_role (
    name        VARCHAR(64)   NOT NULL PRIMARY KEY,
    permissions VARCHAR       NOT NULL, -- JSON array of strings, sorted
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
