/** What every `bench/<name>.ts` module's `run()` resolves to. */
export interface BenchResult {
  name: string;
  /** Table rows; consecutive rows with the same columns print (and are documented) as one table. */
  rows: Array<Record<string, string | number>>;
  notes: string[];
}
