-- Composite types: a field added at the end, a field type widened, a
-- comment, one missing (used by a new column).
CREATE TYPE public.addr AS (street text, city text);
CREATE TYPE public.pair AS (a integer, b integer);
CREATE TABLE public.places (id integer PRIMARY KEY);
