-- migrate:up
-- Workspaces group projects inside an organization. A project carries its
-- organization as well as its workspace, and nothing forces the two to
-- agree (as in the products this schema models): the audit checks it.
CREATE TABLE public.workspaces (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	organization_id uuid NOT NULL REFERENCES public.organizations (id),
	name text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz
);

CREATE INDEX workspaces_organization_id_idx ON public.workspaces (organization_id);

CREATE TABLE public.projects (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	organization_id uuid NOT NULL REFERENCES public.organizations (id),
	workspace_id uuid REFERENCES public.workspaces (id),
	name text NOT NULL,
	is_default boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz
);

CREATE INDEX projects_organization_id_idx ON public.projects (organization_id);
CREATE INDEX projects_workspace_id_idx ON public.projects (workspace_id);

-- migrate:down
DROP TABLE public.projects;
DROP TABLE public.workspaces;
