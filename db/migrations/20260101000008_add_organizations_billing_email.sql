-- migrate:up
-- Where invoices go, when it is not the owner's address. The newest
-- migration: `tenantctl demo` leaves it pending.
ALTER TABLE public.organizations ADD COLUMN billing_email text;

-- migrate:down
ALTER TABLE public.organizations DROP COLUMN billing_email;
