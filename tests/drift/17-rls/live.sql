DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'drift_reader') THEN CREATE ROLE drift_reader; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'drift_writer') THEN CREATE ROLE drift_writer; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'Drift "Admin"') THEN CREATE ROLE "Drift ""Admin"""; END IF;
END $$;
-- Row-level security: enabled and forced on and off, policies changed
-- (command, permissive, roles, USING, WITH CHECK), new ones, and a column
-- a policy uses changes type under it.
CREATE TABLE public.notes (id integer PRIMARY KEY, owner name NOT NULL DEFAULT current_user, body text, tenant integer);
CREATE TABLE public.secrets (id integer);
ALTER TABLE public.secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON public.notes USING (owner = current_user);
CREATE POLICY tenant_read ON public.notes FOR SELECT TO drift_reader USING (tenant = 1);
-- An unchanged policy and a trigger that use the column whose type changes.
CREATE POLICY tenant_upd ON public.notes FOR UPDATE USING (tenant > 0);
CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER notes_tenant BEFORE UPDATE ON public.notes FOR EACH ROW WHEN (NEW.tenant > 0) EXECUTE FUNCTION public.noop();
