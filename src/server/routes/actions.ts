import { WebMCPSecurityError, isWebMCPError } from '../../errors.js';
import { forwardToUpstream } from '../actions/forward.js';
import { formOf, prepareParams } from '../actions/params.js';
import type { RequestContext } from '../context.js';
import { refuse } from '../guard.js';
import { HttpError } from '../http/problem.js';
import { asObject, readJson } from '../http/json.js';
import { actionElements } from '../pages/registry.js';
import { defineRoutes, json } from '../route.js';
import type { GatewayServices } from '../services.js';
import { aclAllows, pageFor } from './pages.js';

/**
 * `POST /webmcp/actions/:page/:action`: validates the params against the page's document,
 * decrypts JWE fields, forwards to the configured upstream and answers `{status, body}` only
 * after the call's audit entry is committed. Values never reach the audit log or the logs.
 */
export const actionRoutes = defineRoutes([
  {
    method: 'POST',
    path: '/webmcp/actions/:page/:action',
    access: { scope: 'webmcp:write' },
    async handle(ctx, s) {
      const page = await pageFor(ctx, s, ctx.params['page']!);
      const name = ctx.params['action']!;
      const config = page.config.actions[name];
      const element = page.document ? actionElements(page.document).get(name) : undefined;
      if (!config || !element || !page.document) throw new HttpError(404, 'not-found', 'no such action', { code: 'ERR_NOT_FOUND' });
      if (!aclAllows(ctx, config.acl)) {
        const error = new WebMCPSecurityError('ERR_FORBIDDEN', 'access denied', { cause: 'action acl' });
        await refuse(ctx, s, 'acl', 'auth.refused', error);
        throw error;
      }
      const resource = `action:${page.id}/${name}`;
      const document = page.document;

      let prepared;
      try {
        const params = asObject(await readJson(ctx.request, s.config.bodyLimit), 'the params');
        prepared = await prepareParams(document, element, params, (jwe) => decryptField(s, jwe));
      } catch (error) {
        // Refused input is audited too (which rule, never which value).
        await auditCall(ctx, s, resource, 'refused', { reason: isWebMCPError(error) ? error.code : 'error' });
        if (isWebMCPError(error) && (error.code === 'ERR_ENCRYPTION_REQUIRED' || error.code === 'ERR_DECRYPT')) ctx.refusal = 'encryption';
        throw error;
      }

      const form = formOf(document, element);
      const encoding =
        config.encoding ??
        (form?.enctype === 'application/json' ? 'json' : form?.enctype === 'multipart/form-data' ? 'multipart' : 'form');
      const started = performance.now();
      let answer;
      try {
        answer = await forwardToUpstream(s.fetch, {
          url: config.upstream,
          method: config.method,
          encoding,
          fields: prepared.fields,
          timeoutMs: config.timeoutMs,
          requestId: ctx.id,
        });
      } catch (error) {
        const timeout = error instanceof HttpError && error.status === 504;
        s.metrics.upstream(timeout ? 'timeout' : 'error');
        await auditCall(ctx, s, resource, 'error', {
          params: prepared.given,
          encrypted: prepared.encrypted,
          reason: timeout ? 'upstream timeout' : 'upstream unreachable',
        });
        throw error;
      }
      s.metrics.upstream('ok');
      await auditCall(ctx, s, resource, 'ok', {
        params: prepared.given,
        encrypted: prepared.encrypted,
        upstream_status: answer.status,
        ms: Math.round(performance.now() - started),
      });
      return json({ status: answer.status, body: answer.body });
    },
  },
]);

async function decryptField(s: GatewayServices, jwe: string): Promise<string> {
  return s.security.jwe.decrypt(jwe);
}

async function auditCall(
  ctx: RequestContext,
  s: GatewayServices,
  resource: string,
  outcome: 'ok' | 'refused' | 'error',
  details: Record<string, unknown>,
): Promise<void> {
  await s.audit(ctx, { action: 'action.call', outcome, resource, details });
}

