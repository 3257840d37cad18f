import { parseArgs } from 'node:util';
import { generateSecret } from '../../security/config/secret.js';
import { UsageError, type CliCommand } from '../command.js';

const command: CliCommand = {
  summary: 'print a fresh 256-bit random secret (for jwt.secret or WEBMCP_MASTER_KEY)',
  usage: `usage: webmcp secret [--count N]

Prints a new 256-bit secret from the operating system's CSPRNG, base64url-encoded (43 characters),
one per line. Use it for "security.jwt.secret" (HS256) or as WEBMCP_MASTER_KEY.

options:
  --count N   print N secrets (default 1, at most 100)
`,
  async run(argv, io) {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: { count: { type: 'string' } }, strict: true, allowPositionals: false }));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const count = values.count === undefined ? 1 : Number(values.count);
    if (!Number.isInteger(count) || count < 1 || count > 100) throw new UsageError('--count must be an integer from 1 to 100');
    for (let i = 0; i < count; i++) io.stdout.write(generateSecret() + '\n');
    return 0;
  },
};

export default command;
