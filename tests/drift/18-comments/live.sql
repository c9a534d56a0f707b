-- Comments on every kind that has them: added, changed, removed.
CREATE SCHEMA s;
COMMENT ON SCHEMA s IS 'remove me';
CREATE TYPE s.e AS ENUM ('a');
CREATE DOMAIN s.d AS integer;
CREATE TYPE s.c AS (x integer);
COMMENT ON TYPE s.c IS 'old';
CREATE SEQUENCE s.q;
CREATE FUNCTION s.f() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE TABLE s.t (id integer CONSTRAINT t_pk PRIMARY KEY, v text);
COMMENT ON COLUMN s.t.v IS 'value';
CREATE INDEX t_v_idx ON s.t (v);
CREATE VIEW s.v AS SELECT id FROM s.t;
CREATE MATERIALIZED VIEW s.mv AS SELECT id FROM s.t;
CREATE FUNCTION s.tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER t_tr BEFORE INSERT ON s.t FOR EACH ROW EXECUTE FUNCTION s.tf();
