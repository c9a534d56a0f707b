CREATE TYPE public.doc_state AS ENUM ('draft', 'published', 'archived');
CREATE TABLE public.docs (id integer PRIMARY KEY, state public.doc_state NOT NULL DEFAULT 'draft');
