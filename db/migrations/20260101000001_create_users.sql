-- migrate:up
-- Users of the product. Email is unique case-insensitively (a unique index
-- on lower(email), not citext, so no extension is needed); a user is
-- soft-deleted by setting deleted_at, and last_seen_at records activity.
CREATE TABLE public.users (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	email text NOT NULL,
	display_name text,
	created_at timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz,
	deleted_at timestamptz,
	CONSTRAINT users_email_not_blank CHECK (btrim(email) <> '')
);

CREATE UNIQUE INDEX users_email_lower_key ON public.users (lower(email));

-- migrate:down
DROP TABLE public.users;
