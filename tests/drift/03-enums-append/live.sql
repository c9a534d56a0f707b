-- Enums whose labels are only added, keeping the order: ADD VALUE, and a
-- default that uses a new label in the same run.
CREATE TYPE public.mood AS ENUM ('ok', 'happy');
CREATE TYPE public.status AS ENUM ('active');
CREATE TABLE public.people (
    id integer PRIMARY KEY,
    m public.mood DEFAULT 'ok',
    s public.status NOT NULL DEFAULT 'active'
);
INSERT INTO public.people VALUES (1, 'happy', 'active');
