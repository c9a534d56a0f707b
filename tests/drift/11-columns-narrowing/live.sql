-- Destructive column changes (--unsafe): narrowing types, a generation
-- expression changed and a plain column turned generated (drop and add,
-- with the index on it), a composite type whose fields change order.
CREATE TYPE public.rgb AS (r integer, g integer, b integer);
CREATE TABLE public.m (
    id integer PRIMARY KEY,
    big bigint,
    txt text,
    num numeric(10,2),
    g integer GENERATED ALWAYS AS (id + 1) STORED,
    plain integer
);
CREATE INDEX m_g_idx ON public.m (g);
INSERT INTO public.m (id, big, txt, num, plain) VALUES (1, 10, 'short', 123.45, 3);
CREATE VIEW public.m_big AS SELECT id, big FROM public.m;
-- A table that becomes partitioned is created again.
CREATE TABLE public.logbook (id integer NOT NULL, at date NOT NULL, line text);
CREATE INDEX logbook_at_idx ON public.logbook (at);
