import { WebMCPSecurityError } from '../../errors.js';

/** The scopes webmcp itself defines. Custom roles may also grant site-specific scopes. */
export const SCOPES = ['webmcp:read', 'webmcp:write', 'webmcp:admin'] as const;
export type WebMCPScope = (typeof SCOPES)[number];

/** Built-in roles. Scopes are literal: `webmcp:admin` does not imply `webmcp:read`. */
export const BUILTIN_ROLES: Readonly<Record<'reader' | 'agent' | 'admin', readonly string[]>> = Object.freeze({
  reader: Object.freeze(['webmcp:read']),
  agent: Object.freeze(['webmcp:read', 'webmcp:write']),
  admin: Object.freeze([...SCOPES]),
});

/**
 * Who is asking. Each present layer constrains what they may do; an absent (`null`/omitted)
 * layer does not apply. A principal with no layer at all is granted nothing.
 */
export interface Principal {
  /** Stable id for audit and rate limiting (token `sub`, API key id, ...). */
  subject: string;
  /** Role name; an unknown role grants nothing. */
  role?: string | null;
  /** Scopes the API key holds. */
  keyScopes?: readonly string[] | null;
  /** Scopes the presented token carries. */
  tokenScopes?: readonly string[] | null;
}

/** Page/action access list: the caller's role must be listed, the scope must be allowed. */
export interface Acl {
  roles?: readonly string[];
  scopes?: readonly string[];
}

export interface AuthorizeRequest {
  /** The scope the operation needs. */
  scope: string;
  /** What is being accessed (for error context only). */
  resource?: string;
  acl?: Acl | null;
}

export interface RbacOptions {
  /**
   * Role table (`ResolvedSecurityConfig.roles`): name -> scopes, merged over the built-ins. The
   * resolved config already lists the built-ins (narrowed to the configured `jwt.scopes`).
   */
  roles?: Readonly<Record<string, readonly string[]>>;
}

export interface Rbac {
  /** Scopes a role grants, or null for an unknown role. */
  roleScopes(role: string): readonly string[] | null;
  /** The effective scopes: role ∩ key scopes ∩ token scopes (∩ acl.scopes), empty when the ACL's roles exclude the caller. */
  effectiveScopes(principal: Principal, acl?: Acl | null): Set<string>;
  /**
   * Throws `WebMCPSecurityError` unless `principal` may use `scope`: `ERR_UNAUTHENTICATED`
   * without a principal, `ERR_FORBIDDEN` when an ACL excludes it, `ERR_SCOPE` when its scopes
   * fall short.
   */
  authorize(principal: Principal | null | undefined, request: AuthorizeRequest): void;
  /** Like {@link Rbac.authorize} but answers a boolean. */
  can(principal: Principal | null | undefined, request: AuthorizeRequest): boolean;
}

const NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/; // RFC 6749 scope-token

function intersect(a: Set<string>, b: readonly string[]): Set<string> {
  const other = new Set(b);
  return new Set([...a].filter((s) => other.has(s)));
}

/**
 * Deny-by-default role/scope checks, the one `authorize()` the middleware and gateway use.
 *
 * @example
 * const rbac = createRbac({ roles: config.roles }); // or { roles: { auditor: ['webmcp:read', 'webmcp:admin'] } }
 * rbac.authorize({ subject: 'k1', role: 'reader', tokenScopes: ['webmcp:read'] }, { scope: 'webmcp:write' }); // throws ERR_SCOPE
 */
export function createRbac(options: RbacOptions = {}): Rbac {
  const roles = new Map<string, readonly string[]>(Object.entries(BUILTIN_ROLES));
  for (const [name, scopes] of Object.entries(options.roles ?? {})) {
    if (!NAME.test(name)) throw new TypeError(`invalid role name`);
    if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && SCOPE.test(s))) {
      throw new TypeError(`role ${name}: scopes must be scope strings`);
    }
    roles.set(name, Object.freeze([...new Set(scopes)]));
  }

  function grants(principal: Principal): Set<string> | null {
    const layers: (readonly string[])[] = [];
    if (principal.role !== undefined && principal.role !== null) layers.push(roles.get(principal.role) ?? []);
    if (principal.keyScopes) layers.push(principal.keyScopes);
    if (principal.tokenScopes) layers.push(principal.tokenScopes);
    if (layers.length === 0) return null;
    let set = new Set(layers[0]);
    for (const layer of layers.slice(1)) set = intersect(set, layer);
    return set;
  }

  function roleAllowed(principal: Principal, acl: Acl | null | undefined): boolean {
    if (!acl?.roles) return true;
    return typeof principal.role === 'string' && acl.roles.includes(principal.role);
  }

  function decide(principal: Principal | null | undefined, request: AuthorizeRequest): WebMCPSecurityError | null {
    if (!request || typeof request.scope !== 'string' || request.scope.length === 0) throw new TypeError('scope is required');
    if (!principal || typeof principal.subject !== 'string') {
      return new WebMCPSecurityError('ERR_UNAUTHENTICATED', 'authentication required');
    }
    const held = grants(principal) ?? new Set<string>();
    if (!held.has(request.scope)) {
      return new WebMCPSecurityError('ERR_SCOPE', 'insufficient scope', { cause: { scope: request.scope } });
    }
    const acl = request.acl;
    if (!roleAllowed(principal, acl) || (acl?.scopes && !acl.scopes.includes(request.scope))) {
      return new WebMCPSecurityError('ERR_FORBIDDEN', 'access denied', {
        cause: { scope: request.scope, resource: request.resource },
      });
    }
    return null;
  }

  return {
    roleScopes(role) {
      return roles.get(role) ?? null;
    },
    effectiveScopes(principal, acl) {
      if (!roleAllowed(principal, acl)) return new Set();
      const held = grants(principal) ?? new Set<string>();
      return acl?.scopes ? intersect(held, acl.scopes) : held;
    },
    authorize(principal, request) {
      const refusal = decide(principal, request);
      if (refusal) throw refusal;
    },
    can(principal, request) {
      return decide(principal, request) === null;
    },
  };
}
