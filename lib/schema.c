#include "schema.h"

#include "vocx.h"

/* v0 -> v1: comments and the ingest batches that brought them. */
static const char m1[] =
    "CREATE TABLE ingest_batches("
    "  batch_id    INTEGER PRIMARY KEY,"
    "  kind        TEXT NOT NULL,"
    "  source      TEXT NOT NULL,"
    "  format      TEXT,"
    "  started_at  TEXT NOT NULL,"
    "  finished_at TEXT,"
    "  status      TEXT NOT NULL DEFAULT 'running'"
    "              CHECK (status IN ('running','done','failed')),"
    "  rows_read   INTEGER NOT NULL DEFAULT 0,"
    "  inserted    INTEGER NOT NULL DEFAULT 0,"
    "  updated     INTEGER NOT NULL DEFAULT 0,"
    "  unchanged   INTEGER NOT NULL DEFAULT 0,"
    "  rejected    INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE comments("
    "  comment_id  INTEGER PRIMARY KEY,"
    "  source_id   TEXT NOT NULL UNIQUE,"
    "  customer_id TEXT,"
    "  created_at  TEXT,"
    "  channel     TEXT,"
    "  text        TEXT NOT NULL,"
    "  batch_id    INTEGER REFERENCES ingest_batches(batch_id),"
    "  ingested_at TEXT NOT NULL,"
    "  updated_at  TEXT);"
    "CREATE INDEX comments_customer ON comments(customer_id);"
    "CREATE INDEX comments_created ON comments(created_at);";

/* v1 -> v2: operational records, classifications, CLV and analysis runs. */
static const char m2[] =
    "CREATE TABLE customers("
    "  customer_id TEXT PRIMARY KEY,"
    "  segment     TEXT,"
    "  clv_value   REAL,"
    "  churn_prob  REAL CHECK (churn_prob IS NULL OR"
    "                          (churn_prob >= 0 AND churn_prob <= 1)),"
    "  margin      REAL,"
    "  batch_id    INTEGER REFERENCES ingest_batches(batch_id));"
    "CREATE TABLE transactions("
    "  txn_id      INTEGER PRIMARY KEY,"
    "  txn_key     TEXT NOT NULL UNIQUE,"
    "  customer_id TEXT NOT NULL,"
    "  txn_date    TEXT NOT NULL,"
    "  amount      REAL NOT NULL,"
    "  batch_id    INTEGER REFERENCES ingest_batches(batch_id));"
    "CREATE INDEX transactions_customer ON transactions(customer_id, txn_date);"
    "CREATE TABLE rulesets("
    "  ruleset_id  INTEGER PRIMARY KEY,"
    "  hash        TEXT NOT NULL UNIQUE,"
    "  name        TEXT,"
    "  source      TEXT,"
    "  loaded_at   TEXT NOT NULL);"
    "CREATE TABLE issues("
    "  ruleset_id  INTEGER NOT NULL REFERENCES rulesets(ruleset_id)"
    "              ON DELETE CASCADE,"
    "  issue_id    TEXT NOT NULL,"
    "  block       TEXT NOT NULL,"
    "  label       TEXT NOT NULL,"
    "  kind        TEXT NOT NULL,"
    "  severity    REAL NOT NULL,"
    "  owner       TEXT,"
    "  PRIMARY KEY (ruleset_id, issue_id)) WITHOUT ROWID;"
    "CREATE TABLE classifications("
    "  comment_id  INTEGER NOT NULL REFERENCES comments(comment_id)"
    "              ON DELETE CASCADE,"
    "  ruleset_id  INTEGER NOT NULL REFERENCES rulesets(ruleset_id)"
    "              ON DELETE CASCADE,"
    "  classified_at TEXT NOT NULL,"
    "  churn_cues  INTEGER NOT NULL DEFAULT 0,"
    "  positive_cues INTEGER NOT NULL DEFAULT 0,"
    "  cues        TEXT,"
    "  PRIMARY KEY (comment_id, ruleset_id)) WITHOUT ROWID;"
    "CREATE TABLE comment_issues("
    "  comment_id  INTEGER NOT NULL,"
    "  ruleset_id  INTEGER NOT NULL,"
    "  issue_id    TEXT NOT NULL,"
    "  rule_line   INTEGER,"
    "  score       REAL NOT NULL DEFAULT 1,"
    "  spans       TEXT,"
    "  PRIMARY KEY (comment_id, ruleset_id, issue_id),"
    "  FOREIGN KEY (comment_id, ruleset_id)"
    "    REFERENCES classifications(comment_id, ruleset_id) ON DELETE CASCADE"
    ") WITHOUT ROWID;"
    "CREATE INDEX comment_issues_issue ON comment_issues(ruleset_id, issue_id);"
    /* A comment whose text changed must be classified again. */
    "CREATE TRIGGER comments_text_changed AFTER UPDATE OF text ON comments"
    "  WHEN old.text IS NOT new.text BEGIN"
    "  DELETE FROM classifications WHERE comment_id = new.comment_id;"
    "END;"
    "CREATE TABLE clv_models("
    "  model_id    INTEGER PRIMARY KEY,"
    "  kind        TEXT NOT NULL,"
    "  fitted_at   TEXT NOT NULL,"
    "  calibration_end TEXT,"
    "  horizon_months REAL,"
    "  annual_discount REAL,"
    "  margin      REAL,"
    "  params      TEXT,"
    "  log_likelihood REAL,"
    "  customers   INTEGER,"
    "  iterations  INTEGER,"
    "  converged   INTEGER);"
    "CREATE TABLE customer_clv("
    "  model_id    INTEGER NOT NULL REFERENCES clv_models(model_id)"
    "              ON DELETE CASCADE,"
    "  customer_id TEXT NOT NULL,"
    "  clv         REAL NOT NULL,"
    "  p_alive     REAL,"
    "  expected_purchases REAL,"
    "  expected_spend REAL,"
    "  source      TEXT NOT NULL,"
    "  PRIMARY KEY (model_id, customer_id)) WITHOUT ROWID;"
    "CREATE TABLE analysis_runs("
    "  run_id      INTEGER PRIMARY KEY,"
    "  kind        TEXT NOT NULL,"
    "  started_at  TEXT NOT NULL,"
    "  ruleset_id  INTEGER REFERENCES rulesets(ruleset_id),"
    "  model_id    INTEGER REFERENCES clv_models(model_id),"
    "  filters     TEXT,"
    "  params      TEXT,"
    "  summary     TEXT);";

/* v2 -> v3: an operational CRM database used in place (read-only). */
static const char m3[] =
    "CREATE TABLE crm_sources("
    "  name        TEXT PRIMARY KEY,"
    "  path        TEXT NOT NULL,"
    "  customers_sql TEXT,"
    "  transactions_sql TEXT,"
    "  attached_at TEXT NOT NULL);";

/* v3 -> v4: a comment's issues live in its classification row (`issues`,
 * a JSON array), not in a table of their own: storing a classification
 * is then one row, with no index or foreign key to maintain per issue
 * (docs/performance.md).  `comment_issues` stays, as a view with the same
 * columns, and inserting into it adds to the row's array.  Rule sets note
 * when they last classified comments. */
static const char m4[] =
    "ALTER TABLE classifications ADD COLUMN issues TEXT;"
    /* When the rule set last classified comments, so finding the latest
     * rule set does not read every classification. */
    "ALTER TABLE rulesets ADD COLUMN classified_at TEXT;"
    "UPDATE rulesets SET classified_at = (SELECT max(classified_at)"
    " FROM classifications c WHERE c.ruleset_id = rulesets.ruleset_id);"
    "UPDATE classifications SET issues = ("
    "  SELECT json_group_array(json_object('issue', issue_id, 'line',"
    "   rule_line, 'score', score, 'spans', json(spans))) FROM ("
    "   SELECT * FROM comment_issues ci"
    "   WHERE ci.comment_id = classifications.comment_id"
    "   AND ci.ruleset_id = classifications.ruleset_id ORDER BY issue_id))"
    " WHERE EXISTS (SELECT 1 FROM comment_issues ci"
    "  WHERE ci.comment_id = classifications.comment_id"
    "  AND ci.ruleset_id = classifications.ruleset_id);"
    "DROP TABLE comment_issues;"
    "CREATE VIEW comment_issues(comment_id, ruleset_id, issue_id, rule_line,"
    " score, spans) AS SELECT cl.comment_id, cl.ruleset_id,"
    " json_extract(j.value, '$.issue'), json_extract(j.value, '$.line'),"
    " json_extract(j.value, '$.score'), json_extract(j.value, '$.spans')"
    " FROM classifications cl, json_each(cl.issues) j"
    " WHERE cl.issues IS NOT NULL;"
    /* An issue the comment already has is left as it is. */
    "CREATE TRIGGER comment_issues_insert INSTEAD OF INSERT ON comment_issues"
    " BEGIN"
    " UPDATE classifications SET issues = json_insert(coalesce(issues, '[]'),"
    "  '$[#]', json_object('issue', NEW.issue_id, 'line', NEW.rule_line,"
    "  'score', coalesce(NEW.score, 1.0), 'spans', json(NEW.spans)))"
    " WHERE comment_id = NEW.comment_id AND ruleset_id = NEW.ruleset_id"
    " AND NOT EXISTS (SELECT 1 FROM json_each(issues) j"
    "  WHERE json_extract(j.value, '$.issue') = NEW.issue_id);"
    " END;";

/* v4 -> v5: the arrays of `issues` and `cues` hold arrays instead of
 * objects, [id, line, score, spans] and [kind, line, span]: the key names
 * were 40 % of a classification row's bytes, and every byte is written to
 * the log, the database and read again by ranking (docs/performance.md).
 * The view and its insert trigger read and write the new form.  A row
 * that is not valid JSON fails the migration (nothing is changed). */
static const char m5[] =
    "DROP TRIGGER comment_issues_insert;"
    "DROP VIEW comment_issues;"
    "UPDATE classifications SET issues = (SELECT json_group_array("
    "  json_array(json_extract(j.value, '$.issue'),"
    "   json_extract(j.value, '$.line'), json_extract(j.value, '$.score'),"
    "   json(json_extract(j.value, '$.spans'))))"
    "  FROM json_each(classifications.issues) j)"
    " WHERE issues IS NOT NULL;"
    "UPDATE classifications SET cues = (SELECT json_group_array("
    "  json_array(json_extract(j.value, '$.kind'),"
    "   json_extract(j.value, '$.line'),"
    "   json(json_extract(j.value, '$.span'))))"
    "  FROM json_each(classifications.cues) j)"
    " WHERE cues IS NOT NULL;"
    "CREATE VIEW comment_issues(comment_id, ruleset_id, issue_id, rule_line,"
    " score, spans) AS SELECT cl.comment_id, cl.ruleset_id,"
    " json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),"
    " json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]')"
    " FROM classifications cl, json_each(cl.issues) j"
    " WHERE cl.issues IS NOT NULL;"
    /* An issue the comment already has is left as it is. */
    "CREATE TRIGGER comment_issues_insert INSTEAD OF INSERT ON comment_issues"
    " BEGIN"
    " UPDATE classifications SET issues = json_insert(coalesce(issues, '[]'),"
    "  '$[#]', json_array(NEW.issue_id, NEW.rule_line,"
    "  coalesce(NEW.score, 1.0), json(NEW.spans)))"
    " WHERE comment_id = NEW.comment_id AND ruleset_id = NEW.ruleset_id"
    " AND NOT EXISTS (SELECT 1 FROM json_each(issues) j"
    "  WHERE json_extract(j.value, '$[0]') = NEW.issue_id);"
    " END;";

const char *const vx_migrations[] = {m1, m2, m3, m4, m5};
const int vx_migration_count = (int)(sizeof vx_migrations / sizeof vx_migrations[0]);

_Static_assert(sizeof vx_migrations / sizeof vx_migrations[0] ==
                   VOCX_SCHEMA_VERSION,
               "VOCX_SCHEMA_VERSION must equal the number of migrations");

const vx_index_def vx_comment_indexes[] = {
    {"comments_customer",
     "CREATE INDEX IF NOT EXISTS comments_customer ON comments(customer_id)"},
    {"comments_created",
     "CREATE INDEX IF NOT EXISTS comments_created ON comments(created_at)"},
};
const int vx_comment_index_count =
    (int)(sizeof vx_comment_indexes / sizeof vx_comment_indexes[0]);

const vx_index_def vx_transaction_indexes[] = {
    {"transactions_customer",
     "CREATE INDEX IF NOT EXISTS transactions_customer ON"
     " transactions(customer_id, txn_date)"},
};
const int vx_transaction_index_count =
    (int)(sizeof vx_transaction_indexes / sizeof vx_transaction_indexes[0]);
