/**
 * The admin page's script and stylesheet, served by the gateway as external files so the CSP
 * needs no 'unsafe-inline'. The script uses no inline handlers, builds DOM with textContent only,
 * and sends the session's CSRF token (from a meta tag) on every change.
 */
export const ADMIN_SCRIPT = String.raw`'use strict';
(function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var status = document.getElementById('status');

  function say(text, isError) {
    if (!status) return;
    status.textContent = text;
    status.className = isError ? 'status error' : 'status';
  }

  function call(method, url, body) {
    var init = { method: method, credentials: 'same-origin', headers: { 'x-csrf-token': csrf, accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      if (res.status === 204) return null;
      return res.json().catch(function () { return null; }).then(function (data) {
        if (!res.ok) throw new Error((data && (data.detail || data.error_description)) || ('HTTP ' + res.status));
        return data;
      });
    });
  }

  function cell(row, text, className) {
    var td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function button(label, action, id) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.setAttribute('data-action', action);
    b.setAttribute('data-key', id);
    return b;
  }

  function showSecret(title, key) {
    var box = document.getElementById('secret');
    document.getElementById('secret-title').textContent = title;
    document.getElementById('secret-value').textContent = key;
    box.hidden = false;
  }

  function addKeyRow(k) {
    var body = document.getElementById('keys-body');
    var row = document.createElement('tr');
    row.setAttribute('data-row', k.id);
    cell(row, k.id, 'mono');
    cell(row, k.name || '');
    cell(row, k.role);
    cell(row, (k.scopes || []).join(' '));
    cell(row, 'just now');
    cell(row, '—');
    cell(row, 'active', 'state');
    var actions = cell(row, '');
    actions.appendChild(button('Rotate', 'rotate', k.id));
    actions.appendChild(button('Revoke', 'revoke', k.id));
    body.appendChild(row);
  }

  var form = document.getElementById('create-key');
  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var scopes = data.getAll('scopes');
      var payload = { name: String(data.get('name') || ''), role: String(data.get('role') || '') };
      if (scopes.length) payload.scopes = scopes.map(String);
      call('POST', '/admin/api/keys', payload).then(function (created) {
        addKeyRow(created);
        showSecret('New key ' + created.id + ' — copy it now, it is shown only once:', created.key);
        form.reset();
        say('Key created.');
      }).catch(function (err) { say('Could not create the key: ' + err.message, true); });
    });
  }

  var table = document.getElementById('keys');
  if (table) {
    table.addEventListener('click', function (event) {
      var target = event.target;
      if (!(target instanceof HTMLButtonElement)) return;
      var id = target.getAttribute('data-key');
      var action = target.getAttribute('data-action');
      if (!id || (action !== 'revoke' && action !== 'rotate')) return;
      if (action === 'revoke' && !window.confirm('Revoke key ' + id + '? Tokens issued from it stop working.')) return;
      call('POST', '/admin/api/keys/' + encodeURIComponent(id) + '/' + action).then(function (result) {
        var row = table.querySelector('tr[data-row="' + CSS.escape(id) + '"]');
        if (action === 'revoke') {
          if (row) {
            row.querySelector('.state').textContent = 'revoked';
            row.classList.add('revoked');
            row.querySelectorAll('button').forEach(function (b) { b.remove(); });
          }
          say('Key ' + id + ' revoked.');
        } else {
          showSecret('Rotated key ' + id + ' — the new key is shown only once:', result.key);
          say('Key ' + id + ' rotated.');
        }
      }).catch(function (err) { say('Could not ' + action + ' the key: ' + err.message, true); });
    });
  }

  var copy = document.getElementById('secret-copy');
  if (copy) {
    copy.addEventListener('click', function () {
      var text = document.getElementById('secret-value').textContent;
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(function () { say('Copied.'); }, function () { say('Copy failed; select the text instead.', true); });
    });
  }

  var logout = document.getElementById('logout');
  if (logout) {
    logout.addEventListener('click', function () {
      call('DELETE', '/webmcp/session').then(function () { window.location.assign('/admin'); })
        .catch(function (err) { say('Logout failed: ' + err.message, true); });
    });
  }
})();
`;

export const ADMIN_STYLES = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #5b6577; --bg: #f6f7f9; --card: #fff; --line: #dfe3ea; --accent: #2857d6; --bad: #b42318; --ok: #137333; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #9aa4b5; --bg: #12151b; --card: #1a1f27; --line: #2c3340; --accent: #7aa2ff; --bad: #ff8a80; --ok: #7ee2a8; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; justify-content: space-between; padding: 12px 24px; background: var(--card); border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0; }
header .who { color: var(--muted); margin-right: 12px; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
section h2 { font-size: 16px; margin: 0 0 12px; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
.muted { color: var(--muted); }
.ok { color: var(--ok); font-weight: 600; }
.bad, .error { color: var(--bad); font-weight: 600; }
tr.revoked td { color: var(--muted); text-decoration: line-through; }
tr.revoked td.state { text-decoration: none; }
button, input, select { font: inherit; }
button { border: 1px solid var(--line); background: var(--card); color: var(--fg); border-radius: 6px; padding: 4px 10px; cursor: pointer; margin-right: 4px; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
input[type=text], input[type=password], select { padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
form.inline { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin-top: 12px; }
.secret { border: 1px solid var(--accent); border-radius: 8px; padding: 12px; margin-top: 12px; }
.secret code { display: block; word-break: break-all; margin: 8px 0; padding: 8px; background: var(--bg); border-radius: 6px; }
.status { min-height: 1.4em; margin: 8px 0 0; }
details summary { cursor: pointer; }
.login { max-width: 420px; margin: 12vh auto; }
.login form { display: grid; gap: 10px; }
`;
