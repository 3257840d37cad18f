/**
 * The recording shim for W3C WebMCP run-time declarations, installed with `addInitScript` before any
 * page script runs. It runs INSIDE the page: it must be self-contained (no imports, no closures over
 * module scope) because Playwright sends its source text to the browser.
 *
 * Surfaces covered (webmachinelearning/webmcp):
 * - `document.modelContext.registerTool(tool, { signal })` — the current draft; aborting the signal
 *   unregisters. Returns a promise.
 * - `navigator.modelContext` — earlier drafts: `registerTool(tool)`, `unregisterTool(name)`,
 *   `provideContext({ tools })` (replaces the tools it provided before) and `clearContext()`.
 *
 * What is recorded: name, title, description, a JSON copy of `inputSchema` taken at registration time
 * (as the draft stringifies it), and annotations. Never the `execute` function. When the browser has a
 * real implementation, calls are forwarded to it unchanged, so the page keeps working as it would.
 * The recording is read back through a non-enumerable, non-writable function on `window` whose name
 * is a per-render random nonce.
 */
export function installModelContextShim(nonce: string): void {
  interface Recorded {
    name: string;
    title?: string;
    description?: string;
    inputSchema?: unknown;
    annotations?: unknown;
    /** Which surface registered it: `provideContext` tools are replaced as a set. */
    bucket: 'tool' | 'context';
  }
  const MAX_TOOLS = 256;
  const NAME = /^[A-Za-z0-9_.-]{1,128}$/;
  const tools = new Map<string, Recorded>();
  // Aliased registrations (navigator surface forwarded to document.modelContext) are unregistered through these.
  const controllers = new Map<string, AbortController>();

  const copyJson = (value: unknown): unknown => {
    if (value === undefined) return undefined;
    try {
      const text = JSON.stringify(value);
      // Page data: bounded so a hostile page cannot make the read-back huge.
      return text === undefined || text.length > 65536 ? undefined : JSON.parse(text);
    } catch (_err) {
      // Circular or throwing toJSON: the draft rejects such schemas; we simply record none.
      return undefined;
    }
  };
  const snapshot = (tool: unknown, bucket: Recorded['bucket']): Recorded | null => {
    if (!tool || typeof tool !== 'object') return null;
    const t = tool as Record<string, unknown>;
    const name = t.name;
    if (typeof name !== 'string' || !NAME.test(name)) return null;
    const rec: Recorded = { name, bucket };
    if (typeof t.title === 'string') rec.title = t.title.slice(0, 1000);
    if (typeof t.description === 'string') rec.description = t.description.slice(0, 8192);
    const schema = copyJson(t.inputSchema);
    if (schema !== undefined) rec.inputSchema = schema;
    const annotations = copyJson(t.annotations);
    if (annotations !== undefined) rec.annotations = annotations;
    return rec;
  };
  const record = (tool: unknown, bucket: Recorded['bucket'], signal?: unknown): string | null => {
    const rec = snapshot(tool, bucket);
    if (!rec || tools.has(rec.name) || tools.size >= MAX_TOOLS) return null;
    tools.set(rec.name, rec);
    if (signal && typeof (signal as AbortSignal).addEventListener === 'function') {
      (signal as AbortSignal).addEventListener('abort', () => tools.delete(rec.name), { once: true });
    }
    return rec.name;
  };
  const invalid = (): Promise<never> => Promise.reject(new DOMException('Invalid tool', 'InvalidStateError'));
  const signalOf = (options: unknown): AbortSignal | undefined => {
    const s = options && typeof options === 'object' ? (options as { signal?: unknown }).signal : undefined;
    return s instanceof AbortSignal ? s : undefined;
  };

  // --- document.modelContext (current draft) ---------------------------------------------------
  type Register = (tool: unknown, options?: unknown) => unknown;
  let docRegister: Register;
  const nativeDoc = (() => {
    try {
      return (document as unknown as { modelContext?: object }).modelContext;
    } catch (_err) {
      // Not a secure context or feature off: the getter may throw; treat as absent.
      return undefined;
    }
  })();
  if (nativeDoc && typeof (nativeDoc as { registerTool?: unknown }).registerTool === 'function') {
    const proto = Object.getPrototypeOf(nativeDoc) as { registerTool: Register };
    const original = proto.registerTool;
    docRegister = function (this: unknown, tool: unknown, options?: unknown) {
      const signal = signalOf(options);
      const name = signal?.aborted ? null : record(tool, 'tool', signal);
      const result = original.call(this ?? nativeDoc, tool, options) as Promise<unknown>;
      // A registration the browser refuses (duplicate, bad schema) must not stay in our record.
      if (name && result && typeof result.then === 'function') {
        result.then(undefined, () => {
          if (!signal?.aborted) tools.delete(name);
        });
      }
      return result;
    };
    Object.defineProperty(proto, 'registerTool', { value: docRegister, writable: true, configurable: true });
  } else {
    const ctx = new EventTarget() as EventTarget & Record<string, unknown>;
    docRegister = (tool: unknown, options?: unknown) => {
      const signal = signalOf(options);
      if (signal?.aborted) return Promise.reject(signal.reason);
      const t = tool as Record<string, unknown> | null;
      if (!t || typeof t !== 'object' || typeof t.description !== 'string' || t.description === '') return invalid();
      const name = record(tool, 'tool', signal);
      if (!name) return invalid();
      const p = Promise.resolve(undefined) as Promise<undefined> & { unregister?: () => void };
      // Early drafts returned a registration object with `unregister()`; a promise carrying it serves both.
      p.unregister = () => {
        tools.delete(name);
      };
      return p;
    };
    ctx.registerTool = docRegister;
    ctx.getTools = () =>
      Promise.resolve(
        [...tools.values()].map((r) => ({ name: r.name, title: r.title ?? '', description: r.description, inputSchema: r.inputSchema, annotations: r.annotations })),
      );
    ctx.executeTool = () => Promise.reject(new DOMException('Tools cannot run during analysis', 'NotSupportedError'));
    Object.defineProperty(document, 'modelContext', { get: () => ctx, configurable: true, enumerable: false });
  }

  // --- navigator.modelContext (earlier drafts) -------------------------------------------------
  const nativeNav = (() => {
    try {
      return (navigator as unknown as { modelContext?: object }).modelContext;
    } catch (_err) {
      // Same as above: a throwing getter means no usable native surface.
      return undefined;
    }
  })();
  if (nativeNav && typeof (nativeNav as { registerTool?: unknown }).registerTool === 'function' && nativeNav !== nativeDoc) {
    const proto = Object.getPrototypeOf(nativeNav) as Record<string, (...args: unknown[]) => unknown>;
    const wrap = (method: string, before: (...args: unknown[]) => void) => {
      const original = proto[method];
      if (typeof original !== 'function') return;
      Object.defineProperty(proto, method, {
        value: function (this: unknown, ...args: unknown[]) {
          before(...args);
          return original.apply(this ?? nativeNav, args);
        },
        writable: true,
        configurable: true,
      });
    };
    wrap('registerTool', (tool, options) => {
      record(tool, 'tool', signalOf(options));
    });
    wrap('unregisterTool', (name) => {
      if (typeof name === 'string') tools.delete(name);
    });
    wrap('provideContext', (context) => {
      for (const [n, r] of tools) if (r.bucket === 'context') tools.delete(n);
      const list = context && typeof context === 'object' ? (context as { tools?: unknown }).tools : undefined;
      if (Array.isArray(list)) for (const t of list.slice(0, MAX_TOOLS)) record(t, 'context');
    });
    wrap('clearContext', () => {
      tools.clear();
    });
  } else if (!nativeNav) {
    // Forward the old surface to the new one, so an enabled browser still sees the page's tools.
    const forward = (tool: unknown, bucket: Recorded['bucket']): void => {
      const name = tool && typeof tool === 'object' ? (tool as { name?: unknown }).name : undefined;
      if (typeof name !== 'string' || tools.has(name)) return;
      const controller = new AbortController();
      const result = docRegister.call(nativeDoc, tool, { signal: controller.signal }) as Promise<unknown> | undefined;
      if (result && typeof result.then === 'function') {
        result.then(undefined, () => {
          // Refused (invalid tool) or unregistered: nothing to keep.
        });
      }
      if (tools.has(name)) {
        controllers.set(name, controller);
        const rec = tools.get(name);
        if (rec) rec.bucket = bucket;
      }
    };
    const unregister = (name: unknown): void => {
      if (typeof name !== 'string') return;
      const c = controllers.get(name);
      controllers.delete(name);
      if (c) c.abort();
      tools.delete(name);
    };
    const nav = {
      registerTool(tool: unknown) {
        forward(tool, 'tool');
        const name = tool && typeof tool === 'object' ? (tool as { name?: unknown }).name : undefined;
        return { unregister: () => unregister(name) };
      },
      unregisterTool: unregister,
      provideContext(context: unknown) {
        for (const [n, r] of [...tools]) if (r.bucket === 'context') unregister(n);
        const list = context && typeof context === 'object' ? (context as { tools?: unknown }).tools : undefined;
        if (Array.isArray(list)) for (const t of list.slice(0, MAX_TOOLS)) forward(t, 'context');
      },
      clearContext() {
        for (const n of [...tools.keys()]) unregister(n);
      },
    };
    Object.defineProperty(Navigator.prototype, 'modelContext', { get: () => nav, configurable: true, enumerable: true });
  }

  Object.defineProperty(window, nonce, {
    value: () => [...tools.values()].map(({ bucket: _bucket, ...rest }) => rest),
    enumerable: false,
    writable: false,
    configurable: false,
  });
}

