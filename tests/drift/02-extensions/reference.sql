CREATE EXTENSION citext;
CREATE SCHEMA ext;
CREATE EXTENSION pg_trgm WITH SCHEMA ext;
CREATE TABLE public.users (id integer PRIMARY KEY, email citext NOT NULL, name text);
CREATE INDEX users_name_trgm ON public.users USING gin (name ext.gin_trgm_ops);
