CREATE DOMAIN public.email AS text NOT NULL CONSTRAINT email_check CHECK (VALUE ~ '@.+');
CREATE DOMAIN public.qty AS integer DEFAULT 0 CONSTRAINT qty_nonneg CHECK (VALUE >= 0);
CREATE DOMAIN public.code AS varchar(20);
CREATE DOMAIN public.label AS text COLLATE "C";
CREATE DOMAIN public.pct AS numeric(5,2) CHECK (VALUE BETWEEN 0 AND 100);
COMMENT ON DOMAIN public.pct IS 'percent';
CREATE TABLE public.items (
    id integer PRIMARY KEY,
    q public.qty,
    c public.code DEFAULT 'x',
    e public.email,
    l public.label,
    p public.pct
);
