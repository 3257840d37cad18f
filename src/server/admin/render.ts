import type { ApiKeyRecord, AuditEntry } from '../../store/types.js';
import type { PageState } from '../pages/registry.js';
import { html, type SafeHtml } from './html.js';

export interface DashboardData {
  nonce: string;
  csrfToken: string;
  who: { keyId: string; role: string };
  pages: PageState[];
  actionsOf: (page: PageState) => string[];
  keys: ApiKeyRecord[];
  audit: AuditEntry[];
  chain: { ok: boolean; entries: number; brokenAt?: number; checkedAt: number };
  rateLimit: {
    policy: { limit: number; windowMs: number };
    ip: { address: string; remaining: number; resetMs: number };
    keys: Map<string, { remaining: number; resetMs: number }>;
  };
}

function layout(title: string, nonce: string, head: SafeHtml | string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="data:,">
${head}
<title>${title}</title>
<link rel="stylesheet" href="/admin/app.css" nonce="${nonce}">
</head>
<body>
${body}
</body>
</html>
`.value;
}

/** The login form: an admin API key opens a session (POST /admin/login, same-origin only). */
export function renderLogin(nonce: string, error: string | null): string {
  return layout(
    'webmcp admin — sign in',
    nonce,
    '',
    html`<main class="login">
<section>
<h1>webmcp gateway</h1>
<p class="muted">Sign in with an admin API key (<code>key_id.secret</code>).</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/admin/login" autocomplete="off">
<label for="api_key">Admin API key</label>
<input type="password" id="api_key" name="api_key" required maxlength="512" autocomplete="off" spellcheck="false">
<button type="submit" class="primary">Sign in</button>
</form>
</section>
</main>`,
  );
}

function time(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

function keyState(k: ApiKeyRecord, now: number): string {
  if (k.revokedAt !== null) return 'revoked';
  if (k.expiresAt !== null && k.expiresAt <= now) return 'expired';
  return 'active';
}

function pagesSection(data: DashboardData): SafeHtml {
  const rows = data.pages.map((page) => {
    const doc = page.document;
    const elements = doc?.elements ?? [];
    return html`<tr>
<td class="mono">${page.id}</td>
<td>${doc?.context.title ?? ''}<div class="muted mono">${doc?.context.url ?? page.config.url ?? ''}</div></td>
<td>${doc?.context.purpose ?? ''}</td>
<td class="mono">${data.actionsOf(page).join(', ')}</td>
<td>${page.analyzedAt ? time(Date.parse(page.analyzedAt)) : ''}${page.error ? html`<div class="error">analysis failed</div>` : ''}</td>
<td>
<details><summary>${elements.length} elements</summary>
<table class="elements">
<thead><tr><th>Name</th><th>Role</th><th>Label</th><th>Security</th></tr></thead>
<tbody>${elements.map(
      (e) => html`<tr><td class="mono">${e.name}</td><td class="mono">${e.role}</td><td class="label">${e.label ?? ''}</td><td class="mono">${e.security?.encryption === 'required' ? 'JWE required' : ''}</td></tr>`,
    )}</tbody>
</table>
</details>
</td>
</tr>`;
  });
  return html`<section id="pages-section">
<h2>Pages</h2>
<table id="pages">
<thead><tr><th>Page</th><th>Title / URL</th><th>Purpose</th><th>Actions</th><th>Analysed</th><th>Document</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="6" class="muted">No pages configured.</td></tr>`}</tbody>
</table>
</section>`;
}

function keysSection(data: DashboardData): SafeHtml {
  const now = Date.now();
  const rows = data.keys.map((k) => {
    const state = keyState(k, now);
    return html`<tr data-row="${k.id}"${state !== 'active' ? html` class="revoked"` : ''}>
<td class="mono">${k.id}</td>
<td>${k.name}</td>
<td>${k.role}</td>
<td class="mono">${k.scopes.join(' ')}</td>
<td>${time(k.createdAt)}</td>
<td>${time(k.lastUsedAt)}</td>
<td class="state">${state}</td>
<td>${state === 'active' ? html`<button type="button" data-action="rotate" data-key="${k.id}">Rotate</button><button type="button" data-action="revoke" data-key="${k.id}">Revoke</button>` : ''}</td>
</tr>`;
  });
  return html`<section id="keys-section">
<h2>API keys</h2>
<table id="keys">
<thead><tr><th>Id</th><th>Name</th><th>Role</th><th>Scopes</th><th>Created</th><th>Last used</th><th>State</th><th></th></tr></thead>
<tbody id="keys-body">${rows}</tbody>
</table>
<form id="create-key" class="inline">
<input type="text" name="name" placeholder="Key name" required maxlength="100" aria-label="Key name">
<select name="role" aria-label="Role"><option value="reader">reader</option><option value="agent" selected>agent</option><option value="admin">admin</option></select>
<label><input type="checkbox" name="scopes" value="webmcp:read"> read</label>
<label><input type="checkbox" name="scopes" value="webmcp:write"> write</label>
<label><input type="checkbox" name="scopes" value="webmcp:admin"> admin</label>
<button type="submit" class="primary">Create key</button>
</form>
<div id="secret" class="secret" hidden>
<strong id="secret-title"></strong>
<code id="secret-value"></code>
<button type="button" id="secret-copy">Copy</button>
</div>
</section>`;
}

function auditSection(data: DashboardData): SafeHtml {
  const chain = data.chain.ok
    ? html`<span class="ok">chain intact</span> <span class="muted">(${data.chain.entries} entries verified at ${time(data.chain.checkedAt)})</span>`
    : html`<span class="bad">chain broken at entry ${data.chain.brokenAt ?? '?'}</span> <span class="muted">(checked at ${time(data.chain.checkedAt)})</span>`;
  const rows = [...data.audit].reverse().map(
    (e) => html`<tr>
<td class="mono">${e.seq}</td><td class="mono">${e.ts.replace('T', ' ').slice(0, 19)}</td><td class="mono">${e.actor}</td>
<td class="mono">${e.action}</td><td class="mono">${e.resource}</td><td class="${e.outcome === 'ok' ? 'ok' : 'bad'}">${e.outcome}</td><td class="mono">${e.ip ?? ''}</td>
</tr>`,
  );
  return html`<section id="audit-section">
<h2>Recent audit entries</h2>
<p id="chain">${chain}</p>
<table id="audit">
<thead><tr><th>Seq</th><th>Time (UTC)</th><th>Actor</th><th>Action</th><th>Resource</th><th>Outcome</th><th>IP</th></tr></thead>
<tbody>${rows}</tbody>
</table>
</section>`;
}

function rateSection(data: DashboardData): SafeHtml {
  const { policy, ip, keys } = data.rateLimit;
  const rows = [...keys].map(
    ([id, r]) => html`<tr><td class="mono">key ${id}</td><td>${policy.limit - r.remaining} / ${policy.limit}</td><td>${Math.ceil(r.resetMs / 1000)} s</td></tr>`,
  );
  return html`<section id="rate-section">
<h2>Rate limits</h2>
<p class="muted">Policy: ${policy.limit} requests per ${Math.round(policy.windowMs / 1000)} s, per API key and per client IP.</p>
<table id="rate">
<thead><tr><th>Budget</th><th>Used</th><th>Window resets in</th></tr></thead>
<tbody>
<tr><td class="mono">ip ${ip.address}</td><td>${policy.limit - ip.remaining} / ${policy.limit}</td><td>${Math.ceil(ip.resetMs / 1000)} s</td></tr>
${rows}
</tbody>
</table>
</section>`;
}

/** The dashboard: pages and documents, keys, audit with chain status, rate-limit state. */
export function renderDashboard(data: DashboardData): string {
  return layout(
    'webmcp admin',
    data.nonce,
    html`<meta name="csrf-token" content="${data.csrfToken}">`,
    html`<header>
<h1>webmcp gateway</h1>
<div><span class="who">Signed in with key <code>${data.who.keyId}</code> (${data.who.role})</span><button type="button" id="logout">Sign out</button></div>
</header>
<main>
<p id="status" class="status" role="status" aria-live="polite"></p>
${pagesSection(data)}
${keysSection(data)}
${auditSection(data)}
${rateSection(data)}
</main>
<script src="/admin/app.js" nonce="${data.nonce}"></script>`,
  );
}
