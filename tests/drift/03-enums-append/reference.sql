CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'meh', 'happy', 'ecstatic');
COMMENT ON TYPE public.mood IS 'how it feels';
CREATE TYPE public.status AS ENUM ('pending', 'active', 'it''s done', E'back\\slash');
CREATE TYPE public.level AS ENUM ('low', 'high');
CREATE TABLE public.people (
    id integer PRIMARY KEY,
    m public.mood DEFAULT 'meh',
    s public.status NOT NULL DEFAULT 'pending',
    lv public.level
);
