-- A database as vocx 0.1 schema version 1 wrote it (comments only).
CREATE TABLE ingest_batches(
  batch_id    INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  source      TEXT NOT NULL,
  format      TEXT,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  status      TEXT NOT NULL DEFAULT 'running'
              CHECK (status IN ('running','done','failed')),
  rows_read   INTEGER NOT NULL DEFAULT 0,
  inserted    INTEGER NOT NULL DEFAULT 0,
  updated     INTEGER NOT NULL DEFAULT 0,
  unchanged   INTEGER NOT NULL DEFAULT 0,
  rejected    INTEGER NOT NULL DEFAULT 0);
CREATE TABLE comments(
  comment_id  INTEGER PRIMARY KEY,
  source_id   TEXT NOT NULL UNIQUE,
  customer_id TEXT,
  created_at  TEXT,
  channel     TEXT,
  text        TEXT NOT NULL,
  batch_id    INTEGER REFERENCES ingest_batches(batch_id),
  ingested_at TEXT NOT NULL,
  updated_at  TEXT);
CREATE INDEX comments_customer ON comments(customer_id);
CREATE INDEX comments_created ON comments(created_at);
INSERT INTO ingest_batches VALUES (1, 'comments', 'old.csv', 'csv',
  '2026-01-02T10:00:00Z', '2026-01-02T10:00:01Z', 'done', 2, 2, 0, 0, 0);
INSERT INTO comments VALUES (1, 'old-1', '17', '2026-01-01T08:00:00Z', 'email',
  'My refund has not arrived.', 1, '2026-01-02T10:00:00Z', NULL);
INSERT INTO comments VALUES (2, 'old-2', NULL, NULL, 'app_review',
  'Café crème était froid ☕', 1, '2026-01-02T10:00:00Z', NULL);
PRAGMA user_version = 1;
