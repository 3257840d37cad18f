import { getAttr, type ElementNode } from './dom.js';

/**
 * What a static page says is hidden, without evaluating stylesheets or scripts:
 * `hidden`, `aria-hidden="true"`, an inline `display:none` / `visibility:hidden` declaration,
 * and the never-rendered `<template>`, `<head>`, `<noscript>`. Applies to descendants too.
 */
export function isSelfHidden(el: ElementNode): boolean {
  switch (el.tag) {
    case 'template':
    case 'head':
    case 'noscript':
      return true;
  }
  const attrs = el.attrs;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i];
    if (a.prefix) continue;
    if (a.name === 'hidden') return true;
    if (a.name === 'aria-hidden' && a.value.trim().toLowerCase() === 'true') return true;
    if (a.name === 'style' && hidesByStyle(a.value)) return true;
  }
  return false;
}

/** An inline style whose whole `;`-separated declaration is `display:none` or `visibility:hidden` (maybe `!important`). */
export function hidesByStyle(style: string): boolean {
  const s = style.replace(/\s+/g, '').toLowerCase();
  if (!s.includes('display:none') && !s.includes('visibility:hidden')) return false;
  for (const decl of s.split(';')) {
    if (decl === 'display:none' || decl === 'display:none!important' || decl === 'visibility:hidden' || decl === 'visibility:hidden!important') return true;
  }
  return false;
}

const INPUT_TYPES = new Set([
  'hidden', 'text', 'search', 'tel', 'url', 'email', 'password', 'date', 'month', 'week', 'time', 'datetime-local',
  'number', 'range', 'color', 'checkbox', 'radio', 'file', 'submit', 'image', 'reset', 'button',
]);

/** `<input type>` as browsers read it: ASCII case-insensitive keyword, anything unknown (even " hidden") is `text`. */
export function inputType(el: ElementNode): string {
  const t = getAttr(el, 'type');
  if (t === undefined) return 'text';
  const v = t.toLowerCase();
  return INPUT_TYPES.has(v) ? v : 'text';
}
