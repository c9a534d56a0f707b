-- Extensions: an old version to update, one missing in its own schema.
CREATE EXTENSION citext VERSION '1.4';
CREATE TABLE public.users (id integer PRIMARY KEY, email citext NOT NULL, name text);
