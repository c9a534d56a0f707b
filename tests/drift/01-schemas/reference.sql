CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'the application';
CREATE SCHEMA billing;
COMMENT ON SCHEMA billing IS 'money, ''quoted'' and \back\slashed';
CREATE SCHEMA reporting;
COMMENT ON SCHEMA reporting IS 'reports';
CREATE TABLE app.t (id integer);
CREATE TABLE reporting.daily (day date PRIMARY KEY, total numeric(12,2) NOT NULL DEFAULT 0);
