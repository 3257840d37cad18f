export { createSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { SQLITE_MIGRATIONS, type SqliteMigration } from './migrations.js';
