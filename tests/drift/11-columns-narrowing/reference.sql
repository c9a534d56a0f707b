CREATE TYPE public.rgb AS (b integer, g integer, r integer);
CREATE TABLE public.m (
    id integer PRIMARY KEY,
    big integer,
    txt varchar(20),
    num numeric(8,2),
    g integer GENERATED ALWAYS AS (id + 2) STORED,
    plain integer GENERATED ALWAYS AS (id * 3) STORED
);
CREATE INDEX m_g_idx ON public.m (g);
CREATE VIEW public.m_big AS SELECT id, big FROM public.m;
CREATE TABLE public.logbook (id integer NOT NULL, at date NOT NULL, line text) PARTITION BY RANGE (at);
CREATE INDEX logbook_at_idx ON public.logbook (at);
CREATE TABLE public.logbook_2024 PARTITION OF public.logbook FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
