-- Planted schema drift for `tenantctl demo`, loaded into the demo database
-- right after demo.sql. The demo's reference (the database
-- tenantctl_demo_ref: every migration applied, nothing else) does not have
-- these changes, so the Drift pane shows them at once, next to the pending
-- migration (organizations.billing_email and its history row).
--
-- Each change is marked "DRIFT:" where it is planted:
--   index     public.organizations_name_lower_idx       extra (made by hand)
--   column    public.invitations.expires_at default       changed (7 days -> 14)
--   column    public.projects.name not_null, default      changed (NOT NULL dropped,
--                                                         a default added)
--   function  public.tenantctl_operator_log_reject()      changed definition (hot patch)
--   table     public.organizations_backup                 extra, allowlisted: the demo's
--             allowlist (DATADIR.allowlist) carries a rule for it, with its reason
--
-- Plain DDL: load once into a fresh demo database.

BEGIN;

-- DRIFT: an index made by hand during an incident (case-insensitive name
-- search was slow) and never written as a migration.
CREATE INDEX organizations_name_lower_idx ON public.organizations (lower(name));

-- DRIFT: a changed default. Someone gave invitations two weeks instead of the
-- reference's seven days, in production only.
ALTER TABLE public.invitations ALTER COLUMN expires_at SET DEFAULT now() + interval '14 days';

-- DRIFT: a missing NOT NULL and a default nobody wrote down, both from the
-- same bulk import (projects without a name), never put back.
ALTER TABLE public.projects ALTER COLUMN name DROP NOT NULL,
	ALTER COLUMN name SET DEFAULT 'Untitled';

-- DRIFT: a hot-patched function: the message of the operator log's guard was
-- edited in place. Its definition differs from the reference's line by line
-- (Enter on it in the Drift pane shows the diff).
CREATE OR REPLACE FUNCTION public.tenantctl_operator_log_reject() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'tenantctl_operator_log is append-only (% refused)', TG_OP
		USING HINT = 'Append a correcting row instead; ask #ops before touching this table.';
END
$$;

-- DRIFT (allowlisted): a leftover copy from a data fix, kept on purpose for
-- now. The demo's allowlist has a rule for it, so it shows dimmed, with the
-- rule's reason.
CREATE TABLE public.organizations_backup AS
	SELECT id, slug, plan FROM public.organizations;

COMMIT;
