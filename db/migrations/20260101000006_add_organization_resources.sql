-- migrate:up
-- Per-organization resources. Paid plans (team, enterprise) get a stream
-- basin of their own and a retention period; free orgs have neither. The
-- database does not enforce the rule (provisioning happens outside it), so
-- it can drift: the audit checks it and `backfill resources` repairs it.
ALTER TABLE public.organizations
	ADD COLUMN stream_basin_name text,
	ADD COLUMN retention_days integer,
	ADD CONSTRAINT organizations_retention_days_positive CHECK (retention_days > 0);

-- migrate:down
ALTER TABLE public.organizations
	DROP CONSTRAINT organizations_retention_days_positive,
	DROP COLUMN retention_days,
	DROP COLUMN stream_basin_name;
