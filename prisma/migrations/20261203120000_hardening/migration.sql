-- AlterTable
ALTER TABLE "rejections" ADD COLUMN "repeats" INTEGER NOT NULL DEFAULT 1;

-- Bodies stored with a leading byte-order mark before it was stripped on arrival
-- (docs/decisions/020-stored-payloads.md): readers strip it too, this makes them plain JSON.
UPDATE "events" SET "raw_body" = substr("raw_body", 2) WHERE substr("raw_body", 1, 1) = char(65279);
