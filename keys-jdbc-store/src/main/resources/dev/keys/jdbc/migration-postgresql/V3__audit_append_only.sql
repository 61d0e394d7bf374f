-- keys-jdbc-store schema, version 3, PostgreSQL only: keys_audit refuses UPDATE, DELETE and TRUNCATE, so that no
-- code path (the library's or the application's) rewrites history by mistake. An operator who must prune old
-- entries does so in a transaction that first runs SET LOCAL keys.audit_maintenance = 'on'. This guards against
-- mistakes, not against the table's owner; for that, grant the application role only INSERT and SELECT on it.
-- Each statement is on one line: the migration runner splits at a semicolon that ends a line.

CREATE FUNCTION keys_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF coalesce(current_setting('keys.audit_maintenance', true), '') <> 'on' THEN RAISE EXCEPTION 'keys_audit is append-only (% refused)', TG_OP; END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$;
CREATE TRIGGER keys_audit_no_update_delete BEFORE UPDATE OR DELETE ON keys_audit FOR EACH ROW EXECUTE FUNCTION keys_audit_append_only();
CREATE TRIGGER keys_audit_no_truncate BEFORE TRUNCATE ON keys_audit FOR EACH STATEMENT EXECUTE FUNCTION keys_audit_append_only();
