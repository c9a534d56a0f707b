-- The same columns in another order: information only, no drift, and
-- drift sql has nothing to do.
CREATE TABLE public.t (a integer, b text NOT NULL, c date DEFAULT current_date);
