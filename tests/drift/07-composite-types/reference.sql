CREATE TYPE public.addr AS (street text, city text, zip text);
COMMENT ON TYPE public.addr IS 'postal address';
CREATE TYPE public.pair AS (a bigint, b integer);
CREATE TYPE public.money2 AS (amount numeric(12,2), currency character(3));
CREATE TABLE public.places (id integer PRIMARY KEY, price public.money2, at public.addr);
