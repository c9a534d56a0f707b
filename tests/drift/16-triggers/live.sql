-- Triggers: a definition changed, enabled states (disabled, always), a new
-- one with a column list and WHEN, a constraint trigger, one on a
-- partitioned table (the partitions' clones are not listed), a comment.
CREATE TABLE public.items (id integer PRIMARY KEY, name text, updated timestamptz);
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated := now(); RETURN NEW; END $$;
CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER items_touch BEFORE UPDATE ON public.items FOR EACH ROW EXECUTE FUNCTION public.touch();
CREATE TRIGGER items_audit AFTER INSERT ON public.items FOR EACH ROW EXECUTE FUNCTION public.noop();
CREATE TRIGGER items_off AFTER DELETE ON public.items FOR EACH ROW EXECUTE FUNCTION public.noop();
CREATE TABLE public.logs (id integer, at date) PARTITION BY RANGE (at);
CREATE TABLE public.logs_2024 PARTITION OF public.logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
