import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type CliIO } from '../command.js';
import { openGatewayState, type GatewayState } from '../../server/state.js';

const usage = `usage:
  webmcp keys create --name NAME --role reader|agent|admin [--scopes a,b] [--json]
  webmcp keys list [--json]
  webmcp keys revoke ID
  webmcp keys rotate ID [--json]

Manages API keys in the config's store (running gateways see a revocation within 1 s).
"create" and "rotate" print the key (key_id.secret) once: it cannot be shown again.

options:
  --config FILE   config file (default: ./webmcp.config.json)
  --json          machine-readable output
`;

const ROLES = ['reader', 'agent', 'admin'];

async function withState<T>(config: string | undefined, io: CliIO, fn: (state: GatewayState) => Promise<T>): Promise<T> {
  const state = await openGatewayState(config, { cwd: io.cwd, env: io.env });
  try {
    return await fn(state);
  } finally {
    await state.close();
  }
}

/** CLI changes are audited like admin-page changes, with `cli` as the actor. */
async function audit(state: GatewayState, action: string, id: string, details: Record<string, unknown>): Promise<void> {
  await state.security.audit.append({ actor: 'cli', action, resource: `key:${id}`, outcome: 'ok', details: { id, ...details } });
}

function time(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().slice(0, 19) + 'Z';
}

const command: CliCommand = {
  summary: 'create, list, revoke and rotate API keys',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        scopes: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
    const [sub, ...rest] = positionals;
    const out = (line: string) => io.stdout.write(line + '\n');

    switch (sub) {
      case 'create': {
        if (rest.length > 0) throw new UsageError('keys create takes no positional arguments');
        if (!values.name || values.name.trim().length === 0 || values.name.length > 100) throw new UsageError('--name NAME is required (1-100 characters)');
        if (!values.role || !ROLES.includes(values.role)) throw new UsageError('--role must be reader, agent or admin');
        const scopes = values.scopes === undefined ? undefined : values.scopes.split(',').map((s) => s.trim()).filter(Boolean);
        return withState(values.config, io, async (state) => {
          if (scopes) {
            const unknown = scopes.filter((s) => !state.security.config.jwt.scopes.includes(s));
            if (unknown.length) throw new UsageError(`unknown scope ${unknown[0]} (known: ${state.security.config.jwt.scopes.join(', ')})`);
          }
          const created = await state.security.apiKeys.create({ name: values.name!.trim(), role: values.role!, ...(scopes ? { scopes } : {}) });
          await audit(state, 'key.create', created.id, { name: values.name!.trim(), role: created.role, scopes: created.scopes });
          if (values.json) {
            out(JSON.stringify({ id: created.id, key: created.key, role: created.role, scopes: created.scopes }));
          } else {
            out(created.key);
            io.stderr.write(`created key ${created.id} (role ${created.role}, scopes ${created.scopes.join(' ') || '-'}); the line above is shown only once\n`);
          }
          return 0;
        });
      }
      case 'list': {
        if (rest.length > 0) throw new UsageError('keys list takes no arguments');
        return withState(values.config, io, async (state) => {
          const keys = (await state.store.apiKeys.list()).sort((a, b) => a.createdAt - b.createdAt);
          const now = Date.now();
          const rows = keys.map((k) => ({
            id: k.id,
            name: k.name,
            role: k.role,
            scopes: k.scopes,
            created_at: k.createdAt,
            last_used_at: k.lastUsedAt,
            expires_at: k.expiresAt,
            revoked_at: k.revokedAt,
            state: k.revokedAt !== null ? 'revoked' : k.expiresAt !== null && k.expiresAt <= now ? 'expired' : 'active',
          }));
          if (values.json) {
            out(JSON.stringify(rows));
            return 0;
          }
          if (rows.length === 0) {
            out('no API keys (create one with: webmcp keys create --name NAME --role agent)');
            return 0;
          }
          out(['ID', 'NAME', 'ROLE', 'SCOPES', 'STATE', 'CREATED', 'LAST USED'].join('\t'));
          for (const r of rows) out([r.id, r.name, r.role, r.scopes.join(',') || '-', r.state, time(r.created_at), time(r.last_used_at)].join('\t'));
          return 0;
        });
      }
      case 'revoke':
      case 'rotate': {
        if (rest.length !== 1) throw new UsageError(`usage: webmcp keys ${sub} ID`);
        const id = rest[0]!;
        return withState(values.config, io, async (state) => {
          if (sub === 'revoke') {
            if (!(await state.security.apiKeys.revoke(id))) {
              io.stderr.write(`webmcp: no key with id ${id}\n`);
              return 1;
            }
            await audit(state, 'key.revoke', id, {});
            if (values.json) out(JSON.stringify({ id, revoked: true }));
            else out(`revoked ${id}`);
            return 0;
          }
          const rotated = await state.security.apiKeys.rotate(id);
          await audit(state, 'key.rotate', id, {});
          if (values.json) out(JSON.stringify({ id: rotated.id, key: rotated.key, role: rotated.role, scopes: rotated.scopes }));
          else {
            out(rotated.key);
            io.stderr.write(`rotated key ${id}; the line above is shown only once\n`);
          }
          return 0;
        });
      }
      default:
        throw new UsageError(sub ? `unknown keys command "${sub}" (create, list, revoke, rotate)` : 'keys needs a command: create, list, revoke, rotate');
    }
  },
};

export default command;
