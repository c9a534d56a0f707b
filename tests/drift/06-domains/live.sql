-- Domains: checks changed, added and dropped, default, NOT NULL, a base
-- type widened and a collation changed (both rebuild the domain), one missing.
CREATE DOMAIN public.email AS text CHECK (VALUE ~ '@');
CREATE DOMAIN public.qty AS integer DEFAULT 1 CONSTRAINT qty_positive CHECK (VALUE > 0);
CREATE DOMAIN public.code AS varchar(10);
CREATE DOMAIN public.label AS text;
CREATE TABLE public.items (
    id integer PRIMARY KEY,
    q public.qty,
    c public.code DEFAULT 'x',
    e public.email,
    l public.label
);
INSERT INTO public.items VALUES (1, 3, 'abc', 'a@b', 'one');
