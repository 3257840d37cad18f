/** webMCP roles (spec section 2). `display.*` and `navigation.*` are open families. */
export type WebMCPRole =
  | 'input.text'
  | 'input.email'
  | 'input.password'
  | 'input.number'
  | 'input.tel'
  | 'input.url'
  | 'input.search'
  | 'input.date'
  | 'input.checkbox'
  | 'input.radio'
  | 'input.file'
  | 'input.range'
  | 'input.color'
  | 'input.hidden'
  | 'input.textarea'
  | 'input.select'
  | 'action.submit'
  | 'action.navigate'
  | 'action.delete'
  | 'action.edit'
  | 'action.toggle'
  | 'action.open'
  | `display.${string}`
  | `navigation.${string}`;

export type FormPurpose =
  | 'login'
  | 'signup'
  | 'search'
  | 'contact'
  | 'checkout'
  | 'newsletter'
  | 'password_recovery'
  | 'comment'
  | 'settings'
  | 'other';

export interface ElementOption {
  value: string;
  label?: string;
  selected?: boolean;
}

export interface ElementValidation {
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  min?: string | number;
  max?: string | number;
  step?: string | number;
  /** JSON-Schema-style format implied by the control type: email, uri, date, date-time, time, ... */
  format?: string;
  /** Allowed values of a select, radio group or ARIA option group. */
  options?: ElementOption[];
  multiple?: boolean;
  accept?: string;
  /** The page's autocomplete tokens (e.g. `email`, `current-password`, `cc-number`). */
  autocomplete?: string;
}

export interface ElementSecurity {
  encryption?: 'required' | 'optional';
  csrf_token?: boolean;
  jwt_scope?: string[];
}

export interface WebMCPElement {
  /** UPPER_SNAKE, unique within the document. */
  name: string;
  role: WebMCPRole;
  /** CSS selector matching exactly this element in the page's HTML5 tree. */
  selector: string;
  /** Accessible name, cleaned: one line, at most 200 characters. */
  label?: string;
  description?: string;
  /** Name of the form group this element belongs to. */
  form?: string;
  /** The HTML `name` the control submits under (forms), when it has one. */
  field?: string;
  /**
   * Radio buttons (and checkboxes) sharing one field form a group; the group's name is unique in the
   * document and is the parameter name actions take for the whole group.
   */
  group?: string;
  /** Submitted value of a radio, checkbox, option or submit button (never of a sensitive field). */
  value?: string;
  checked?: boolean;
  required?: boolean;
  disabled?: boolean;
  readonly?: boolean;
  validation?: ElementValidation;
  security?: ElementSecurity;
  /** Actions: HTTP method and absolute URL of the request they cause. */
  method?: string;
  url?: string;
  /** Where the element comes from: page markup (`detected`) or the page's own declaration. */
  source?: 'detected' | 'declared' | 'runtime';
  /** Tool description from a declaration (W3C `tooldescription`, webMCP `context`). */
  context?: string;
}

export interface WebMCPForm {
  name: string;
  purpose: FormPurpose;
  selector: string;
  label?: string;
  method: string;
  url?: string;
  enctype?: string;
  /** Names of the elements of this form, in document order. */
  elements: string[];
  /** W3C WebMCP declarative tool name/description when the form declares one. */
  tool?: { name: string; description?: string; autosubmit?: boolean };
}

export interface RuntimeTool {
  name: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export interface WebMCPContext {
  title?: string;
  url?: string;
  purpose?: FormPurpose | 'article' | 'navigation' | 'app';
  language?: string;
  description?: string;
}

export interface TokenCounts {
  encoding: 'o200k_base';
  /** Tokens of the raw HTML (computed on first read: counting megabytes is the costliest step). */
  readonly html: number;
  /** Tokens of `formatForModel(doc)` at the document's optimization level. */
  readonly document: number;
}

export type OptimizationLevel = 'basic' | 'standard' | 'aggressive';

export interface Diagnostic {
  code: string;
  message: string;
  path?: string;
}

export interface WebMCPDocument {
  version: '0.2';
  context: WebMCPContext;
  elements: WebMCPElement[];
  forms: WebMCPForm[];
  /** Tools the page registered at run time through W3C WebMCP (render mode only). */
  tools?: RuntimeTool[];
  security: {
    csrf?: { token_field?: string; header_name: string };
    jwt?: { header_name: string; encryption: 'JWE' | 'none' };
  };
  metadata: {
    generated_at: string;
    page_url?: string;
    optimization_level: OptimizationLevel;
    tokens: TokenCounts;
    /** The goal given to `process()`, which `formatForModel` ranks by unless told otherwise. */
    goal?: string;
    /** Whether the page declared itself (`application/webmcp+json`, W3C `toolname`). */
    declared?: boolean;
    analyzed_at?: string;
    diagnostics?: Diagnostic[];
  };
}
