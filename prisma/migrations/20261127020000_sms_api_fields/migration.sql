-- AlterTable
ALTER TABLE "events" ADD COLUMN "concat_part" INTEGER;
ALTER TABLE "events" ADD COLUMN "concat_ref" TEXT;
ALTER TABLE "events" ADD COLUMN "concat_total" INTEGER;
ALTER TABLE "events" ADD COLUMN "network_code" TEXT;
ALTER TABLE "events" ADD COLUMN "wire_form" TEXT;

-- CreateIndex
CREATE INDEX "events_concat_ref_from_number_idx" ON "events"("concat_ref", "from_number");

