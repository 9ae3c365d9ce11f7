-- AlterTable
ALTER TABLE "events" ADD COLUMN "token_id" TEXT;

-- CreateTable
CREATE TABLE "health_probes" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "checked_at" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "events_token_id_key" ON "events"("token_id");
