-- Sequences: every attribute, a new owner, a missing one owned by a
-- column, and a missing serial table.
CREATE SEQUENCE public.s1;
CREATE SEQUENCE public.s2 AS integer START 10 INCREMENT 2 MINVALUE 5 MAXVALUE 1000 CACHE 1 NO CYCLE;
CREATE TABLE public.orders (id integer, ref_no bigint);
CREATE SEQUENCE public.s3 OWNED BY public.orders.id;
