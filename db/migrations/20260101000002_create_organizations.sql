-- migrate:up
-- Organizations, the tenants. The slug is the operator's handle for an org:
-- unique, lower-case ASCII words joined by single hyphens. It is collated
-- "C" so that keyset paging (ORDER BY slug) and prefix search (LIKE 'ac%')
-- both use the unique index whatever the database's default collation.
-- owner_id points at the owning user; the owner also has an 'owner'
-- membership row (next migrations), and the two can disagree.
CREATE TABLE public.organizations (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	slug text COLLATE "C" NOT NULL,
	name text NOT NULL,
	plan text NOT NULL DEFAULT 'free',
	owner_id uuid REFERENCES public.users (id),
	created_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	CONSTRAINT organizations_slug_key UNIQUE (slug),
	CONSTRAINT organizations_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	CONSTRAINT organizations_plan_known CHECK (plan IN ('free', 'team', 'enterprise'))
);

-- Keyset paging by creation time: (created_at, id) > ($1, $2).
CREATE INDEX organizations_created_at_id_idx ON public.organizations (created_at, id);
CREATE INDEX organizations_owner_id_idx ON public.organizations (owner_id);

-- Substring search on slug and name (tenantctl orgs search) through trigram
-- indexes: without them a million orgs are scanned for every search.
-- pg_trgm ships with the server and is a trusted extension.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX organizations_slug_trgm_idx ON public.organizations
	USING gin (slug public.gin_trgm_ops);
CREATE INDEX organizations_name_trgm_idx ON public.organizations
	USING gin (name public.gin_trgm_ops);

-- migrate:down
DROP TABLE public.organizations;
DROP EXTENSION IF EXISTS pg_trgm;
