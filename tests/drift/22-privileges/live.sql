DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'drift_reader') THEN CREATE ROLE drift_reader; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'drift_writer') THEN CREATE ROLE drift_writer; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'Drift "Admin"') THEN CREATE ROLE "Drift ""Admin"""; END IF;
END $$;
-- Privileges (read with --privileges): grants added, widened, narrowed,
-- with grant option, on columns, functions, sequences and schemas, and on
-- new objects (a new function without PUBLIC's EXECUTE).
CREATE SCHEMA app;
CREATE TABLE app.t (id integer PRIMARY KEY, secret text, name text);
CREATE SEQUENCE app.s;
CREATE FUNCTION app.f() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
REVOKE EXECUTE ON FUNCTION app.f() FROM PUBLIC;
GRANT SELECT ON app.t TO drift_reader;
GRANT ALL ON app.s TO drift_writer;
GRANT SELECT, UPDATE ON app.t TO drift_writer;
