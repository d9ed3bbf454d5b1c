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

#endif
