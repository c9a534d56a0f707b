DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'drift_reader') THEN CREATE ROLE drift_reader; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'drift_writer') THEN CREATE ROLE drift_writer; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'Drift "Admin"') THEN CREATE ROLE "Drift ""Admin"""; END IF;
END $$;
CREATE TABLE public.notes (id integer PRIMARY KEY, owner name NOT NULL DEFAULT current_user, body text, tenant bigint);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.notes FORCE ROW LEVEL SECURITY;
CREATE TABLE public.secrets (id integer);
CREATE POLICY own ON public.notes USING (owner = current_user) WITH CHECK (owner = current_user);
CREATE POLICY tenant_read ON public.notes AS RESTRICTIVE FOR SELECT TO drift_reader, "Drift ""Admin""" USING (tenant = 2);
CREATE POLICY writers_insert ON public.notes FOR INSERT TO drift_writer WITH CHECK (tenant IS NOT NULL);
CREATE POLICY del ON public.notes FOR DELETE USING (false);
CREATE POLICY upd ON public.notes FOR UPDATE TO PUBLIC USING (true) WITH CHECK (body <> '');
CREATE POLICY tenant_upd ON public.notes FOR UPDATE USING (tenant > 0);
CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER notes_tenant BEFORE UPDATE ON public.notes FOR EACH ROW WHEN (NEW.tenant > 0) EXECUTE FUNCTION public.noop();
