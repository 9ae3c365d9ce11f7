-- CreateTable
CREATE TABLE "messages" (
    "id" SERIAL NOT NULL,
    "message_uuid" TEXT NOT NULL,
    "channel" TEXT,
    "from_number" TEXT,
    "to_number" TEXT,
    "client_ref" TEXT,
    "country" TEXT,
    "workflow_id" TEXT,
    "first_event_at" BIGINT NOT NULL,
    "submitted_at" BIGINT,
    "delivered_at" BIGINT,
    "read_at" BIGINT,
    "failed_at" BIGINT,
    "last_status" TEXT,
    "last_status_at" BIGINT,
    "last_failure" TEXT,
    "last_failure_at" BIGINT,
    "error_code" TEXT,
    "error_at" BIGINT,
    "cost_units" BIGINT,
    "currency" TEXT,
    "price_at" BIGINT,
    "outcome" TEXT NOT NULL,
    "final_status" TEXT,
    "conflict" BOOLEAN NOT NULL DEFAULT false,
    "events" INTEGER NOT NULL,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_counts" (
    "grain" TEXT NOT NULL,
    "start" BIGINT NOT NULL,
    "channel" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "error_code" TEXT NOT NULL,
    "total" INTEGER NOT NULL,
    "delivered" INTEGER NOT NULL,
    "read" INTEGER NOT NULL,
    "failed" INTEGER NOT NULL,
    "open" INTEGER NOT NULL,
    "priced" INTEGER NOT NULL,
    "cost_units" BIGINT NOT NULL,
    "inbound" INTEGER NOT NULL,

    CONSTRAINT "message_counts_pkey" PRIMARY KEY ("grain", "start", "channel", "country", "currency", "error_code")
);

-- CreateTable
CREATE TABLE "message_latencies" (
    "grain" TEXT NOT NULL,
    "start" BIGINT NOT NULL,
    "channel" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "bucket" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "message_latencies_pkey" PRIMARY KEY ("grain", "channel", "start", "metric", "bucket")
);

-- CreateTable
CREATE TABLE "message_backfill" (
    "id" INTEGER NOT NULL,
    "until_id" INTEGER NOT NULL,
    "done_id" INTEGER NOT NULL,

    CONSTRAINT "message_backfill_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "messages_message_uuid_key" ON "messages"("message_uuid");

-- CreateIndex
CREATE INDEX "messages_outcome_id_idx" ON "messages"("outcome", "id");

-- CreateIndex
CREATE INDEX "messages_first_event_at_idx" ON "messages"("first_event_at");

-- CreateIndex
CREATE INDEX "messages_channel_id_idx" ON "messages"("channel", "id");

-- CreateIndex
CREATE INDEX "messages_client_ref_id_idx" ON "messages"("client_ref", "id");

-- CreateIndex
CREATE INDEX "messages_from_number_id_idx" ON "messages"("from_number", "id");

-- CreateIndex
CREATE INDEX "messages_to_number_id_idx" ON "messages"("to_number", "id");

-- CreateIndex
CREATE INDEX "messages_workflow_id_idx" ON "messages"("workflow_id");


-- Inbound events by their time (provider time, else received): the insights count the ends of
-- a window from here (lib/messages/insights.ts). Partial: status events never use it. On the
-- time alone: PostgreSQL drops a condition on `kind` that the predicate implies, so a leading
-- `kind` column would leave the time range unbounded (SQLite's index leads with `kind`).
CREATE INDEX "events_inbound_time_idx" ON "events"(COALESCE("timestamp", "received_at")) WHERE "kind" IN ('inbound', 'sms-inbound');

-- The timeline's error_code filter (the insights' top errors link to it); most events have no
-- error, and those are left out of the index.
CREATE INDEX "events_error_code_id_idx" ON "events"("error_code", "id") WHERE "error_code" IS NOT NULL;

-- The events stored before message rows existed are folded in after start-up (lib/messages/backfill.ts).
INSERT INTO "message_backfill" ("id", "until_id", "done_id") SELECT 1, COALESCE(MAX("id"), 0), 0 FROM "events";
