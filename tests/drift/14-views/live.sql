-- Views: a column under two views and a materialized view changes type
-- (they are dropped and created again), a definition changes, new views
-- depend on live ones, a new materialized view with its index.
CREATE TABLE public.orders (id integer PRIMARY KEY, amount integer, customer text);
INSERT INTO public.orders VALUES (1, 150, 'ann'), (2, 50, 'bob'), (11, 500, NULL);
CREATE VIEW public.big_orders AS SELECT id, amount FROM public.orders WHERE amount > 100;
CREATE VIEW public.big_order_ids AS SELECT id FROM public.big_orders;
CREATE VIEW public.customers AS SELECT DISTINCT customer FROM public.orders;
CREATE VIEW public.unrelated AS SELECT 1 AS one;
COMMENT ON VIEW public.unrelated IS 'old';
CREATE MATERIALIZED VIEW public.totals AS
    SELECT customer, sum(amount) AS total FROM public.orders GROUP BY customer;
CREATE UNIQUE INDEX totals_customer_idx ON public.totals (customer);
COMMENT ON MATERIALIZED VIEW public.totals IS 'per customer';
