CREATE EXTENSION btree_gist;
CREATE TABLE public.orgs (id integer NOT NULL PRIMARY KEY, slug text NOT NULL UNIQUE);
CREATE TABLE public.users (
    id integer PRIMARY KEY,
    org_id integer,
    email text,
    age integer,
    CONSTRAINT users_age_check CHECK (age >= 18),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs (id)
        ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED
);
COMMENT ON CONSTRAINT users_age_check ON public.users IS 'adults only';
CREATE TABLE public.rooms (id integer PRIMARY KEY);
CREATE TABLE public.bookings (
    id integer PRIMARY KEY,
    room integer REFERENCES public.rooms (id) ON DELETE RESTRICT,
    during tsrange,
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)
);
CREATE TABLE public.codes (a integer, b integer NOT NULL, CONSTRAINT codes_pkey PRIMARY KEY (a, b));
CREATE TABLE public.code_refs (a integer, b integer, CONSTRAINT code_refs_a_fkey FOREIGN KEY (a, b) REFERENCES public.codes (a, b) MATCH FULL);
