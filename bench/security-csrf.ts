/**
 * CSRF benchmark, part of `bench/security.ts` (which calls {@link csrfBench}; this module has no
 * `run()` of its own so the runner does not measure it twice).
 *
 * Compares, in one process, webmcp's session-bound CSRF tokens with csrf-csrf's `doubleCsrf`
 * (the maintained double-submit library for Express), both HMAC-SHA256 over the session id and
 * a random value:
 * - issue + verify: a token for a session, then its check;
 * - verify only: the per-request cost on unsafe requests;
 * - webmcp with the request checks (Sec-Fetch-Site, Origin, double-submit cookie) and with the
 *   secret fetched from the keyring per call, as `createSecurity()` wires it.
 */
import { randomBytes } from 'node:crypto';
import { doubleCsrf } from 'csrf-csrf';
import { createSecurity, generateSecret } from '../src/security/index.js';
import { createCsrf } from '../src/security/csrf/index.js';
import type { BenchResult } from './types.js';

const DURATION_MS = Number(process.env.WEBMCP_BENCH_SECURITY_MS ?? 500);
const ROUNDS = 3;
const SESSION = 'k1Yc7mB0qW2xT9vN4pL6sD8fH3jR5aZ0eU1iO2yG7bQ';

/** Completed operations per second over DURATION_MS, one in flight (after a warm-up). */
async function measure(op: () => unknown): Promise<number> {
  for (let i = 0; i < 500; i++) await op();
  let done = 0;
  const start = performance.now();
  const end = start + DURATION_MS;
  while (performance.now() < end) {
    await op();
    done++;
  }
  return Math.round(done / ((performance.now() - start) / 1000));
}

/** Alternating rounds, median per contender, so background load hits every contender alike. */
async function compare(ops: Array<() => unknown>): Promise<number[]> {
  const samples: number[][] = ops.map(() => []);
  for (let round = 0; round < ROUNDS; round++) for (const [i, op] of ops.entries()) samples[i]!.push(await measure(op));
  return samples.map((s) => s.sort((a, b) => a - b)[Math.floor(s.length / 2)]!);
}

const ratio = (ours: number, baseline: number) => Math.round((ours / baseline) * 100) / 100;

/** Minimal Express-shaped request/response objects, all csrf-csrf touches. */
interface FakeReq {
  method: string;
  headers: Record<string, string>;
  cookies: Record<string, string>;
}

export async function csrfBench(): Promise<BenchResult> {
  const secret = randomBytes(32);

  // csrf-csrf, configured like ours: session-bound, HMAC-SHA256, 32 random bytes.
  const theirs = doubleCsrf({
    getSecret: () => secret.toString('hex'),
    getSessionIdentifier: (req) => (req as unknown as { sessionId: string }).sessionId,
    cookieName: '__Host-csrf',
    size: 32,
  });
  const theirReq = (token = ''): FakeReq & { sessionId: string } => ({
    method: 'POST',
    sessionId: SESSION,
    headers: { 'x-csrf-token': token },
    cookies: token ? { '__Host-csrf': token } : {},
  });
  const res = { cookie: () => res };
  const theirIssue = () => theirs.generateCsrfToken(theirReq() as never, res as never, { overwrite: true });
  const theirToken = theirIssue();
  const verifiedReq = theirReq(theirToken);
  if (!theirs.validateRequest(verifiedReq as never)) throw new Error('csrf-csrf baseline does not verify its own token');

  const ours = createCsrf({ csrfTokenExpiry: 3600 }, { secrets: secret });
  const ourToken = await ours.issue(SESSION);
  await ours.verify(SESSION, ourToken);
  const request = new Request('https://shop.example/webmcp/actions/login/LOGIN', {
    method: 'POST',
    headers: { origin: 'https://shop.example', 'sec-fetch-site': 'same-origin', cookie: `__Host-webmcp-csrf=${ourToken}`, 'x-csrf-token': ourToken },
  });
  await ours.verify(SESSION, ourToken, request);

  const sec = await createSecurity({ jwt: { secret: generateSecret() } });
  try {
    const keyringToken = await sec.csrf.issue(SESSION);
    await sec.csrf.verify(SESSION, keyringToken);

    const [theirsBoth, oursBoth, keyringBoth] = (await compare([
      () => theirs.validateRequest(theirReq(theirIssue()) as never),
      async () => ours.verify(SESSION, await ours.issue(SESSION)),
      async () => sec.csrf.verify(SESSION, await sec.csrf.issue(SESSION)),
    ])) as [number, number, number];
    const [theirsVerify, oursVerify, oursRequest, keyringVerify] = (await compare([
      () => theirs.validateRequest(verifiedReq as never),
      () => ours.verify(SESSION, ourToken),
      () => ours.verify(SESSION, ourToken, request),
      () => sec.csrf.verify(SESSION, keyringToken),
    ])) as [number, number, number, number];

    const rows: BenchResult['rows'] = [
      { operation: 'CSRF issue + verify', implementation: 'csrf-csrf doubleCsrf', 'ops/s': theirsBoth, 'ratio vs baseline': 1 },
      { operation: 'CSRF issue + verify', implementation: 'webmcp createCsrf', 'ops/s': oursBoth, 'ratio vs baseline': ratio(oursBoth, theirsBoth) },
      { operation: 'CSRF issue + verify', implementation: 'webmcp sec.csrf (keyring secret)', 'ops/s': keyringBoth, 'ratio vs baseline': ratio(keyringBoth, theirsBoth) },
      { operation: 'CSRF verify', implementation: 'csrf-csrf validateRequest', 'ops/s': theirsVerify, 'ratio vs baseline': 1 },
      { operation: 'CSRF verify', implementation: 'webmcp csrf.verify', 'ops/s': oursVerify, 'ratio vs baseline': ratio(oursVerify, theirsVerify) },
      { operation: 'CSRF verify', implementation: 'webmcp csrf.verify + request checks', 'ops/s': oursRequest, 'ratio vs baseline': ratio(oursRequest, theirsVerify) },
      { operation: 'CSRF verify', implementation: 'webmcp sec.csrf.verify (keyring secret)', 'ops/s': keyringVerify, 'ratio vs baseline': ratio(keyringVerify, theirsVerify) },
    ];
    const notes = [
      'CSRF: both sides HMAC-SHA256 over the session id and a 32-byte (csrf-csrf) / 16-byte (webmcp) random value; csrf-csrf compares cookie and header with ===, webmcp compares MACs in constant time and also checks expiry (csrf-csrf tokens never expire).',
      'CSRF: webmcp calls are async (the secret may come from the keyring); csrf-csrf is synchronous and is given minimal Express-shaped req/res objects.',
      '"+ request checks" adds the Sec-Fetch-Site and Origin checks and the double-submit cookie comparison on a Web Request.',
      `CSRF figures: the median of ${ROUNDS} alternating ${DURATION_MS} ms rounds, one operation in flight.`,
    ];
    return { name: 'security-csrf', rows, notes };
  } finally {
    await sec.close();
  }
}
