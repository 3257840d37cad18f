import { describe, expect, it } from 'vitest';
import { WebMCPSecurityError } from '../../errors.js';
import { createRbac, type Principal } from './rbac.js';

const rbac = createRbac({ roles: { auditor: ['webmcp:read', 'webmcp:admin'] } });

function code(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(WebMCPSecurityError);
    return (error as WebMCPSecurityError).code;
  }
}

describe('rbac', () => {
  it('gives the built-in roles their scopes', () => {
    expect(rbac.roleScopes('reader')).toEqual(['webmcp:read']);
    expect(rbac.roleScopes('agent')).toEqual(['webmcp:read', 'webmcp:write']);
    expect(rbac.roleScopes('admin')).toEqual(['webmcp:read', 'webmcp:write', 'webmcp:admin']);
    expect(rbac.roleScopes('auditor')).toEqual(['webmcp:read', 'webmcp:admin']);
    expect(rbac.roleScopes('root')).toBeNull();
  });

  it('a reader cannot write, whatever its key or token claims', () => {
    const reader: Principal = { subject: 'k1', role: 'reader', keyScopes: ['webmcp:read', 'webmcp:write'], tokenScopes: ['webmcp:write'] };
    expect(code(() => rbac.authorize(reader, { scope: 'webmcp:write' }))).toBe('ERR_SCOPE');
    expect(code(() => rbac.authorize(reader, { scope: 'webmcp:read' }))).toBe('ERR_SCOPE'); // token lacks read
  });

  it('grants only the intersection of role, key scopes and token scopes', () => {
    const p: Principal = { subject: 'k2', role: 'admin', keyScopes: ['webmcp:read', 'webmcp:write'], tokenScopes: ['webmcp:read', 'webmcp:admin'] };
    expect([...rbac.effectiveScopes(p)]).toEqual(['webmcp:read']);
    expect(code(() => rbac.authorize(p, { scope: 'webmcp:read' }))).toBeNull();
    expect(code(() => rbac.authorize(p, { scope: 'webmcp:write' }))).toBe('ERR_SCOPE');
    expect(code(() => rbac.authorize(p, { scope: 'webmcp:admin' }))).toBe('ERR_SCOPE');
  });

  it('denies by default: no principal, no layers, unknown role, unknown scope', () => {
    expect(code(() => rbac.authorize(null, { scope: 'webmcp:read' }))).toBe('ERR_UNAUTHENTICATED');
    expect(code(() => rbac.authorize({ subject: 'x' }, { scope: 'webmcp:read' }))).toBe('ERR_SCOPE');
    expect(code(() => rbac.authorize({ subject: 'x', role: 'root', tokenScopes: ['webmcp:read'] }, { scope: 'webmcp:read' }))).toBe('ERR_SCOPE');
    expect(code(() => rbac.authorize({ subject: 'x', role: 'admin' }, { scope: 'shop:orders' }))).toBe('ERR_SCOPE');
  });

  it('applies page/action ACLs on roles and scopes', () => {
    const agent: Principal = { subject: 'a', role: 'agent', tokenScopes: ['webmcp:read', 'webmcp:write'] };
    const reader: Principal = { subject: 'r', role: 'reader' };
    const acl = { roles: ['agent', 'admin'] };
    expect(code(() => rbac.authorize(agent, { scope: 'webmcp:write', acl }))).toBeNull();
    expect(code(() => rbac.authorize(reader, { scope: 'webmcp:read', acl }))).toBe('ERR_FORBIDDEN');
    // A token-only principal has no role, so a role ACL cannot admit it.
    expect(code(() => rbac.authorize({ subject: 't', tokenScopes: ['webmcp:read'] }, { scope: 'webmcp:read', acl }))).toBe('ERR_FORBIDDEN');
    expect(code(() => rbac.authorize(agent, { scope: 'webmcp:write', acl: { scopes: ['webmcp:read'] } }))).toBe('ERR_FORBIDDEN');
    expect([...rbac.effectiveScopes(agent, { scopes: ['webmcp:read'] })]).toEqual(['webmcp:read']);
    expect([...rbac.effectiveScopes(reader, acl)]).toEqual([]);
    expect(rbac.can(agent, { scope: 'webmcp:read', acl })).toBe(true);
  });

  it('takes a resolved config role table (built-ins included) and refuses bad roles at creation', () => {
    const fromConfig = createRbac({ roles: { reader: ['webmcp:read'], agent: ['webmcp:read'], ops: ['webmcp:admin'] } });
    expect(fromConfig.roleScopes('agent')).toEqual(['webmcp:read']);
    expect(() => createRbac({ roles: { 'bad name': ['webmcp:read'] } })).toThrow(TypeError);
    expect(() => createRbac({ roles: { ok: ['has space'] } })).toThrow(TypeError);
    expect(() => rbac.authorize({ subject: 'x' }, { scope: '' })).toThrow(TypeError);
  });
});
