-- migrate:up
-- Memberships at three scopes: organization, workspace and project. Roles
-- are free text (owner, admin, developer, editor, annotator, viewer by
-- convention) and there is deliberately no unique constraint on
-- (user, scope): the products this schema models have none, so duplicates
-- and unknown roles happen, and the membership audit finds them.
CREATE TABLE public.organization_members (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES public.users (id),
	organization_id uuid NOT NULL REFERENCES public.organizations (id),
	role text,
	created_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz
);

-- Members of an org in user order, and "is this user in this org".
CREATE INDEX organization_members_org_user_idx ON public.organization_members (organization_id, user_id);
-- Every org a user belongs to.
CREATE INDEX organization_members_user_id_idx ON public.organization_members (user_id);

CREATE TABLE public.workspace_members (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES public.users (id),
	workspace_id uuid NOT NULL REFERENCES public.workspaces (id),
	role text,
	created_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz
);

CREATE INDEX workspace_members_workspace_user_idx ON public.workspace_members (workspace_id, user_id);
CREATE INDEX workspace_members_user_id_idx ON public.workspace_members (user_id);

CREATE TABLE public.project_members (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES public.users (id),
	project_id uuid NOT NULL REFERENCES public.projects (id),
	role text,
	created_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz
);

CREATE INDEX project_members_project_user_idx ON public.project_members (project_id, user_id);
CREATE INDEX project_members_user_id_idx ON public.project_members (user_id);

-- migrate:down
DROP TABLE public.project_members;
DROP TABLE public.workspace_members;
DROP TABLE public.organization_members;
