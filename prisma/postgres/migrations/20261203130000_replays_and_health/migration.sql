-- AlterTable
ALTER TABLE "events" ADD COLUMN "token_id" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "events_token_id_key" ON "events"("token_id");

-- CreateTable
CREATE TABLE "health_probes" (
    "id" INTEGER NOT NULL,
    "checked_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "health_probes_pkey" PRIMARY KEY ("id")
);
