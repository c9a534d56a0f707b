CREATE TYPE public.prio AS ENUM ('low', 'medium', 'high');
CREATE TABLE public.tasks (
    id integer PRIMARY KEY,
    p public.prio NOT NULL DEFAULT 'low',
    history public.prio[]
);
CREATE INDEX tasks_p_idx ON public.tasks (p);
CREATE VIEW public.urgent AS SELECT id FROM public.tasks WHERE p = 'high';
CREATE FUNCTION public.prio_rank(p public.prio) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT CASE p WHEN 'high' THEN 3 ELSE 1 END $$;
CREATE FUNCTION public.top_prio() RETURNS public.prio LANGUAGE sql AS $$ SELECT 'high'::public.prio $$;
