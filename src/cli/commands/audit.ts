import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command.js';
import { openGatewayState } from '../../server/state.js';

const usage = `usage: webmcp audit verify [--config webmcp.config.json] [--json]

Walks the audit log's hash chain in the config's store. Exit 0 when intact, 1 when an entry
was altered, removed, reordered or re-hashed (the first broken entry is named).
`;

const command: CliCommand = {
  summary: 'verify the audit log hash chain (exit 1 when broken)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals[0] !== 'verify' || positionals.length !== 1) throw new UsageError('usage: webmcp audit verify [--config FILE]');
    const state = await openGatewayState(values.config, { cwd: io.cwd, env: io.env });
    try {
      const result = await state.security.audit.verify();
      if (values.json) io.stdout.write(JSON.stringify(result) + '\n');
      else if (result.ok) {
        io.stdout.write(`audit chain intact: ${result.entries} entries${result.head ? `, head seq ${result.head.seq}` : ''}\n`);
      } else {
        io.stdout.write(`audit chain BROKEN at entry ${result.brokenAt ?? '?'} (${result.entries} entries intact before it)\n`);
      }
      return result.ok ? 0 : 1;
    } finally {
      await state.close();
    }
  },
};

export default command;
