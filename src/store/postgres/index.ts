export {
  createPostgresBackend, parsePostgresUrl, type PostgresBackend, type PostgresBackendOptions,
} from './postgres-backend.js';
export { PG_MIGRATIONS, type PgMigration } from './migrations.js';
