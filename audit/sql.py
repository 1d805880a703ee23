"""The database's own guard on the audit log (PostgreSQL): no UPDATE ever, no DELETE of a row younger
than the retention floor. Triggers are the only way to make the database itself refuse this; the ORM
has none. SQLite, used for development and the quick test run, relies on the application's guard.
"""

GUARD_DAYS = 180

CREATE = f"""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit_auditevent is append-only: UPDATE refused';
    END IF;
    IF OLD.at > now() - interval '{GUARD_DAYS} days' THEN
        RAISE EXCEPTION 'audit_auditevent keeps {GUARD_DAYS} days: DELETE of a younger row refused';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def install(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def remove(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
