-- Schemas: one missing (with a table in it), comments added and changed.
CREATE SCHEMA app;
CREATE SCHEMA billing;
COMMENT ON SCHEMA billing IS 'old words';
CREATE TABLE app.t (id integer);
