-- Hostile identifiers: quotes, spaces, dots, upper case, unicode, reserved
-- words and names of exactly 63 bytes, in every kind's name form.
CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."select" ("from" integer PRIMARY KEY, "Ünïcødé col" varchar(10));
CREATE TYPE "My Schema"."ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉe" AS ENUM ('b', 'a');
CREATE TYPE "My Schema"."Mood ""q""" AS ENUM ('it''s');
CREATE TABLE public."lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll" ("ñññññññññññññññññññññññññññññññx" integer);
