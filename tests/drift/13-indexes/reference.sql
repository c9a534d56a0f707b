CREATE TABLE public.docs (
    id integer PRIMARY KEY,
    title text,
    body text,
    tags text[],
    created timestamptz,
    deleted boolean DEFAULT false,
    score integer
);
CREATE UNIQUE INDEX docs_title_idx ON public.docs (title) WHERE NOT deleted;
CREATE INDEX docs_score_idx ON public.docs (score DESC NULLS LAST);
CREATE INDEX docs_lower_title_idx ON public.docs (lower(title));
CREATE INDEX docs_tags_idx ON public.docs USING gin (tags);
COMMENT ON INDEX public.docs_tags_idx IS 'tag search';
CREATE INDEX docs_created_brin ON public.docs USING brin (created);
CREATE INDEX docs_id_hash ON public.docs USING hash (id);
CREATE INDEX docs_cover_idx ON public.docs (id) INCLUDE (title);
