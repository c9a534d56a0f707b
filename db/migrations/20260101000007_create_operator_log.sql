-- migrate:up
-- tenantctl's operator audit log: every write tenantctl makes appends one
-- row in the same transaction. The log is append-only: a row trigger
-- rejects UPDATE and DELETE and a statement trigger rejects TRUNCATE, so a
-- mistake is corrected by appending, never by rewriting history. (A
-- superuser can still drop the triggers; that act shows in the server log.)
CREATE TABLE public.tenantctl_operator_log (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	os_user text,
	db_user text NOT NULL DEFAULT current_user,
	application_name text DEFAULT current_setting('application_name'),
	client_addr inet DEFAULT inet_client_addr(),
	command text NOT NULL,
	target text,
	rows_affected bigint,
	outcome text NOT NULL
);

-- `tenantctl log --since T` reads the newest rows first.
CREATE INDEX tenantctl_operator_log_at_idx ON public.tenantctl_operator_log (at, id);

CREATE FUNCTION public.tenantctl_operator_log_reject() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'tenantctl_operator_log is append-only: % is not allowed', TG_OP
		USING HINT = 'Rows of the operator audit log are never changed or removed; '
			     'record a correction by appending a new row.';
END
$$;

CREATE TRIGGER tenantctl_operator_log_no_update_delete
	BEFORE UPDATE OR DELETE ON public.tenantctl_operator_log
	FOR EACH ROW EXECUTE FUNCTION public.tenantctl_operator_log_reject();

CREATE TRIGGER tenantctl_operator_log_no_truncate
	BEFORE TRUNCATE ON public.tenantctl_operator_log
	FOR EACH STATEMENT EXECUTE FUNCTION public.tenantctl_operator_log_reject();

-- migrate:down
DROP TABLE public.tenantctl_operator_log;
DROP FUNCTION public.tenantctl_operator_log_reject();
