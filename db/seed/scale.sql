-- Scale data for the reference deployment (db/migrations): many
-- organizations with their users, memberships and invitations, generated
-- set-based (generate_series) so a million orgs load in about a minute.
-- For benchmarks (bench/tenancy.sh), never for tests.
--
--   psql -v ON_ERROR_STOP=1 -d DB -f db/seed/scale.sql                 (1,000,000 orgs)
--   psql -v ON_ERROR_STOP=1 -v orgs=100000 -d DB -f db/seed/scale.sql
--
-- Variables (psql -v NAME=VALUE), all optional:
--   orgs              organizations (default 1000000)
--   users             users (default: as many as orgs)
--   members_per_org   organization memberships per org (default 5, at most 8)
--
-- Load into a database with every migration applied and nothing else in
-- the tenancy tables. What it makes, for N orgs:
--   - N users, user<i>@<domain>; 1 in 200 soft-deleted; 1 in 20 last seen
--     more than 120 days ago, the others within the last 60 days;
--   - N organizations with slugs like brave-otter-42 (50 adjectives x 50
--     nouns, numbered so they are unique) and names like "Brave Otter 42";
--     plans free (60%), team (30%), enterprise (10%), per-org resources as
--     the default profile wants them, except 1 paid org in 1,000 without its
--     basin and 1 free org in 1,000 that kept one (work for `backfill
--     resources` and findings for the audit); 1 in 100 soft-deleted;
--   - members_per_org memberships per org (5 x N by default): the owner
--     (user i, also the owner pointer), then consecutive users as admin,
--     developer, editor, viewer, ...; 1 in 100 soft-deleted;
--   - one workspace and one project per org (with its owner as admin of
--     both) for the first 10% of orgs;
--   - one invitation per 10 orgs, a tenth of them expired but pending.
-- Ids are deterministic (the row number in the last 12 hex digits, the
-- table in the first: a1 users, a2 orgs, a3 workspaces, a4 projects, a5
-- org members, a6 workspace members, a7 project members, a8 invitations),
-- so two loads of the same size are identical but for timestamps.
--
-- Speed: the rows are built consistent, so foreign keys are not checked
-- while loading (session_replication_role = replica, which needs a
-- superuser; the constraints stay, as they are in the schema, and are
-- validated in effect by construction), and the secondary indexes of the
-- three big tables are dropped and built again at the end (see below).

\set ON_ERROR_STOP 1
\if :{?orgs}
\else
\set orgs 1000000
\endif
\if :{?users}
\else
\set users :orgs
\endif
\if :{?members_per_org}
\else
\set members_per_org 5
\endif

SELECT (:orgs)::bigint > 0 AND (:users)::bigint >= (:members_per_org)::int
       AND (:members_per_org)::int BETWEEN 1 AND 8 AS scale_settings_ok \gset
\if :scale_settings_ok
\else
\echo 'scale.sql: orgs must be > 0, members_per_org from 1 to 8, users >= members_per_org'
\quit
\endif

\timing on
SET synchronous_commit = off;
SET session_replication_role = replica;
SET maintenance_work_mem = '256MB';
SET work_mem = '64MB';

BEGIN;

-- The tables must be empty: ids are fixed.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM public.organizations) OR EXISTS (SELECT 1 FROM public.users) THEN
		RAISE EXCEPTION 'scale.sql loads into empty tenancy tables; this database has data'
			USING HINT = 'create a fresh database and apply the migrations first';
	END IF;
END
$$;

CREATE TEMP TABLE scale_words (n int, adj text, noun text) ON COMMIT DROP;
INSERT INTO scale_words
SELECT i, a, n
FROM unnest(
	ARRAY['brave', 'calm', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'kind', 'lively', 'nice',
	      'proud', 'silly', 'witty', 'zealous', 'amber', 'bold', 'crisp', 'daring', 'early', 'fair',
	      'grand', 'humble', 'ivory', 'jade', 'keen', 'lucky', 'mighty', 'noble', 'odd', 'plain',
	      'quick', 'rapid', 'solid', 'tidy', 'urban', 'vivid', 'warm', 'young', 'zesty', 'agile',
	      'blue', 'cosmic', 'deep', 'electric', 'fresh', 'golden', 'hidden', 'iron', 'lunar', 'magic'],
	ARRAY['otter', 'falcon', 'maple', 'river', 'comet', 'harbor', 'meadow', 'summit', 'canyon', 'forest',
	      'island', 'lagoon', 'prairie', 'glacier', 'valley', 'badger', 'beacon', 'cedar', 'delta', 'ember',
	      'fjord', 'grove', 'heron', 'iris', 'juniper', 'kestrel', 'lantern', 'marble', 'nebula', 'orchid',
	      'pepper', 'quartz', 'raven', 'saffron', 'tundra', 'umber', 'violet', 'willow', 'yarrow', 'zephyr',
	      'anchor', 'bison', 'cobalt', 'dune', 'echo', 'fern', 'granite', 'hollow', 'indigo', 'jasper'])
	WITH ORDINALITY AS w(a, n, i);

CREATE FUNCTION pg_temp.scale_id(tab text, n bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
	SELECT (tab || '000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid
$$;

-- Secondary indexes of the big tables are built once at the end, from
-- their own definitions (pg_get_indexdef), instead of row by row: the
-- schema ends exactly as the migrations made it. Indexes that back a
-- constraint (primary keys, unique slugs) stay.
CREATE TEMP TABLE scale_indexes ON COMMIT DROP AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = 'public' AND t.relname IN ('users', 'organizations', 'organization_members')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = i.indexrelid);

DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT name FROM scale_indexes LOOP
		EXECUTE 'DROP INDEX ' || r.name;
	END LOOP;
END
$$;

-- ------------------------------------------------------------------ users

INSERT INTO public.users (id, email, display_name, created_at, last_seen_at, deleted_at)
SELECT pg_temp.scale_id('a1', i),
       'user' || i || '@' || (ARRAY['acme.example', 'globex.example', 'initech.example',
                                   'umbrella.example', 'hooli.example', 'stark.example',
                                   'wayne.example', 'soylent.example', 'example.org',
                                   'example.net'])[1 + i % 10],
       'User ' || i,
       now() - interval '2 years' + (i % 500) * interval '1 day',
       now() - CASE WHEN i % 20 = 0 THEN 120 + i % 200 ELSE i % 60 END * interval '1 day',
       CASE WHEN i % 200 = 0 THEN now() - interval '30 days' END
FROM generate_series(1, :users::bigint) AS i;

-- ------------------------------------------------------------------ organizations

INSERT INTO public.organizations (id, slug, name, plan, owner_id, created_at, deleted_at,
                                  stream_basin_name, retention_days)
SELECT pg_temp.scale_id('a2', i), s.slug, s.name, s.plan,
       pg_temp.scale_id('a1', 1 + (i - 1) % :users::bigint),
       now() - interval '3 years' + (i % 1000) * interval '1 day' + (i % 86400) * interval '1 second',
       CASE WHEN i % 100 = 0 THEN now() - interval '10 days' END,
       CASE WHEN s.plan = 'free' THEN CASE WHEN i % 1000 = 1 THEN 'basin-' || s.slug END
            WHEN i % 1000 = 7 THEN NULL
            ELSE 'basin-' || s.slug END,
       CASE WHEN s.plan = 'free' THEN CASE WHEN i % 1000 = 1 THEN 30 END
            WHEN i % 1000 = 7 THEN NULL
            WHEN s.plan = 'team' THEN 30
            ELSE 365 END
FROM generate_series(1, :orgs::bigint) AS i
CROSS JOIN LATERAL (
	SELECT w1.adj || '-' || w2.noun || '-' || i AS slug,
	       initcap(w1.adj) || ' ' || initcap(w2.noun) || ' ' || i AS name,
	       CASE WHEN i % 10 < 6 THEN 'free' WHEN i % 10 < 9 THEN 'team' ELSE 'enterprise' END AS plan
	FROM scale_words w1, scale_words w2
	WHERE w1.n = 1 + i % 50 AND w2.n = 1 + (i / 50) % 50
) AS s;

-- ------------------------------------------------------------------ memberships

INSERT INTO public.organization_members (id, user_id, organization_id, role, created_at, deleted_at)
SELECT pg_temp.scale_id('a5', i * 8 + k),
       pg_temp.scale_id('a1', 1 + (i - 1 + k) % :users::bigint),
       pg_temp.scale_id('a2', i),
       (ARRAY['owner', 'admin', 'developer', 'editor', 'viewer', 'developer', 'annotator', 'viewer'])[k + 1],
       now() - interval '2 years' + ((i + k) % 700) * interval '1 day',
       CASE WHEN k > 0 AND (i + k) % 100 = 0 THEN now() - interval '5 days' END
FROM generate_series(1, :orgs::bigint) AS i
CROSS JOIN LATERAL generate_series(0, :members_per_org::int - 1) AS k;

-- ------------------------------------------------------------------ workspaces and projects

INSERT INTO public.workspaces (id, organization_id, name, created_at)
SELECT pg_temp.scale_id('a3', i), pg_temp.scale_id('a2', i), 'Default', now() - interval '1 year'
FROM generate_series(1, greatest(:orgs::bigint / 10, 1)) AS i;

INSERT INTO public.projects (id, organization_id, workspace_id, name, is_default, created_at)
SELECT pg_temp.scale_id('a4', i), pg_temp.scale_id('a2', i), pg_temp.scale_id('a3', i),
       'Default Project', true, now() - interval '1 year'
FROM generate_series(1, greatest(:orgs::bigint / 10, 1)) AS i;

INSERT INTO public.workspace_members (id, user_id, workspace_id, role, created_at)
SELECT pg_temp.scale_id('a6', i), pg_temp.scale_id('a1', 1 + (i - 1) % :users::bigint),
       pg_temp.scale_id('a3', i), 'admin', now() - interval '1 year'
FROM generate_series(1, greatest(:orgs::bigint / 10, 1)) AS i;

INSERT INTO public.project_members (id, user_id, project_id, role, created_at)
SELECT pg_temp.scale_id('a7', i), pg_temp.scale_id('a1', 1 + (i - 1) % :users::bigint),
       pg_temp.scale_id('a4', i), 'admin', now() - interval '1 year'
FROM generate_series(1, greatest(:orgs::bigint / 10, 1)) AS i;

-- ------------------------------------------------------------------ invitations

INSERT INTO public.invitations (id, organization_id, email, role, token, status, expires_at, created_at)
SELECT pg_temp.scale_id('a8', i), pg_temp.scale_id('a2', i * 10),
       'invitee' || i || '@example.com', 'developer', 'scale-invite-' || i, 'pending',
       CASE WHEN i % 10 = 0 THEN now() - interval '3 days' ELSE now() + interval '5 days' END,
       now() - interval '2 days'
FROM generate_series(1, :orgs::bigint / 10) AS i;

DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT def FROM scale_indexes LOOP
		EXECUTE r.def;
	END LOOP;
END
$$;

COMMIT;

RESET session_replication_role;
\timing off
SELECT (SELECT count(*) FROM public.organizations) AS orgs,
       (SELECT count(*) FROM public.users) AS users,
       (SELECT count(*) FROM public.organization_members) AS org_members;
