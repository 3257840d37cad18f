import { createHash } from 'node:crypto';
import { isWebMCPError } from '../../errors.js';
import type { AuditEntry, AuditHead, AuditLogStore } from '../../store/types.js';
import { canonicalJson } from './canonical-json.js';
import { createRedactor, type Redactor } from './redact.js';

/** `prev_hash` of the first entry of a brand-new log. */
export const GENESIS_HASH = '0'.repeat(64);

/** The action words of spec section 7. Sites may log their own dotted lower-case actions too. */
export const AUDIT_ACTIONS = [
  'token.issue', 'token.refresh', 'token.revoke', 'auth.refused', 'csrf.refused', 'ratelimit.refused',
  'action.call', 'page.read', 'analyze', 'key.create', 'key.revoke', 'key.rotate', 'admin.login',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = AuditEntry['outcome'];

/**
 * What gets recorded. Entry levels: `error` outcomes are `error`; refusals and admin changes
 * (`key.*`, `admin.login`, `token.revoke`) are `warn`; everything else is `info`.
 * `debug` and `info` record everything, `warn` refusals/admin changes/errors, `error` errors only.
 */
export type AuditLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The config slice the audit trail reads (`ResolvedSecurityConfig.audit`). */
export interface AuditConfig {
  /** Default true. When false, `append` records nothing and resolves null. */
  enabled?: boolean;
  /** Default `info`. */
  logLevel?: AuditLogLevel;
  /** Extra key names whose values are redacted (on top of the built-in list). */
  sensitiveFields?: readonly string[];
  /** Days to keep entries; older ones are pruned (at most hourly) behind a checkpoint. Null: forever. */
  retention?: number | null;
}

export interface AuditDeps {
  now?: () => number;
  /** Receives pruning failures (which never fail an append). Default: `process.emitWarning`. */
  onError?: (error: unknown) => void;
}

export interface AuditInput {
  actor: string;
  action: AuditAction | (string & {});
  resource: string;
  outcome: AuditOutcome;
  details?: Record<string, unknown> | null;
  ip?: string | null;
  request_id?: string | null;
}

export interface AuditVerifyResult {
  /** True when every remaining entry is intact and linked. */
  ok: boolean;
  /** How many entries were checked (and found intact) before the first break. */
  entries: number;
  /** The last intact entry (or the checkpoint, or null for an empty log). */
  head: AuditHead | null;
  /** Seq of the first broken entry: altered, missing, out of order or re-hashed. */
  brokenAt?: number;
}

export interface Audit {
  /** Appends (after redaction) and resolves with a copy of the stored entry once committed; null when not recorded. */
  append(input: AuditInput): Promise<AuditEntry | null>;
  /** Stored entries with `seq > after`, ascending, at most `limit` (default 100, max 1000); copies. */
  entries(options?: { limit?: number; after?: number }): Promise<AuditEntry[]>;
  /** Walks the chain from the checkpoint (or genesis) and reports the first break. */
  verify(): Promise<AuditVerifyResult>;
  /** Prunes entries older than the retention period now; resolves how many went. */
  prune(): Promise<number>;
  readonly redactor: Redactor;
}

const LEVELS: Readonly<Record<AuditLogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };
const OUTCOMES = new Set<string>(['ok', 'refused', 'error']);
const ACTION = /^[a-z][a-z0-9_-]*(?:\.[a-z][a-z0-9_-]*)*$/;
const HASH = /^[0-9a-f]{64}$/;
const DAY_MS = 86_400_000;
const PRUNE_INTERVAL_MS = 3_600_000;
const PAGE = 500;
const MAX_FIELD = 512;

/** SHA-256 (hex) over {@link canonicalJson} of the entry without `hash`. */
export function hashEntry(entry: Omit<AuditEntry, 'hash'> & { hash?: string }): string {
  const { seq, ts, actor, action, resource, outcome, ip, request_id, details, prev_hash } = entry;
  const body = canonicalJson({ seq, ts, actor, action, resource, outcome, ip, request_id, details, prev_hash });
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

function entryLevel(action: string, outcome: AuditOutcome): number {
  if (outcome === 'error') return LEVELS.error;
  if (outcome === 'refused' || action.startsWith('key.') || action === 'admin.login' || action === 'token.revoke') return LEVELS.warn;
  return LEVELS.info;
}

function intact(entry: AuditEntry): boolean {
  try {
    return typeof entry.hash === 'string' && HASH.test(entry.hash) && hashEntry(entry) === entry.hash;
  } catch {
    // A stored value canonical JSON cannot represent (tampered type) is simply not intact.
    return false;
  }
}

function shortString(value: unknown, name: string, nullable: boolean): string | null {
  if (value === undefined || value === null) {
    if (nullable) return null;
    throw new TypeError(`audit ${name} is required`);
  }
  if (typeof value !== 'string' || (!nullable && value.length === 0)) throw new TypeError(`audit ${name} must be a string`);
  return value.slice(0, MAX_FIELD);
}

/**
 * The append-only, hash-chained audit trail over `store.audit`.
 *
 * @example
 * const audit = createAudit({ sensitiveFields: ['email'] }, store);
 * await audit.append({ actor: 'key_1', action: 'token.issue', resource: '/webmcp/token', outcome: 'ok' });
 * const { ok, brokenAt } = await audit.verify();
 */
export function createAudit(options: AuditConfig, store: { audit: AuditLogStore }, deps: AuditDeps = {}): Audit {
  const log = store.audit;
  const enabled = options.enabled !== false;
  const minLevel = LEVELS[options.logLevel ?? 'info'];
  if (minLevel === undefined) throw new TypeError('invalid audit logLevel');
  const retention = options.retention ?? null;
  if (retention !== null && (!Number.isFinite(retention) || retention <= 0)) throw new TypeError('retention must be a positive number of days');
  const now = deps.now ?? Date.now;
  const onError = deps.onError ?? ((error: unknown) => process.emitWarning(`audit pruning failed: ${(error as Error)?.name ?? 'error'}`));
  const redactor = createRedactor({ sensitiveFields: options.sensitiveFields ?? [] });
  // The newest entry this instance wrote or verified: catches truncation of the log's tail,
  // which the chain alone cannot reveal.
  let anchor: AuditHead | null = null;
  let lastPrune = Number.NEGATIVE_INFINITY;

  async function prune(): Promise<number> {
    if (retention === null) return 0;
    lastPrune = now();
    return log.prune(new Date(now() - retention * DAY_MS).toISOString());
  }

  return {
    redactor,

    async append(input) {
      if (!input || typeof input !== 'object') throw new TypeError('audit entry must be an object');
      const actor = redactor.redactString(shortString(input.actor, 'actor', false)!);
      const resource = redactor.redactString(shortString(input.resource, 'resource', true) ?? '');
      const action = shortString(input.action, 'action', false)!;
      if (!ACTION.test(action)) throw new TypeError('audit action must be dotted lower-case words');
      if (!OUTCOMES.has(input.outcome)) throw new TypeError('audit outcome must be ok, refused or error');
      const ip = shortString(input.ip, 'ip', true);
      const requestId = shortString(input.request_id, 'request_id', true);
      if (input.details !== undefined && input.details !== null && (typeof input.details !== 'object' || Array.isArray(input.details))) {
        throw new TypeError('audit details must be an object');
      }
      if (!enabled || entryLevel(action, input.outcome) < minLevel) return null;
      const details = input.details ? (redactor.redact(input.details) as Record<string, unknown>) : null;

      const stored = await log.append((head) => {
        const base = {
          seq: (head?.seq ?? 0) + 1,
          ts: new Date(now()).toISOString(),
          actor,
          action,
          resource,
          outcome: input.outcome,
          ip: ip === null ? null : redactor.redactString(ip),
          request_id: requestId === null ? null : redactor.redactString(requestId),
          details,
          prev_hash: head?.hash ?? GENESIS_HASH,
        };
        return { ...base, hash: hashEntry(base) };
      });
      if (!anchor || stored.seq > anchor.seq) anchor = { seq: stored.seq, hash: stored.hash };

      if (retention !== null && now() - lastPrune >= PRUNE_INTERVAL_MS) {
        // The entry is committed already; a pruning failure must not fail the caller's request.
        await prune().catch(onError);
      }
      return structuredClone(stored);
    },

    async entries({ limit = 100, after = 0 } = {}) {
      const n = Math.min(1000, Math.max(1, Math.floor(Number.isFinite(limit) ? limit : 100)));
      const from = Number.isFinite(after) ? Math.max(0, Math.floor(after)) : 0;
      return structuredClone(await log.list({ after: from, limit: n }));
    },

    async verify() {
      const checkpoint = await log.checkpoint();
      let expected = (checkpoint?.seq ?? 0) + 1;
      let prevHash = checkpoint?.hash ?? GENESIS_HASH;
      let prev: AuditEntry | null = null;
      let head: AuditHead | null = checkpoint ? { ...checkpoint } : null;
      let headBeforePrev: AuditHead | null = head;
      let count = 0;
      const broken = (seq: number): AuditVerifyResult => ({ ok: false, entries: count, head, brokenAt: seq });

      // Yields the stored entries in order; `null` stands for a row the store could not even
      // decode (e.g. details edited into invalid JSON), which is a break at that position.
      async function* stored(): AsyncGenerator<AuditEntry | null> {
        for (let after = expected - 1; ; ) {
          let page: AuditEntry[];
          try {
            page = await log.list({ after, limit: PAGE });
          } catch (error) {
            if (isWebMCPError(error)) throw error; // an outage is not a verdict on the chain
            // Re-read one by one to get every decodable entry before the bad row.
            for (;;) {
              let one: AuditEntry[];
              try {
                one = await log.list({ after, limit: 1 });
              } catch (inner) {
                if (isWebMCPError(inner)) throw inner;
                yield null;
                return;
              }
              if (one.length === 0) return;
              yield one[0]!;
              after = one[0]!.seq;
            }
          }
          yield* page;
          if (page.length < PAGE) return;
          after = page[page.length - 1]!.seq;
          if (!Number.isSafeInteger(after)) return; // a tampered seq: the walk below reports it
        }
      }

      const it = stored();
      let cur = (await it.next()).value as AuditEntry | null | undefined;
      while (cur !== undefined) {
        if (cur === null) return broken(expected);
        const next = (await it.next()).value as AuditEntry | null | undefined;
        // A gap or a step back: an entry was deleted or the order changed.
        if (cur.seq !== expected) return broken(expected);
        if (!intact(cur)) return broken(cur.seq);
        if (cur.prev_hash !== prevHash) {
          // cur is intact but does not link to its predecessor. If cur's successor (or this
          // instance's own record of the head) still vouches for cur, cur is original and the
          // predecessor was rewritten and re-hashed; otherwise cur itself was.
          const vouched = next
            ? next !== null && next.seq === cur.seq + 1 && next.prev_hash === cur.hash
            : anchor !== null && anchor.seq === cur.seq && anchor.hash === cur.hash;
          if (!vouched || !prev) return broken(cur.seq);
          count--;
          head = headBeforePrev;
          return broken(prev.seq);
        }
        if (anchor && cur.seq === anchor.seq && cur.hash !== anchor.hash) return broken(cur.seq);
        prevHash = cur.hash;
        prev = cur;
        headBeforePrev = head;
        head = { seq: cur.seq, hash: cur.hash };
        expected++;
        count++;
        cur = next;
      }
      // Entries this instance wrote are gone from the end of the log.
      if (anchor && anchor.seq >= expected) return broken(expected);
      if (head && (!anchor || head.seq > anchor.seq)) anchor = { ...head };
      return { ok: true, entries: count, head };
    },

    prune,
  };
}
