-- Demo data for the reference deployment (db/migrations), loaded by
-- `tenantctl demo` into a fresh database with every migration applied but
-- the newest, so it must not name anything the newest migration adds.
--
-- Eight organizations, thirty-odd users, workspaces and projects, members at
-- all three scopes, invitations, and a few rows of the operator audit log.
-- Ids are fixed literals so the demo (and the tests that read it) are
-- deterministic; times are relative to now() so "expired" and "stale" stay
-- true whenever the demo is built. The first digit of an id says its
-- table: 1 users, 2 organizations, 3 workspaces, 4 projects, 5 organization
-- members, 6 workspace members, 7 project members, 8 invitations.
--
-- Planted audit findings, each marked "FINDING (org)" where it is planted:
--   globex            org with no live owner
--   initech           owner_id disagrees with the owner membership
--   initech           paid (team) org without a stream basin
--   umbrella          two live owners
--   umbrella          role outside the known set ('superadmin')
--   hooli             duplicate membership (gilfoyle twice in the org)
--   hooli             free org that still has a stream basin
--   stark-industries  NULL role (rhodey)
--   stark-industries  project member who is not an org member (happy)
--   stark-industries  project whose workspace belongs to another org (jarvis)
--   wayne-enterprises live membership in a soft-deleted org (bruce)
--   soylent           live membership of a soft-deleted user (mallory)
--   soylent           invitation expired but still pending
--   acme              pending invitation for an existing member (bob)
--   acme              admin not seen for 200 days (dave)
--   (no org)          live user with no membership (zoe)
-- Everything else is meant to be clean, so each check finds exactly the
-- rows above; the near misses are marked "near miss:".
--
-- Plain INSERTs: load once into a fresh database.

BEGIN;

-- ------------------------------------------------------------------ users

INSERT INTO public.users (id, email, display_name, created_at, last_seen_at, deleted_at) VALUES
	-- acme
	('10000000-0000-4000-8000-000000000001', 'alice@acme.example', 'Alice Anders', now() - interval '700 days', now() - interval '1 day', NULL),
	('10000000-0000-4000-8000-000000000002', 'bob.builder@acme.example', 'Bob Builder', now() - interval '650 days', now() - interval '2 days', NULL),
	('10000000-0000-4000-8000-000000000003', 'carol@acme.example', 'Carol Chen', now() - interval '600 days', now() - interval '5 days', NULL),
	-- FINDING (acme): dave is an admin at every scope of acme and was last
	-- seen 200 days ago: a privileged member with no recent activity.
	('10000000-0000-4000-8000-000000000004', 'dave@acme.example', 'Dave Doyle', now() - interval '690 days', now() - interval '200 days', NULL),
	('10000000-0000-4000-8000-000000000005', 'erin@acme.example', 'Erin Ekwueme', now() - interval '400 days', now() - interval '3 days', NULL),
	('10000000-0000-4000-8000-000000000006', 'happy@acme.example', 'Happy Hogan', now() - interval '380 days', now() - interval '8 days', NULL),
	-- globex
	-- hank owned globex; his account was deleted (and his owner membership
	-- ended with it), so he is neither live nor a live member anywhere.
	('10000000-0000-4000-8000-000000000007', 'hank@globex.example', 'Hank Scorpio', now() - interval '680 days', now() - interval '120 days', now() - interval '90 days'),
	('10000000-0000-4000-8000-000000000008', 'marge@globex.example', 'Marge Bouvier', now() - interval '670 days', now() - interval '4 days', NULL),
	('10000000-0000-4000-8000-000000000009', 'homer@globex.example', 'Homer Simpson', now() - interval '660 days', now() - interval '6 days', NULL),
	('10000000-0000-4000-8000-000000000010', 'lisa@globex.example', 'Lisa Simpson', now() - interval '100 days', now() - interval '1 day', NULL),
	-- initech
	('10000000-0000-4000-8000-000000000011', 'peter@initech.example', 'Peter Gibbons', now() - interval '500 days', now() - interval '2 days', NULL),
	('10000000-0000-4000-8000-000000000012', 'bill@initech.example', 'Bill Lumbergh', now() - interval '510 days', now() - interval '1 day', NULL),
	('10000000-0000-4000-8000-000000000013', 'michael@initech.example', 'Michael Bolton', now() - interval '490 days', now() - interval '9 days', NULL),
	('10000000-0000-4000-8000-000000000014', 'samir@initech.example', 'Samir Nagheenanajar', now() - interval '480 days', now() - interval '9 days', NULL),
	('10000000-0000-4000-8000-000000000015', 'milton@initech.example', 'Milton Waddams', now() - interval '470 days', now() - interval '60 days', NULL),
	-- umbrella
	('10000000-0000-4000-8000-000000000016', 'albert@umbrella.example', 'Albert Wesker', now() - interval '450 days', now() - interval '1 day', NULL),
	('10000000-0000-4000-8000-000000000017', 'ada@umbrella.example', 'Ada Wong', now() - interval '440 days', now() - interval '3 days', NULL),
	('10000000-0000-4000-8000-000000000018', 'jill@umbrella.example', 'Jill Valentine', now() - interval '430 days', now() - interval '2 days', NULL),
	('10000000-0000-4000-8000-000000000019', 'chris@umbrella.example', 'Chris Redfield', now() - interval '420 days', now() - interval '12 days', NULL),
	-- hooli
	('10000000-0000-4000-8000-000000000020', 'gavin@hooli.example', 'Gavin Belson', now() - interval '365 days', now() - interval '1 day', NULL),
	('10000000-0000-4000-8000-000000000021', 'richard@hooli.example', 'Richard Hendricks', now() - interval '360 days', now() - interval '2 days', NULL),
	('10000000-0000-4000-8000-000000000022', 'gilfoyle@hooli.example', 'Bertram Gilfoyle', now() - interval '355 days', now() - interval '1 day', NULL),
	('10000000-0000-4000-8000-000000000023', 'dinesh@hooli.example', 'Dinesh Chugtai', now() - interval '350 days', now() - interval '1 day', NULL),
	-- stark-industries (bruce also owns the deleted wayne-enterprises)
	('10000000-0000-4000-8000-000000000024', 'tony@stark.example', 'Tony Stark', now() - interval '300 days', now() - interval '1 day', NULL),
	('10000000-0000-4000-8000-000000000025', 'pepper@stark.example', 'Pepper Potts', now() - interval '295 days', now() - interval '1 day', NULL),
	('10000000-0000-4000-8000-000000000026', 'rhodey@stark.example', 'James Rhodes', now() - interval '290 days', now() - interval '15 days', NULL),
	('10000000-0000-4000-8000-000000000027', 'bruce@wayne.example', 'Bruce Wayne', now() - interval '280 days', now() - interval '7 days', NULL),
	-- soylent
	('10000000-0000-4000-8000-000000000028', 'sol@soylent.example', 'Sol Roth', now() - interval '200 days', now() - interval '2 days', NULL),
	-- mallory's account was soft-deleted; her soylent membership was not
	-- (the FINDING is planted on the membership below).
	('10000000-0000-4000-8000-000000000029', 'mallory@soylent.example', 'Mallory Knox', now() - interval '190 days', now() - interval '40 days', now() - interval '30 days'),
	('10000000-0000-4000-8000-000000000030', 'thorn@soylent.example', 'Frank Thorn', now() - interval '180 days', now() - interval '5 days', NULL),
	-- FINDING (no org): zoe signed up and never joined anything: a live user
	-- with no membership at any scope.
	('10000000-0000-4000-8000-000000000031', 'zoe@example.org', 'Zoe Quinn', now() - interval '45 days', now() - interval '44 days', NULL);

-- ------------------------------------------------------------------ organizations

INSERT INTO public.organizations (id, slug, name, plan, owner_id, stream_basin_name, retention_days, created_at, deleted_at) VALUES
	('20000000-0000-4000-8000-000000000001', 'acme', 'Acme Corporation', 'enterprise', '10000000-0000-4000-8000-000000000001', 'acme-events', 365, now() - interval '700 days', NULL),
	-- FINDING (globex): no live owner. Its owner (hank) was deleted and
	-- nobody was promoted; the owner pointer was cleared with him, so the
	-- pointer (NULL) and the memberships (no owner) agree.
	('20000000-0000-4000-8000-000000000002', 'globex', 'Globex Corporation', 'team', NULL, 'globex-events', 30, now() - interval '680 days', NULL),
	-- FINDING (initech): owner_id names bill (an admin), but the owner
	-- membership is peter's.
	-- FINDING (initech): a paid (team) org without its stream basin.
	('20000000-0000-4000-8000-000000000003', 'initech', 'Initech', 'team', '10000000-0000-4000-8000-000000000012', NULL, NULL, now() - interval '510 days', NULL),
	('20000000-0000-4000-8000-000000000004', 'umbrella', 'Umbrella Corporation', 'enterprise', '10000000-0000-4000-8000-000000000016', 'umbrella-events', 180, now() - interval '450 days', NULL),
	-- FINDING (hooli): a free org that still has a stream basin (it was
	-- downgraded and the resource never cleared).
	('20000000-0000-4000-8000-000000000005', 'hooli', 'Hooli', 'free', '10000000-0000-4000-8000-000000000020', 'hooli-events', 30, now() - interval '365 days', NULL),
	('20000000-0000-4000-8000-000000000006', 'stark-industries', 'Stark Industries', 'team', '10000000-0000-4000-8000-000000000024', 'stark-industries-events', 30, now() - interval '300 days', NULL),
	-- wayne-enterprises is soft-deleted (its live membership is the finding).
	-- near miss: a deleted paid org keeps its basin until it is purged.
	('20000000-0000-4000-8000-000000000007', 'wayne-enterprises', 'Wayne Enterprises', 'enterprise', '10000000-0000-4000-8000-000000000027', 'wayne-enterprises-events', 90, now() - interval '280 days', now() - interval '10 days'),
	-- near miss: a free org with no basin, as it should be.
	('20000000-0000-4000-8000-000000000008', 'soylent', 'Soylent Industries', 'free', '10000000-0000-4000-8000-000000000028', NULL, NULL, now() - interval '200 days', NULL);

-- ------------------------------------------------------------------ workspaces

INSERT INTO public.workspaces (id, organization_id, name, created_at, deleted_at) VALUES
	('30000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001', 'Platform', now() - interval '700 days', NULL),
	('30000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000001', 'Research', now() - interval '400 days', NULL),
	('30000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000002', 'Default', now() - interval '680 days', NULL),
	('30000000-0000-4000-8000-000000000004', '20000000-0000-4000-8000-000000000003', 'Default', now() - interval '510 days', NULL),
	('30000000-0000-4000-8000-000000000005', '20000000-0000-4000-8000-000000000004', 'Labs', now() - interval '450 days', NULL),
	('30000000-0000-4000-8000-000000000006', '20000000-0000-4000-8000-000000000005', 'Core', now() - interval '365 days', NULL),
	('30000000-0000-4000-8000-000000000007', '20000000-0000-4000-8000-000000000005', 'Nucleus', now() - interval '200 days', NULL),
	('30000000-0000-4000-8000-000000000008', '20000000-0000-4000-8000-000000000006', 'Engineering', now() - interval '300 days', NULL),
	('30000000-0000-4000-8000-000000000009', '20000000-0000-4000-8000-000000000007', 'Default', now() - interval '280 days', now() - interval '10 days'),
	('30000000-0000-4000-8000-000000000010', '20000000-0000-4000-8000-000000000008', 'Default', now() - interval '200 days', NULL);

-- ------------------------------------------------------------------ projects

INSERT INTO public.projects (id, organization_id, workspace_id, name, is_default, created_at, deleted_at) VALUES
	('40000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 'Default Project', true, now() - interval '700 days', NULL),
	('40000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 'api', false, now() - interval '600 days', NULL),
	('40000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 'web', false, now() - interval '500 days', NULL),
	('40000000-0000-4000-8000-000000000004', '20000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000002', 'labeling', false, now() - interval '400 days', NULL),
	('40000000-0000-4000-8000-000000000005', '20000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000003', 'Default Project', true, now() - interval '680 days', NULL),
	('40000000-0000-4000-8000-000000000006', '20000000-0000-4000-8000-000000000003', '30000000-0000-4000-8000-000000000004', 'Default Project', true, now() - interval '510 days', NULL),
	('40000000-0000-4000-8000-000000000007', '20000000-0000-4000-8000-000000000003', '30000000-0000-4000-8000-000000000004', 'tps-reports', false, now() - interval '300 days', NULL),
	('40000000-0000-4000-8000-000000000008', '20000000-0000-4000-8000-000000000004', '30000000-0000-4000-8000-000000000005', 'Default Project', true, now() - interval '450 days', NULL),
	('40000000-0000-4000-8000-000000000009', '20000000-0000-4000-8000-000000000005', '30000000-0000-4000-8000-000000000006', 'Default Project', true, now() - interval '365 days', NULL),
	('40000000-0000-4000-8000-000000000010', '20000000-0000-4000-8000-000000000005', '30000000-0000-4000-8000-000000000007', 'middle-out', false, now() - interval '200 days', NULL),
	('40000000-0000-4000-8000-000000000011', '20000000-0000-4000-8000-000000000006', '30000000-0000-4000-8000-000000000008', 'Default Project', true, now() - interval '300 days', NULL),
	('40000000-0000-4000-8000-000000000012', '20000000-0000-4000-8000-000000000006', '30000000-0000-4000-8000-000000000008', 'arc-reactor', false, now() - interval '250 days', NULL),
	-- FINDING (stark-industries): project jarvis belongs to stark-industries
	-- but its workspace is hooli's Nucleus (it was moved between orgs and the
	-- workspace was never updated). It has no members, so it finds nothing else.
	('40000000-0000-4000-8000-000000000013', '20000000-0000-4000-8000-000000000006', '30000000-0000-4000-8000-000000000007', 'jarvis', false, now() - interval '150 days', NULL),
	('40000000-0000-4000-8000-000000000014', '20000000-0000-4000-8000-000000000007', '30000000-0000-4000-8000-000000000009', 'Default Project', true, now() - interval '280 days', now() - interval '10 days'),
	('40000000-0000-4000-8000-000000000015', '20000000-0000-4000-8000-000000000008', '30000000-0000-4000-8000-000000000010', 'Default Project', true, now() - interval '200 days', NULL);

-- ------------------------------------------------------------------ organization members

INSERT INTO public.organization_members (id, user_id, organization_id, role, created_at, deleted_at) VALUES
	-- acme: one owner, who is also the owner pointer
	('50000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001', 'owner', now() - interval '700 days', NULL),
	('50000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000001', 'developer', now() - interval '650 days', NULL),
	('50000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000001', 'editor', now() - interval '600 days', NULL),
	('50000000-0000-4000-8000-000000000004', '10000000-0000-4000-8000-000000000004', '20000000-0000-4000-8000-000000000001', 'admin', now() - interval '690 days', NULL),
	('50000000-0000-4000-8000-000000000005', '10000000-0000-4000-8000-000000000005', '20000000-0000-4000-8000-000000000001', 'annotator', now() - interval '400 days', NULL),
	('50000000-0000-4000-8000-000000000006', '10000000-0000-4000-8000-000000000006', '20000000-0000-4000-8000-000000000001', 'viewer', now() - interval '380 days', NULL),
	-- near miss (acme): carol was a developer, left, and came back as an
	-- editor; the old row is soft-deleted, so it is not a duplicate.
	('50000000-0000-4000-8000-000000000007', '10000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000001', 'developer', now() - interval '650 days', now() - interval '610 days'),
	-- globex: FINDING (globex): hank's owner membership ended with his
	-- account and nobody holds 'owner' now.
	('50000000-0000-4000-8000-000000000008', '10000000-0000-4000-8000-000000000007', '20000000-0000-4000-8000-000000000002', 'owner', now() - interval '680 days', now() - interval '90 days'),
	('50000000-0000-4000-8000-000000000009', '10000000-0000-4000-8000-000000000008', '20000000-0000-4000-8000-000000000002', 'admin', now() - interval '670 days', NULL),
	('50000000-0000-4000-8000-000000000010', '10000000-0000-4000-8000-000000000009', '20000000-0000-4000-8000-000000000002', 'developer', now() - interval '660 days', NULL),
	('50000000-0000-4000-8000-000000000011', '10000000-0000-4000-8000-000000000010', '20000000-0000-4000-8000-000000000002', 'viewer', now() - interval '100 days', NULL),
	-- initech: the owner membership is peter's (the pointer says bill).
	('50000000-0000-4000-8000-000000000012', '10000000-0000-4000-8000-000000000011', '20000000-0000-4000-8000-000000000003', 'owner', now() - interval '500 days', NULL),
	('50000000-0000-4000-8000-000000000013', '10000000-0000-4000-8000-000000000012', '20000000-0000-4000-8000-000000000003', 'admin', now() - interval '510 days', NULL),
	('50000000-0000-4000-8000-000000000014', '10000000-0000-4000-8000-000000000013', '20000000-0000-4000-8000-000000000003', 'developer', now() - interval '490 days', NULL),
	('50000000-0000-4000-8000-000000000015', '10000000-0000-4000-8000-000000000014', '20000000-0000-4000-8000-000000000003', 'developer', now() - interval '480 days', NULL),
	('50000000-0000-4000-8000-000000000016', '10000000-0000-4000-8000-000000000015', '20000000-0000-4000-8000-000000000003', 'viewer', now() - interval '470 days', NULL),
	-- umbrella: FINDING (umbrella): two live owners, albert (the pointer) and ada.
	('50000000-0000-4000-8000-000000000017', '10000000-0000-4000-8000-000000000016', '20000000-0000-4000-8000-000000000004', 'owner', now() - interval '450 days', NULL),
	('50000000-0000-4000-8000-000000000018', '10000000-0000-4000-8000-000000000017', '20000000-0000-4000-8000-000000000004', 'owner', now() - interval '200 days', NULL),
	-- FINDING (umbrella): a role outside the known set.
	('50000000-0000-4000-8000-000000000019', '10000000-0000-4000-8000-000000000018', '20000000-0000-4000-8000-000000000004', 'superadmin', now() - interval '430 days', NULL),
	('50000000-0000-4000-8000-000000000020', '10000000-0000-4000-8000-000000000019', '20000000-0000-4000-8000-000000000004', 'developer', now() - interval '420 days', NULL),
	-- hooli
	('50000000-0000-4000-8000-000000000021', '10000000-0000-4000-8000-000000000020', '20000000-0000-4000-8000-000000000005', 'owner', now() - interval '365 days', NULL),
	('50000000-0000-4000-8000-000000000022', '10000000-0000-4000-8000-000000000021', '20000000-0000-4000-8000-000000000005', 'admin', now() - interval '360 days', NULL),
	-- FINDING (hooli): gilfoyle is a live member of hooli twice (a retried
	-- invitation accept); `audit fix` keeps the older row (...0023).
	('50000000-0000-4000-8000-000000000023', '10000000-0000-4000-8000-000000000022', '20000000-0000-4000-8000-000000000005', 'developer', now() - interval '355 days', NULL),
	('50000000-0000-4000-8000-000000000024', '10000000-0000-4000-8000-000000000022', '20000000-0000-4000-8000-000000000005', 'developer', now() - interval '20 days', NULL),
	('50000000-0000-4000-8000-000000000025', '10000000-0000-4000-8000-000000000023', '20000000-0000-4000-8000-000000000005', 'developer', now() - interval '350 days', NULL),
	-- stark-industries
	('50000000-0000-4000-8000-000000000026', '10000000-0000-4000-8000-000000000024', '20000000-0000-4000-8000-000000000006', 'owner', now() - interval '300 days', NULL),
	('50000000-0000-4000-8000-000000000027', '10000000-0000-4000-8000-000000000025', '20000000-0000-4000-8000-000000000006', 'admin', now() - interval '295 days', NULL),
	-- FINDING (stark-industries): a membership with no role at all.
	('50000000-0000-4000-8000-000000000028', '10000000-0000-4000-8000-000000000026', '20000000-0000-4000-8000-000000000006', NULL, now() - interval '290 days', NULL),
	('50000000-0000-4000-8000-000000000029', '10000000-0000-4000-8000-000000000027', '20000000-0000-4000-8000-000000000006', 'developer', now() - interval '250 days', NULL),
	-- wayne-enterprises: FINDING (wayne-enterprises): the org was
	-- soft-deleted but bruce's owner membership is still live.
	('50000000-0000-4000-8000-000000000030', '10000000-0000-4000-8000-000000000027', '20000000-0000-4000-8000-000000000007', 'owner', now() - interval '280 days', NULL),
	-- soylent
	('50000000-0000-4000-8000-000000000031', '10000000-0000-4000-8000-000000000028', '20000000-0000-4000-8000-000000000008', 'owner', now() - interval '200 days', NULL),
	-- FINDING (soylent): mallory's account is soft-deleted, her membership is live.
	('50000000-0000-4000-8000-000000000032', '10000000-0000-4000-8000-000000000029', '20000000-0000-4000-8000-000000000008', 'developer', now() - interval '190 days', NULL),
	('50000000-0000-4000-8000-000000000033', '10000000-0000-4000-8000-000000000030', '20000000-0000-4000-8000-000000000008', 'developer', now() - interval '180 days', NULL);

-- ------------------------------------------------------------------ workspace members

-- Every workspace member is also a member of the workspace's org.
INSERT INTO public.workspace_members (id, user_id, workspace_id, role, created_at, deleted_at) VALUES
	('60000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 'admin', now() - interval '700 days', NULL),
	('60000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000001', 'developer', now() - interval '650 days', NULL),
	('60000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000004', '30000000-0000-4000-8000-000000000001', 'admin', now() - interval '690 days', NULL),
	('60000000-0000-4000-8000-000000000004', '10000000-0000-4000-8000-000000000003', '30000000-0000-4000-8000-000000000002', 'editor', now() - interval '400 days', NULL),
	('60000000-0000-4000-8000-000000000005', '10000000-0000-4000-8000-000000000005', '30000000-0000-4000-8000-000000000002', 'annotator', now() - interval '400 days', NULL),
	('60000000-0000-4000-8000-000000000006', '10000000-0000-4000-8000-000000000008', '30000000-0000-4000-8000-000000000003', 'admin', now() - interval '670 days', NULL),
	('60000000-0000-4000-8000-000000000007', '10000000-0000-4000-8000-000000000009', '30000000-0000-4000-8000-000000000003', 'developer', now() - interval '660 days', NULL),
	('60000000-0000-4000-8000-000000000008', '10000000-0000-4000-8000-000000000011', '30000000-0000-4000-8000-000000000004', 'admin', now() - interval '500 days', NULL),
	('60000000-0000-4000-8000-000000000009', '10000000-0000-4000-8000-000000000013', '30000000-0000-4000-8000-000000000004', 'developer', now() - interval '490 days', NULL),
	('60000000-0000-4000-8000-000000000010', '10000000-0000-4000-8000-000000000016', '30000000-0000-4000-8000-000000000005', 'admin', now() - interval '450 days', NULL),
	('60000000-0000-4000-8000-000000000011', '10000000-0000-4000-8000-000000000019', '30000000-0000-4000-8000-000000000005', 'developer', now() - interval '420 days', NULL),
	('60000000-0000-4000-8000-000000000012', '10000000-0000-4000-8000-000000000021', '30000000-0000-4000-8000-000000000006', 'admin', now() - interval '360 days', NULL),
	('60000000-0000-4000-8000-000000000013', '10000000-0000-4000-8000-000000000022', '30000000-0000-4000-8000-000000000006', 'developer', now() - interval '355 days', NULL),
	('60000000-0000-4000-8000-000000000014', '10000000-0000-4000-8000-000000000023', '30000000-0000-4000-8000-000000000006', 'developer', now() - interval '350 days', NULL),
	('60000000-0000-4000-8000-000000000015', '10000000-0000-4000-8000-000000000022', '30000000-0000-4000-8000-000000000007', 'developer', now() - interval '200 days', NULL),
	('60000000-0000-4000-8000-000000000016', '10000000-0000-4000-8000-000000000024', '30000000-0000-4000-8000-000000000008', 'admin', now() - interval '300 days', NULL),
	('60000000-0000-4000-8000-000000000017', '10000000-0000-4000-8000-000000000025', '30000000-0000-4000-8000-000000000008', 'admin', now() - interval '295 days', NULL),
	('60000000-0000-4000-8000-000000000018', '10000000-0000-4000-8000-000000000027', '30000000-0000-4000-8000-000000000008', 'developer', now() - interval '250 days', NULL),
	('60000000-0000-4000-8000-000000000019', '10000000-0000-4000-8000-000000000028', '30000000-0000-4000-8000-000000000010', 'admin', now() - interval '200 days', NULL);

-- ------------------------------------------------------------------ project members

INSERT INTO public.project_members (id, user_id, project_id, role, created_at, deleted_at) VALUES
	('70000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002', '40000000-0000-4000-8000-000000000002', 'developer', now() - interval '600 days', NULL),
	('70000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000004', '40000000-0000-4000-8000-000000000002', 'admin', now() - interval '600 days', NULL),
	('70000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000003', '40000000-0000-4000-8000-000000000003', 'editor', now() - interval '500 days', NULL),
	('70000000-0000-4000-8000-000000000004', '10000000-0000-4000-8000-000000000005', '40000000-0000-4000-8000-000000000004', 'annotator', now() - interval '400 days', NULL),
	('70000000-0000-4000-8000-000000000005', '10000000-0000-4000-8000-000000000009', '40000000-0000-4000-8000-000000000005', 'developer', now() - interval '660 days', NULL),
	('70000000-0000-4000-8000-000000000006', '10000000-0000-4000-8000-000000000013', '40000000-0000-4000-8000-000000000007', 'developer', now() - interval '300 days', NULL),
	('70000000-0000-4000-8000-000000000007', '10000000-0000-4000-8000-000000000014', '40000000-0000-4000-8000-000000000007', 'developer', now() - interval '300 days', NULL),
	('70000000-0000-4000-8000-000000000008', '10000000-0000-4000-8000-000000000022', '40000000-0000-4000-8000-000000000010', 'developer', now() - interval '200 days', NULL),
	('70000000-0000-4000-8000-000000000009', '10000000-0000-4000-8000-000000000024', '40000000-0000-4000-8000-000000000012', 'admin', now() - interval '250 days', NULL),
	-- FINDING (stark-industries): happy (an acme member) was added to
	-- stark's arc-reactor project but is not a member of stark-industries.
	('70000000-0000-4000-8000-000000000010', '10000000-0000-4000-8000-000000000006', '40000000-0000-4000-8000-000000000012', 'viewer', now() - interval '100 days', NULL),
	-- near miss: milton's ended project membership is not a finding.
	('70000000-0000-4000-8000-000000000011', '10000000-0000-4000-8000-000000000015', '40000000-0000-4000-8000-000000000007', 'viewer', now() - interval '400 days', now() - interval '200 days');

-- ------------------------------------------------------------------ invitations

INSERT INTO public.invitations (id, organization_id, project_id, email, role, token, status, expires_at, created_at, accepted_at) VALUES
	-- acme: an ordinary pending invitation for a newcomer.
	('80000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001', NULL, 'frank@acme.example', 'developer', 'demo-invite-acme-frank-3b9e1c', 'pending', now() + interval '5 days', now() - interval '2 days', NULL),
	-- FINDING (acme): a pending invitation for bob, who is already a member of acme.
	('80000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000001', NULL, 'bob.builder@acme.example', 'admin', 'demo-invite-acme-bob-77d2a0', 'pending', now() + interval '4 days', now() - interval '3 days', NULL),
	-- globex: lisa accepted hers.
	('80000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000002', NULL, 'lisa@globex.example', 'viewer', 'demo-invite-globex-lisa-5a1f42', 'accepted', now() - interval '93 days', now() - interval '100 days', now() - interval '100 days'),
	-- near miss (initech): expired, and marked expired.
	('80000000-0000-4000-8000-000000000004', '20000000-0000-4000-8000-000000000003', NULL, 'joanna@chotchkies.example', 'viewer', 'demo-invite-initech-joanna-e80c19', 'expired', now() - interval '60 days', now() - interval '67 days', NULL),
	('80000000-0000-4000-8000-000000000005', '20000000-0000-4000-8000-000000000004', NULL, 'leon@raccoon.example', 'developer', 'demo-invite-umbrella-leon-0c44d7', 'revoked', now() - interval '20 days', now() - interval '27 days', NULL),
	-- near miss (hooli): pepper is a member of stark-industries, not of hooli.
	('80000000-0000-4000-8000-000000000006', '20000000-0000-4000-8000-000000000005', NULL, 'pepper@stark.example', 'viewer', 'demo-invite-hooli-pepper-9f03b6', 'pending', now() + interval '6 days', now() - interval '1 day', NULL),
	-- stark-industries: a project-level invitation.
	('80000000-0000-4000-8000-000000000007', '20000000-0000-4000-8000-000000000006', '40000000-0000-4000-8000-000000000012', 'peter.parker@stark.example', 'developer', 'demo-invite-stark-peter-2d6e88', 'pending', now() + interval '7 days', now(), NULL),
	-- FINDING (soylent): expired three days ago and still pending.
	('80000000-0000-4000-8000-000000000008', '20000000-0000-4000-8000-000000000008', NULL, 'newhire@soylent.example', 'developer', 'demo-invite-soylent-newhire-61ba3f', 'pending', now() - interval '3 days', now() - interval '10 days', NULL);

-- ------------------------------------------------------------------ operator audit log

-- A little history, as tenantctl writes it (secrets already masked).
INSERT INTO public.tenantctl_operator_log (at, os_user, db_user, application_name, client_addr, command, target, rows_affected, outcome) VALUES
	(now() - interval '200 days', 'ops', 'postgres', 'tenantctl', NULL, 'tenantctl -d ''host=db.internal dbname=app password=********'' --write orgs create ''Soylent Industries'' --owner sol@soylent.example', 'organization soylent', 2, 'applied'),
	(now() - interval '10 days', 'ops', 'postgres', 'tenantctl', NULL, 'tenantctl -t prod --write orgs delete wayne-enterprises --confirm wayne-enterprises', 'organization wayne-enterprises', 1, 'applied'),
	(now() - interval '2 days', 'ops', 'postgres', 'tenantctl', NULL, 'tenantctl -t prod migrate preview', 'migration 20260101000008_add_organizations_billing_email', NULL, 'preview (rolled back)');

COMMIT;
