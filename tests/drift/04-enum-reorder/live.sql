-- An enum whose labels change order: rebuilt (rename, create, move the
-- columns, drop), with a default, an array column, an index and a view in
-- the way. No label is lost, so it is not destructive.
CREATE TYPE public.prio AS ENUM ('low', 'high', 'medium');
CREATE TABLE public.tasks (
    id integer PRIMARY KEY,
    p public.prio NOT NULL DEFAULT 'low',
    history public.prio[]
);
INSERT INTO public.tasks VALUES (1, 'high', '{low,medium}'), (2, 'medium', NULL);
CREATE INDEX tasks_p_idx ON public.tasks (p);
CREATE VIEW public.urgent AS SELECT id FROM public.tasks WHERE p = 'high';
-- Functions whose signature uses the enum are dropped and created again.
CREATE FUNCTION public.prio_rank(p public.prio) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT CASE p WHEN 'high' THEN 3 ELSE 1 END $$;
CREATE FUNCTION public.top_prio() RETURNS public.prio LANGUAGE sql AS $$ SELECT 'high'::public.prio $$;
