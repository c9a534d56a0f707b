CREATE TABLE public.t (c date DEFAULT current_date, a integer, b text NOT NULL);
