-- Constraints: primary key, unique, foreign keys with actions and
-- deferrability, checks (one changed), an exclusion constraint, and a
-- primary key that changes under a foreign key.
CREATE EXTENSION btree_gist;
CREATE TABLE public.orgs (id integer NOT NULL, slug text NOT NULL);
CREATE TABLE public.users (
    id integer PRIMARY KEY,
    org_id integer,
    email text,
    age integer,
    CONSTRAINT users_age_check CHECK (age > 0)
);
CREATE TABLE public.rooms (id integer PRIMARY KEY);
CREATE TABLE public.bookings (id integer PRIMARY KEY, room integer, during tsrange);
CREATE TABLE public.codes (a integer, b integer NOT NULL, CONSTRAINT codes_pkey PRIMARY KEY (a));
CREATE TABLE public.code_refs (a integer, b integer, CONSTRAINT code_refs_a_fkey FOREIGN KEY (a) REFERENCES public.codes (a));
INSERT INTO public.orgs VALUES (1, 'one');
INSERT INTO public.users VALUES (1, 1, 'a@example.com', 30);
