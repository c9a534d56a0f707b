-- Migration history rows differ: reported, never written by drift sql
-- (they stay after it runs: see `remaining`).
CREATE TABLE public.tenantctl_schema_migrations (version text PRIMARY KEY, name text, state text NOT NULL);
INSERT INTO public.tenantctl_schema_migrations VALUES ('20260101000001', 'init', 'applied');
CREATE TABLE public.t (id integer);
