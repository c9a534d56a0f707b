-- An enum that loses a label: the rebuild is destructive (--unsafe).
CREATE TYPE public.doc_state AS ENUM ('draft', 'published', 'archived', 'deleted');
CREATE TABLE public.docs (id integer PRIMARY KEY, state public.doc_state NOT NULL DEFAULT 'draft');
INSERT INTO public.docs VALUES (1, 'draft'), (2, 'archived');
