-- A database as vocx schema version 4 wrote it: each comment's issues and
-- cues as JSON arrays of objects, before version 5 made them arrays of
-- arrays. Comment 4's row has spaces and its keys in another order.
CREATE TABLE ingest_batches(  batch_id    INTEGER PRIMARY KEY,  kind        TEXT NOT NULL,  source      TEXT NOT NULL,  format      TEXT,  started_at  TEXT NOT NULL,  finished_at TEXT,  status      TEXT NOT NULL DEFAULT 'running'              CHECK (status IN ('running','done','failed')),  rows_read   INTEGER NOT NULL DEFAULT 0,  inserted    INTEGER NOT NULL DEFAULT 0,  updated     INTEGER NOT NULL DEFAULT 0,  unchanged   INTEGER NOT NULL DEFAULT 0,  rejected    INTEGER NOT NULL DEFAULT 0);
CREATE TABLE comments(  comment_id  INTEGER PRIMARY KEY,  source_id   TEXT NOT NULL UNIQUE,  customer_id TEXT,  created_at  TEXT,  channel     TEXT,  text        TEXT NOT NULL,  batch_id    INTEGER REFERENCES ingest_batches(batch_id),  ingested_at TEXT NOT NULL,  updated_at  TEXT);
CREATE TABLE customers(  customer_id TEXT PRIMARY KEY,  segment     TEXT,  clv_value   REAL,  churn_prob  REAL CHECK (churn_prob IS NULL OR                          (churn_prob >= 0 AND churn_prob <= 1)),  margin      REAL,  batch_id    INTEGER REFERENCES ingest_batches(batch_id));
CREATE TABLE transactions(  txn_id      INTEGER PRIMARY KEY,  txn_key     TEXT NOT NULL UNIQUE,  customer_id TEXT NOT NULL,  txn_date    TEXT NOT NULL,  amount      REAL NOT NULL,  batch_id    INTEGER REFERENCES ingest_batches(batch_id));
CREATE TABLE rulesets(  ruleset_id  INTEGER PRIMARY KEY,  hash        TEXT NOT NULL UNIQUE,  name        TEXT,  source      TEXT,  loaded_at   TEXT NOT NULL, classified_at TEXT);
CREATE TABLE issues(  ruleset_id  INTEGER NOT NULL REFERENCES rulesets(ruleset_id)              ON DELETE CASCADE,  issue_id    TEXT NOT NULL,  block       TEXT NOT NULL,  label       TEXT NOT NULL,  kind        TEXT NOT NULL,  severity    REAL NOT NULL,  owner       TEXT,  PRIMARY KEY (ruleset_id, issue_id)) WITHOUT ROWID;
CREATE TABLE classifications(  comment_id  INTEGER NOT NULL REFERENCES comments(comment_id)              ON DELETE CASCADE,  ruleset_id  INTEGER NOT NULL REFERENCES rulesets(ruleset_id)              ON DELETE CASCADE,  classified_at TEXT NOT NULL,  churn_cues  INTEGER NOT NULL DEFAULT 0,  positive_cues INTEGER NOT NULL DEFAULT 0,  cues        TEXT, issues TEXT,  PRIMARY KEY (comment_id, ruleset_id)) WITHOUT ROWID;
CREATE TRIGGER comments_text_changed AFTER UPDATE OF text ON comments  WHEN old.text IS NOT new.text BEGIN  DELETE FROM classifications WHERE comment_id = new.comment_id;END;
CREATE TABLE clv_models(  model_id    INTEGER PRIMARY KEY,  kind        TEXT NOT NULL,  fitted_at   TEXT NOT NULL,  calibration_end TEXT,  horizon_months REAL,  annual_discount REAL,  margin      REAL,  params      TEXT,  log_likelihood REAL,  customers   INTEGER,  iterations  INTEGER,  converged   INTEGER);
CREATE TABLE customer_clv(  model_id    INTEGER NOT NULL REFERENCES clv_models(model_id)              ON DELETE CASCADE,  customer_id TEXT NOT NULL,  clv         REAL NOT NULL,  p_alive     REAL,  expected_purchases REAL,  expected_spend REAL,  source      TEXT NOT NULL,  PRIMARY KEY (model_id, customer_id)) WITHOUT ROWID;
CREATE TABLE analysis_runs(  run_id      INTEGER PRIMARY KEY,  kind        TEXT NOT NULL,  started_at  TEXT NOT NULL,  ruleset_id  INTEGER REFERENCES rulesets(ruleset_id),  model_id    INTEGER REFERENCES clv_models(model_id),  filters     TEXT,  params      TEXT,  summary     TEXT);
CREATE TABLE crm_sources(  name        TEXT PRIMARY KEY,  path        TEXT NOT NULL,  customers_sql TEXT,  transactions_sql TEXT,  attached_at TEXT NOT NULL);
CREATE VIEW comment_issues(comment_id, ruleset_id, issue_id, rule_line, score, spans) AS SELECT cl.comment_id, cl.ruleset_id, json_extract(j.value, '$.issue'), json_extract(j.value, '$.line'), json_extract(j.value, '$.score'), json_extract(j.value, '$.spans') FROM classifications cl, json_each(cl.issues) j WHERE cl.issues IS NOT NULL;
CREATE TRIGGER comment_issues_insert INSTEAD OF INSERT ON comment_issues BEGIN UPDATE classifications SET issues = json_insert(coalesce(issues, '[]'),  '$[#]', json_object('issue', NEW.issue_id, 'line', NEW.rule_line,  'score', coalesce(NEW.score, 1.0), 'spans', json(NEW.spans))) WHERE comment_id = NEW.comment_id AND ruleset_id = NEW.ruleset_id AND NOT EXISTS (SELECT 1 FROM json_each(issues) j  WHERE json_extract(j.value, '$.issue') = NEW.issue_id); END;
CREATE INDEX comments_customer ON comments(customer_id);
CREATE INDEX comments_created ON comments(created_at);
CREATE INDEX transactions_customer ON transactions(customer_id, txn_date);
INSERT INTO rulesets(ruleset_id, hash, loaded_at, classified_at) VALUES (1, 'h4', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z');
INSERT INTO issues VALUES (1, 'b.two', 'improvement', 'Two', 'problem', 0.5, NULL),
  (1, 'a.one', 'culture', 'One', 'problem', 0.2, 'CS'),
  (1, 'q"x', 'culture', 'Quoted', 'problem', 0.3, NULL);
INSERT INTO comments(comment_id, source_id, customer_id, text, ingested_at) VALUES
  (1, 'c1', 'A', 'late and "rude"', '2026-01-01T00:00:00Z'),
  (2, 'c2', 'B', 'fine', '2026-01-01T00:00:00Z'),
  (3, 'c3', NULL, 'late', '2026-01-01T00:00:00Z'),
  (4, 'c4', 'A', 'qx', '2026-01-01T00:00:00Z');
INSERT INTO classifications(comment_id, ruleset_id, classified_at, churn_cues, positive_cues, cues, issues) VALUES
  (1, 1, '2026-01-02T00:00:00Z', 1, 1, '[{"kind":"churn","line":9,"span":[0,4]},{"kind":"positive","line":11,"span":[5,8]}]', '[{"issue":"a.one","line":7,"score":1.0,"spans":[[9,15],[0,4]]},{"issue":"b.two","line":12,"score":0.5,"spans":[[0,4]]}]'),
  (2, 1, '2026-01-02T00:00:00Z', 0, 0, NULL, NULL),
  (3, 1, '2026-01-02T00:00:00Z', 0, 0, '[]', '[{"issue":"b.two","line":12,"score":1.0,"spans":null}]'),
  (4, 1, '2026-01-02T00:00:00Z', 0, 0, NULL, '[ {"spans": [[0, 2]], "score": 2.0, "issue": "q\"x", "line": 3} ]');
INSERT INTO clv_models(model_id, kind, fitted_at) VALUES (1, 'column', '2026-01-01T00:00:00Z');
INSERT INTO customer_clv(model_id, customer_id, clv, source) VALUES (1, 'A', 100.0, 'column'), (1, 'B', 50.0, 'column');
PRAGMA user_version = 4;
