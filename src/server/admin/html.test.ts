import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from './html.js';

describe('admin html templates', () => {
  it('escapes every interpolated value', () => {
    const label = `<img src=x onerror="alert(1)">'\``;
    expect(html`<td title="${label}">${label}</td>`.value).toBe(
      '<td title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&#96;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&#96;</td>',
    );
  });

  it('keeps nested templates and arrays of them as HTML', () => {
    const rows = ['a<b', 'c'].map((v) => html`<li>${v}</li>`);
    expect(html`<ul>${rows}</ul>`.value).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
    expect(escapeHtml(null)).toBe('');
  });
});
