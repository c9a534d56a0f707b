-- Tables: unlogged, partitioned with partitions (a new partition of a live
-- parent, a new sub-partitioned tree), inheritance (a new child, a new
-- parent for a live table, a check the children inherit), and column
-- changes a parent passes on to its partitions and children.
CREATE TABLE public.plain (id integer PRIMARY KEY);
CREATE TABLE public.cache (k text PRIMARY KEY, v text);
CREATE UNLOGGED TABLE public.scratch (k text);
CREATE TABLE public.events (id bigint NOT NULL, at date NOT NULL, payload varchar(50)) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.base (id integer, created timestamptz DEFAULT now());
CREATE TABLE public.child_a (extra text) INHERITS (public.base);
CREATE TABLE public.other_base (note text);
CREATE TABLE public.child_b (x integer, note text);
