CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TABLE public.keep (id integer PRIMARY KEY, code text);
ALTER TABLE public.keep ENABLE ROW LEVEL SECURITY;
CREATE TABLE public.other (id integer PRIMARY KEY, k integer);
COMMENT ON TABLE public.other IS 'kept';
