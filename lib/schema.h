/*
 * The database schema as a list of migrations.  Migration i moves a
 * database from user_version i to i + 1.  Migrations are append-only: a
 * released migration is never edited, a change is a new migration.
 * docs/schema.md describes the tables.
 */
#ifndef VOCX_SCHEMA_H
#define VOCX_SCHEMA_H

extern const char *const vx_migrations[];
extern const int vx_migration_count;

/* A secondary index a large load drops and builds again at its end
 * (lib/loader.c): the same definition as in the migrations. */
typedef struct vx_index_def {
    const char *name;
    const char *create_sql; /* CREATE INDEX IF NOT EXISTS ... */
} vx_index_def;

extern const vx_index_def vx_comment_indexes[];
extern const int vx_comment_index_count;
extern const vx_index_def vx_transaction_indexes[];
extern const int vx_transaction_index_count;

#endif
