CREATE TABLE public.t (id integer PRIMARY KEY, v integer);
CREATE FUNCTION public.add1(x integer) RETURNS integer LANGUAGE sql STABLE AS $$ SELECT x + 1 $$;
COMMENT ON FUNCTION public.add1(integer) IS 'adds one';
CREATE FUNCTION public.body(x integer) RETURNS integer LANGUAGE plpgsql STRICT AS $$ BEGIN RETURN x * 2; END $$;
CREATE FUNCTION public.secure() RETURNS text LANGUAGE sql SECURITY DEFINER AS $$ SELECT current_user::text $$;
CREATE FUNCTION public.ret() RETURNS bigint LANGUAGE sql AS $$ SELECT 1::bigint $$;
CREATE FUNCTION public.renamed(b integer) RETURNS integer LANGUAGE sql AS $$ SELECT b $$;
CREATE PROCEDURE public.proc(n integer) LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'n=%', n; END $$;
COMMENT ON PROCEDURE public.proc(integer) IS 'says n';
CREATE FUNCTION public.overloaded(integer) RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION public.overloaded(text) RETURNS integer LANGUAGE sql AS $$ SELECT 2 $$;
CREATE TABLE public.t2 (a integer);
CREATE FUNCTION public.t2_rows() RETURNS SETOF public.t2 LANGUAGE sql STABLE AS $$ SELECT * FROM public.t2 $$;
-- A SQL-standard body is parsed when created: it waits for the new table.
CREATE FUNCTION public.t2_count() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM public.t2; END;
