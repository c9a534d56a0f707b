CREATE SEQUENCE public.s1 AS integer;
CREATE SEQUENCE public.s2 AS bigint START 100 INCREMENT 5 MINVALUE 1 MAXVALUE 100000 CACHE 10 CYCLE;
CREATE TABLE public.orders (id integer, ref_no bigint);
CREATE SEQUENCE public.s3 OWNED BY public.orders.ref_no;
CREATE SEQUENCE public.s4 AS smallint START 42 INCREMENT -1 MINVALUE -100 MAXVALUE 42 OWNED BY public.orders.id;
COMMENT ON SEQUENCE public.s4 IS 'counts down';
CREATE TABLE public.invoices (id serial PRIMARY KEY, n bigserial);
