/** What every `webmcp <command>` module exports as `default`. */
export interface CliCommand {
  /** One line shown by `webmcp --help`. */
  summary: string;
  /** Full usage text shown by `webmcp <command> --help`. */
  usage: string;
  /** Runs the command and resolves to the process exit code (0 ok, 1 failure, 2 bad usage/config). */
  run(argv: string[], io: CliIO): Promise<number>;
}

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Set by `--debug`: errors print their stack. */
  debug: boolean;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); long-running commands await it. */
  stopSignal: AbortSignal;
}

/** Bad usage (unknown flag, missing argument): exit code 2, message printed as one line. */
export class UsageError extends Error {
  override name = 'UsageError';
}
