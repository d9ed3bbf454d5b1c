-- A database as vocx schema version 3 wrote it: issues in their own table
-- (comment_issues), before version 4 moved them into classifications.
CREATE TABLE ingest_batches(  batch_id    INTEGER PRIMARY KEY,  kind        TEXT NOT NULL,  source      TEXT NOT NULL,  format      TEXT,  started_at  TEXT NOT NULL,  finished_at TEXT,  status      TEXT NOT NULL DEFAULT 'running'              CHECK (status IN ('running','done','failed')),  rows_read   INTEGER NOT NULL DEFAULT 0,  inserted    INTEGER NOT NULL DEFAULT 0,  updated     INTEGER NOT NULL DEFAULT 0,  unchanged   INTEGER NOT NULL DEFAULT 0,  rejected    INTEGER NOT NULL DEFAULT 0);
CREATE TABLE comments(  comment_id  INTEGER PRIMARY KEY,  source_id   TEXT NOT NULL UNIQUE,  customer_id TEXT,  created_at  TEXT,  channel     TEXT,  text        TEXT NOT NULL,  batch_id    INTEGER REFERENCES ingest_batches(batch_id),  ingested_at TEXT NOT NULL,  updated_at  TEXT);
CREATE INDEX comments_customer ON comments(customer_id);
CREATE INDEX comments_created ON comments(created_at);
CREATE TABLE customers(  customer_id TEXT PRIMARY KEY,  segment     TEXT,  clv_value   REAL,  churn_prob  REAL CHECK (churn_prob IS NULL OR                          (churn_prob >= 0 AND churn_prob <= 1)),  margin      REAL,  batch_id    INTEGER REFERENCES ingest_batches(batch_id));
CREATE TABLE transactions(  txn_id      INTEGER PRIMARY KEY,  txn_key     TEXT NOT NULL UNIQUE,  customer_id TEXT NOT NULL,  txn_date    TEXT NOT NULL,  amount      REAL NOT NULL,  batch_id    INTEGER REFERENCES ingest_batches(batch_id));
CREATE INDEX transactions_customer ON transactions(customer_id, txn_date);
CREATE TABLE rulesets(  ruleset_id  INTEGER PRIMARY KEY,  hash        TEXT NOT NULL UNIQUE,  name        TEXT,  source      TEXT,  loaded_at   TEXT NOT NULL);
CREATE TABLE issues(  ruleset_id  INTEGER NOT NULL REFERENCES rulesets(ruleset_id)              ON DELETE CASCADE,  issue_id    TEXT NOT NULL,  block       TEXT NOT NULL,  label       TEXT NOT NULL,  kind        TEXT NOT NULL,  severity    REAL NOT NULL,  owner       TEXT,  PRIMARY KEY (ruleset_id, issue_id)) WITHOUT ROWID;
CREATE TABLE classifications(  comment_id  INTEGER NOT NULL REFERENCES comments(comment_id)              ON DELETE CASCADE,  ruleset_id  INTEGER NOT NULL REFERENCES rulesets(ruleset_id)              ON DELETE CASCADE,  classified_at TEXT NOT NULL,  churn_cues  INTEGER NOT NULL DEFAULT 0,  positive_cues INTEGER NOT NULL DEFAULT 0,  cues        TEXT,  PRIMARY KEY (comment_id, ruleset_id)) WITHOUT ROWID;
CREATE TABLE comment_issues(  comment_id  INTEGER NOT NULL,  ruleset_id  INTEGER NOT NULL,  issue_id    TEXT NOT NULL,  rule_line   INTEGER,  score       REAL NOT NULL DEFAULT 1,  spans       TEXT,  PRIMARY KEY (comment_id, ruleset_id, issue_id),  FOREIGN KEY (comment_id, ruleset_id)    REFERENCES classifications(comment_id, ruleset_id) ON DELETE CASCADE) WITHOUT ROWID;
CREATE INDEX comment_issues_issue ON comment_issues(ruleset_id, issue_id);
CREATE TRIGGER comments_text_changed AFTER UPDATE OF text ON comments  WHEN old.text IS NOT new.text BEGIN  DELETE FROM classifications WHERE comment_id = new.comment_id;END;
CREATE TABLE clv_models(  model_id    INTEGER PRIMARY KEY,  kind        TEXT NOT NULL,  fitted_at   TEXT NOT NULL,  calibration_end TEXT,  horizon_months REAL,  annual_discount REAL,  margin      REAL,  params      TEXT,  log_likelihood REAL,  customers   INTEGER,  iterations  INTEGER,  converged   INTEGER);
CREATE TABLE customer_clv(  model_id    INTEGER NOT NULL REFERENCES clv_models(model_id)              ON DELETE CASCADE,  customer_id TEXT NOT NULL,  clv         REAL NOT NULL,  p_alive     REAL,  expected_purchases REAL,  expected_spend REAL,  source      TEXT NOT NULL,  PRIMARY KEY (model_id, customer_id)) WITHOUT ROWID;
CREATE TABLE analysis_runs(  run_id      INTEGER PRIMARY KEY,  kind        TEXT NOT NULL,  started_at  TEXT NOT NULL,  ruleset_id  INTEGER REFERENCES rulesets(ruleset_id),  model_id    INTEGER REFERENCES clv_models(model_id),  filters     TEXT,  params      TEXT,  summary     TEXT);
CREATE TABLE crm_sources(  name        TEXT PRIMARY KEY,  path        TEXT NOT NULL,  customers_sql TEXT,  transactions_sql TEXT,  attached_at TEXT NOT NULL);
INSERT INTO rulesets(ruleset_id, hash, loaded_at) VALUES (1, 'h3', '2026-01-01T00:00:00Z');
INSERT INTO issues VALUES (1, 'b.two', 'improvement', 'Two', 'problem', 0.5, NULL),
  (1, 'a.one', 'culture', 'One', 'problem', 0.2, 'CS');
INSERT INTO comments(comment_id, source_id, customer_id, text, ingested_at) VALUES
  (1, 'c1', 'A', 'late and "rude"', '2026-01-01T00:00:00Z'),
  (2, 'c2', 'B', 'fine', '2026-01-01T00:00:00Z'),
  (3, 'c3', NULL, 'late', '2026-01-01T00:00:00Z');
INSERT INTO classifications(comment_id, ruleset_id, classified_at, churn_cues, positive_cues, cues) VALUES
  (1, 1, '2026-01-01T00:00:00Z', 1, 0, '[{"kind":"churn","line":9,"span":[0,4]}]'),
  (2, 1, '2026-01-01T00:00:00Z', 0, 0, NULL),
  (3, 1, '2026-01-01T00:00:00Z', 0, 0, NULL);
INSERT INTO comment_issues VALUES (1, 1, 'b.two', 12, 0.5, '[[0,4]]'),
  (1, 1, 'a.one', 7, 1.0, '[[9,15],[0,4]]'), (3, 1, 'b.two', 12, 1.0, NULL);
PRAGMA user_version = 3;
