-- CreateTable
CREATE TABLE "revoked_sessions" (
    "sid" TEXT NOT NULL PRIMARY KEY,
    "revoked_at" DATETIME NOT NULL,
    "expires_at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "revoked_sessions_expires_at_idx" ON "revoked_sessions"("expires_at");

