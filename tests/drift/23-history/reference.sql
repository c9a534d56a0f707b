CREATE TABLE public.tenantctl_schema_migrations (version text PRIMARY KEY, name text, state text NOT NULL);
INSERT INTO public.tenantctl_schema_migrations VALUES ('20260101000001', 'init', 'applied'),
    ('20260101000002', 'add t.v', 'applied');
CREATE TABLE public.t (id integer, v text);
