-- Objects only the live schema has, of every kind: dropped with --unsafe
-- (each marked), listed as skipped without it.
CREATE EXTENSION hstore;
CREATE SCHEMA old_stuff;
CREATE TABLE old_stuff.legacy (id integer PRIMARY KEY);
CREATE TYPE public.old_enum AS ENUM ('x');
CREATE DOMAIN public.old_domain AS integer;
CREATE TYPE public.old_type AS (a integer);
CREATE SEQUENCE public.old_seq;
CREATE FUNCTION public.old_fn() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TABLE public.keep (id integer PRIMARY KEY, gone text, code varchar(10), CONSTRAINT keep_code_check CHECK (code <> ''));
CREATE INDEX keep_code_idx ON public.keep (code);
CREATE TRIGGER keep_trg BEFORE INSERT ON public.keep FOR EACH ROW EXECUTE FUNCTION public.trg();
ALTER TABLE public.keep ENABLE ROW LEVEL SECURITY;
CREATE POLICY keep_all ON public.keep USING (true);
CREATE TABLE public.parent_gone (id integer PRIMARY KEY);
CREATE TABLE public.child_gone (id integer, p integer REFERENCES public.parent_gone (id));
CREATE TABLE public.parted_gone (id integer, at date) PARTITION BY RANGE (at);
CREATE TABLE public.parted_gone_1 PARTITION OF public.parted_gone FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE VIEW public.gone_view AS SELECT id FROM public.child_gone;
CREATE VIEW public.gone_view2 AS SELECT id FROM public.gone_view;
CREATE MATERIALIZED VIEW public.gone_mv AS SELECT id, gone FROM public.keep;
CREATE TABLE public.other (id integer PRIMARY KEY, k integer REFERENCES public.keep (id));
-- An extra view over a column that changes type: without --unsafe it is
-- dropped and put back as it was, with it dropped for good.
CREATE VIEW public.keep_codes AS SELECT code FROM public.keep;
