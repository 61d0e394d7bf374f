-- keys-jdbc-store schema, version 5: who created a key and whether an admin holds its status, for the separation
-- of duties of docs/contract.md §5 (a manager neither approves a key it created nor lifts an admin's disable or
-- reject). Portable between PostgreSQL 15+ and H2 2.x. Rows stored before it read as created by nobody known and
-- held by no admin, which is how they behaved before.

ALTER TABLE keys_api_key ADD COLUMN created_by VARCHAR(255) DEFAULT '' NOT NULL;
ALTER TABLE keys_api_key ADD COLUMN admin_hold BOOLEAN DEFAULT FALSE NOT NULL;
