-- migrate:up
-- Invitations to an organization (or to one of its projects). An invitation
-- is pending until accepted, revoked or expired; expires_at is not enforced
-- by the database, so stale pending invitations accumulate (the audit finds
-- them and `audit fix` expires them).
CREATE TABLE public.invitations (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	organization_id uuid NOT NULL REFERENCES public.organizations (id),
	project_id uuid REFERENCES public.projects (id),
	email text NOT NULL,
	role text,
	token text NOT NULL,
	status text NOT NULL DEFAULT 'pending',
	expires_at timestamptz NOT NULL DEFAULT now() + interval '7 days',
	created_at timestamptz NOT NULL DEFAULT now(),
	accepted_at timestamptz,
	CONSTRAINT invitations_token_key UNIQUE (token),
	CONSTRAINT invitations_status_known
		CHECK (status IN ('pending', 'accepted', 'revoked', 'expired'))
);

CREATE INDEX invitations_organization_id_idx ON public.invitations (organization_id);
CREATE INDEX invitations_email_lower_idx ON public.invitations (lower(email));

-- migrate:down
DROP TABLE public.invitations;
