-- Indexes: unique, partial, expression, methods (gin, brin, hash), a
-- covering index, definitions changed, a comment.
CREATE TABLE public.docs (
    id integer PRIMARY KEY,
    title text,
    body text,
    tags text[],
    created timestamptz,
    deleted boolean DEFAULT false,
    score integer
);
CREATE INDEX docs_title_idx ON public.docs (title);
CREATE INDEX docs_score_idx ON public.docs (score);
