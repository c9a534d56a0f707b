-- Functions and procedures: volatility, strictness, security definer, a
-- body, a result type (drop and create), renamed parameters, new ones
-- (two that use a new table), a comment.
CREATE TABLE public.t (id integer PRIMARY KEY, v integer);
CREATE FUNCTION public.add1(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT x + 1 $$;
CREATE FUNCTION public.body(x integer) RETURNS integer LANGUAGE plpgsql AS $$ BEGIN RETURN x; END $$;
CREATE FUNCTION public.secure() RETURNS text LANGUAGE sql AS $$ SELECT current_user::text $$;
CREATE FUNCTION public.ret() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION public.renamed(a integer) RETURNS integer LANGUAGE sql AS $$ SELECT a $$;
CREATE PROCEDURE public.proc(n integer) LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE '%', n; END $$;
CREATE FUNCTION public.overloaded(integer) RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
