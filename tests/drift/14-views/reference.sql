CREATE TABLE public.orders (id integer PRIMARY KEY, amount bigint, customer text);
CREATE VIEW public.big_orders AS SELECT id, amount FROM public.orders WHERE amount > 100;
CREATE VIEW public.big_order_ids AS SELECT id FROM public.big_orders;
CREATE VIEW public.customers AS SELECT DISTINCT customer FROM public.orders WHERE customer IS NOT NULL;
CREATE VIEW public.unrelated AS SELECT 1 AS one;
COMMENT ON VIEW public.unrelated IS 'new';
CREATE MATERIALIZED VIEW public.totals AS
    SELECT customer, sum(amount) AS total FROM public.orders GROUP BY customer;
CREATE UNIQUE INDEX totals_customer_idx ON public.totals (customer);
COMMENT ON MATERIALIZED VIEW public.totals IS 'per customer';
CREATE VIEW public.recent AS SELECT id FROM public.big_order_ids WHERE id > 10;
CREATE MATERIALIZED VIEW public.counts AS SELECT count(*) AS n FROM public.orders;
CREATE INDEX counts_n_idx ON public.counts (n);
