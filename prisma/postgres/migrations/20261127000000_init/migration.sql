-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "events" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "message_uuid" TEXT,
    "status" TEXT,
    "channel" TEXT,
    "message_type" TEXT,
    "from_number" TEXT,
    "to_number" TEXT,
    "client_ref" TEXT,
    "error_code" TEXT,
    "error_title" TEXT,
    "error_detail" TEXT,
    "price" TEXT,
    "currency" TEXT,
    "timestamp" TIMESTAMP(3),
    "received_at" TIMESTAMP(3) NOT NULL,
    "verification" TEXT NOT NULL,
    "hash_form" TEXT,
    "api_key" TEXT,
    "application_id" TEXT,
    "text" TEXT,
    "network_code" TEXT,
    "concat_ref" TEXT,
    "concat_part" INTEGER,
    "concat_total" INTEGER,
    "wire_form" TEXT,
    "raw_body" TEXT NOT NULL,
    "headers" TEXT NOT NULL,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "last_duplicate_at" TIMESTAMP(3),

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rejections" (
    "id" SERIAL NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL,
    "endpoint" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "http_status" INTEGER NOT NULL,
    "source_ip" TEXT,
    "headers" TEXT NOT NULL,
    "token_claims" TEXT,
    "body" TEXT NOT NULL,
    "body_bytes" INTEGER NOT NULL,
    "body_truncated" BOOLEAN NOT NULL,

    CONSTRAINT "rejections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "revoked_sessions" (
    "sid" TEXT NOT NULL,
    "revoked_at" TIMESTAMP(3) NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "revoked_sessions_pkey" PRIMARY KEY ("sid")
);

-- CreateIndex
CREATE UNIQUE INDEX "events_dedupe_key_key" ON "events"("dedupe_key");

-- CreateIndex
CREATE INDEX "events_message_uuid_id_idx" ON "events"("message_uuid", "id");

-- CreateIndex
CREATE INDEX "events_kind_id_idx" ON "events"("kind", "id");

-- CreateIndex
CREATE INDEX "events_status_id_idx" ON "events"("status", "id");

-- CreateIndex
CREATE INDEX "events_channel_id_idx" ON "events"("channel", "id");

-- CreateIndex
CREATE INDEX "events_from_number_id_idx" ON "events"("from_number", "id");

-- CreateIndex
CREATE INDEX "events_to_number_id_idx" ON "events"("to_number", "id");

-- CreateIndex
CREATE INDEX "events_client_ref_id_idx" ON "events"("client_ref", "id");

-- CreateIndex
CREATE INDEX "events_concat_ref_from_number_idx" ON "events"("concat_ref", "from_number");

-- CreateIndex
CREATE INDEX "events_received_at_idx" ON "events"("received_at");

-- CreateIndex
CREATE INDEX "rejections_received_at_idx" ON "rejections"("received_at");

-- CreateIndex
CREATE INDEX "rejections_reason_id_idx" ON "rejections"("reason", "id");

-- CreateIndex
CREATE INDEX "revoked_sessions_expires_at_idx" ON "revoked_sessions"("expires_at");

