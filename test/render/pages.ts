/** Test pages for the renderer: each one hides its real controls from a static parser in a different way. */

/** A React-style app: the static HTML is an empty root; the form appears after a data fetch. */
export const SCRIPTED_FORM = `<!doctype html><html lang="en"><head><title>Sign in</title></head><body>
<div id="root"></div>
<script>
  fetch('/api/config').then(r => r.json()).then(cfg => {
    const h = (tag, props, ...kids) => { const el = document.createElement(tag); Object.assign(el, props); el.append(...kids); return el; };
    const form = h('form', { method: 'post', action: cfg.action },
      h('label', { htmlFor: 'email' }, 'Email address'), h('input', { id: 'email', type: 'email', name: 'email', required: true }),
      h('label', { htmlFor: 'pw' }, 'Password'), h('input', { id: 'pw', type: 'password', name: 'password', value: 'hunter2' }),
      h('button', { type: 'submit' }, 'Sign in'));
    document.getElementById('root').append(h('h1', {}, 'Welcome back'), form);
    document.getElementById('email').value = 'typed@example.com';
  });
</script></body></html>`;

/** A login widget that lives in an open shadow root (custom element), plus one light-DOM link. */
export const SHADOW_LOGIN = `<!doctype html><html lang="en"><head><title>Shadow login</title></head><body>
<a href="/help">Help</a>
<login-widget><span slot="note">Use your work account</span></login-widget>
<script>
  customElements.define('login-widget', class extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: 'open' }).innerHTML =
        '<style>:host{display:block}</style><form action="/session" method="post">' +
        '<label>User <input name="user" autocomplete="username"></label>' +
        '<label>Password <input type="password" name="password"></label>' +
        '<button type="submit">Log in</button></form><slot name="note"></slot>';
    }
  });
</script></body></html>`;

/** The same widget behind a closed shadow root, which page scripts cannot see into either. */
export const CLOSED_SHADOW_LOGIN = SHADOW_LOGIN.replace("mode: 'open'", "mode: 'closed'").replace('<title>Shadow login</title>', '<title>Closed shadow login</title>');

/** Registers tools through every WebMCP surface the drafts define. */
export const RUNTIME_TOOLS = `<!doctype html><html><head><title>Tools</title></head><body>
<button id="go">Go</button>
<script>
  const schema = { type: 'object', properties: { q: { type: 'string', description: 'query' } }, required: ['q'] };
  document.modelContext.registerTool({ name: 'search_catalog', description: 'Search the catalog', inputSchema: schema,
    annotations: { readOnlyHint: true }, execute: async ({ q }) => ({ content: [{ type: 'text', text: q }] }) });
  const ac = new AbortController();
  document.modelContext.registerTool({ name: 'temporary', description: 'Removed again', execute: async () => ({}) }, { signal: ac.signal });
  ac.abort();
  navigator.modelContext.registerTool({ name: 'add_to_cart', description: 'Add an item to the cart',
    inputSchema: { type: 'object', properties: { sku: { type: 'string' } } }, execute: async () => ({}) });
  navigator.modelContext.provideContext({ tools: [{ name: 'old_context_tool', description: 'replaced', execute: async () => ({}) }] });
  navigator.modelContext.provideContext({ tools: [{ name: 'checkout', description: 'Start checkout', execute: async () => ({}) }] });
  navigator.modelContext.registerTool({ name: 'gone', description: 'unregistered by name', execute: async () => ({}) });
  navigator.modelContext.unregisterTool('gone');
  document.modelContext.registerTool({ name: 'bad name!', description: 'invalid name', execute: async () => ({}) }).catch(() => {});
  setTimeout(() => document.modelContext.registerTool({ name: 'late_tool', description: 'Registered after load',
    execute: async () => ({}) }), 100);
</script></body></html>`;

/** Controls hidden by a stylesheet in every way a person cannot see, plus the ones a person can use. */
export const STYLE_HIDDEN = `<!doctype html><html><head><title>Hidden</title><style>
  .gone { display: none } .invisible { visibility: hidden } .away { position: absolute; left: -10000px; top: 0 }
  .flat { width: 0; height: 0; padding: 0; border: 0; overflow: hidden } .hidebox input { display: none }
  .parent-gone { display: none }
  .custom-check { position: absolute; opacity: 0; width: 0; height: 0 }
</style></head><body>
<button id="visible">Save</button>
<button class="gone">Delete everything</button>
<button class="invisible">Invisible</button>
<button class="away">Skip link far away</button>
<button class="flat">Flat</button>
<div class="parent-gone"><a href="/secret">Secret</a></div>
<div class="hidebox"><input name="stealth" value="x"></div>
<input type="checkbox" class="custom-check" id="remember" name="remember"><label for="remember">Remember me</label>
<details><summary>More</summary><a href="/inside-details">Inside closed details</a></details>
<div style="height: 0"><div style="position: absolute; top: 400px"><div role="main" tabindex="-1" style="display: contents"><a href="/landmark">In a landmark</a></div></div></div>
<div role="button" onclick="void 0" class="invisible" aria-label="Wrapper"><button style="visibility: visible">Shown inside hidden</button></div>
<input type="hidden" name="token" value="t">
</body></html>`;

/**
 * A DOM that HTML cannot express: scripts put a <div> inside a <p>. Serialised and parsed again, the
 * <p> closes before the <div>, so positions in the analysed tree differ from the live page.
 */
export const MISNESTED = `<!doctype html><html><head><title>Misnested</title></head><body>
<button id="fine">Fine</button>
<script>
  const p = document.createElement('p');
  const d = document.createElement('div');
  d.append(Object.assign(document.createElement('button'), { textContent: 'Lost' }), Object.assign(document.createElement('button'), { textContent: 'Lost too' }));
  p.append(d);
  document.body.append(p);
  document.body.append(Object.assign(document.createElement('button'), { textContent: 'After' }));
</script></body></html>`;
