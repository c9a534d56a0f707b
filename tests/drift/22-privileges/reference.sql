DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'drift_reader') THEN CREATE ROLE drift_reader; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'drift_writer') THEN CREATE ROLE drift_writer; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'Drift "Admin"') THEN CREATE ROLE "Drift ""Admin"""; END IF;
END $$;
CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO drift_reader, "Drift ""Admin""";
CREATE TABLE app.t (id integer PRIMARY KEY, secret text, name text);
CREATE SEQUENCE app.s;
CREATE FUNCTION app.f() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
GRANT SELECT, INSERT ON app.t TO drift_reader WITH GRANT OPTION;
GRANT SELECT ON app.t TO drift_writer;
GRANT UPDATE (name) ON app.t TO drift_writer;
CREATE FUNCTION app.g() RETURNS integer LANGUAGE sql AS $$ SELECT 2 $$;
REVOKE EXECUTE ON FUNCTION app.g() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.g() TO drift_reader;
CREATE TABLE app.t2 (a integer);
GRANT SELECT ON app.t2 TO PUBLIC;
