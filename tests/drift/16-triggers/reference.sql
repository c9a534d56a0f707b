CREATE TABLE public.items (id integer PRIMARY KEY, name text, updated timestamptz);
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated := now(); RETURN NEW; END $$;
CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER items_touch BEFORE INSERT OR UPDATE ON public.items FOR EACH ROW EXECUTE FUNCTION public.touch();
COMMENT ON TRIGGER items_touch ON public.items IS 'keeps updated current';
CREATE TRIGGER items_audit AFTER INSERT ON public.items FOR EACH ROW EXECUTE FUNCTION public.noop();
ALTER TABLE public.items DISABLE TRIGGER items_audit;
CREATE TRIGGER items_off AFTER DELETE ON public.items FOR EACH ROW EXECUTE FUNCTION public.noop();
ALTER TABLE public.items ENABLE ALWAYS TRIGGER items_off;
CREATE TRIGGER items_name AFTER UPDATE OF name ON public.items FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION public.noop();
CREATE CONSTRAINT TRIGGER items_check AFTER INSERT ON public.items DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION public.noop();
CREATE TABLE public.logs (id integer, at date) PARTITION BY RANGE (at);
CREATE TABLE public.logs_2024 PARTITION OF public.logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TRIGGER logs_noop AFTER INSERT ON public.logs FOR EACH ROW EXECUTE FUNCTION public.noop();
