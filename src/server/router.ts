/**
 * A small method + path router. Routes are data; patterns use `:name` segments.
 * Static paths are looked up in a map; patterns are tried in registration order.
 */
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface RouteMatch<R> {
  route: R;
  params: Record<string, string>;
}

export type Lookup<R> =
  | { kind: 'found'; match: RouteMatch<R> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

interface Compiled<R> {
  method: Method;
  segments: string[];
  route: R;
}

export class Router<R extends { method: Method; path: string }> {
  private readonly statics = new Map<string, Map<Method, R>>();
  private readonly patterns: Compiled<R>[] = [];

  add(route: R): this {
    if (!route.path.startsWith('/')) throw new TypeError(`route path must start with "/": ${route.path}`);
    if (route.path.includes('/:')) {
      this.patterns.push({ method: route.method, segments: route.path.split('/').slice(1), route });
    } else {
      let byMethod = this.statics.get(route.path);
      if (!byMethod) this.statics.set(route.path, (byMethod = new Map()));
      if (byMethod.has(route.method)) throw new TypeError(`duplicate route ${route.method} ${route.path}`);
      byMethod.set(route.method, route);
    }
    return this;
  }

  lookup(method: string, pathname: string): Lookup<R> {
    const wanted = (method === 'HEAD' ? 'GET' : method) as Method;
    const byMethod = this.statics.get(pathname);
    if (byMethod) {
      const route = byMethod.get(wanted);
      if (route) return { kind: 'found', match: { route, params: {} } };
      return { kind: 'method-not-allowed', allow: [...byMethod.keys()] };
    }
    const parts = pathname.split('/').slice(1);
    const allow: string[] = [];
    for (const compiled of this.patterns) {
      const params = matchSegments(compiled.segments, parts);
      if (!params) continue;
      if (compiled.method === wanted) return { kind: 'found', match: { route: compiled.route, params } };
      allow.push(compiled.method);
    }
    return allow.length ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = Object.create(null);
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const part = parts[i]!;
    if (p.startsWith(':')) {
      if (part === '') return null;
      let value: string;
      try {
        value = decodeURIComponent(part);
      } catch {
        // A malformed escape cannot name any page or action: treat as no match (404).
        return null;
      }
      params[p.slice(1)] = value;
    } else if (p !== part) {
      return null;
    }
  }
  return params;
}
