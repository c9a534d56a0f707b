CREATE SCHEMA "My Schema";
COMMENT ON SCHEMA "My Schema" IS 'it''s "hostile"';
CREATE TYPE "My Schema"."ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉe" AS ENUM ('a', 'b');
CREATE TYPE "My Schema"."Mood ""q""" AS ENUM ('it''s', E'back\\slash', 'with "dq"');
CREATE TABLE "My Schema"."select" (
    "from" integer PRIMARY KEY,
    "Ünïcødé col" text NOT NULL DEFAULT 'ü',
    "with space" "My Schema"."Mood ""q""",
    "quote""d" integer CONSTRAINT "Check ""it""" CHECK ("quote""d" > 0),
    "e" "My Schema"."ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉe"
);
CREATE TABLE "My Schema"."a.b" ("x.y" integer REFERENCES "My Schema"."select" ("from") ON DELETE SET NULL);
CREATE INDEX "My Index" ON "My Schema"."select" (lower("Ünïcødé col"));
CREATE SEQUENCE "My Schema"."seq.dot" OWNED BY "My Schema"."a.b"."x.y";
CREATE FUNCTION "My Schema"."fn-name"("the arg" integer) RETURNS integer LANGUAGE sql AS $$ SELECT "the arg" $$;
CREATE FUNCTION "My Schema"."Trig Fn"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER "Trig ""ger""" BEFORE INSERT ON "My Schema"."select" FOR EACH ROW EXECUTE FUNCTION "My Schema"."Trig Fn"();
CREATE VIEW "My Schema"."My View" AS SELECT "from", "Ünïcødé col" FROM "My Schema"."select";
COMMENT ON VIEW "My Schema"."My View" IS 'view';
ALTER TABLE "My Schema"."select" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Pol icy" ON "My Schema"."select" USING ("from" > 0);
CREATE TABLE public."lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll" ("ñññññññññññññññññññññññññññññññx" bigint, "user" text);
COMMENT ON COLUMN public."lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll"."ñññññññññññññññññññññññññññññññx" IS '63 bytes';
