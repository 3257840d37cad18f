import { WebMCPInputError } from '../errors.js';

/** Why a render failed. Stable values: callers may branch on them. */
export type RenderFailure =
  | 'timeout' // the page did not finish within `pageTimeoutMs`
  | 'navigation' // the URL could not be loaded at all
  | 'too-large' // more elements or HTML than the configured limits
  | 'busy' // the queue is full
  | 'closed' // the pool was closed
  | 'browser' // Chromium could not be started, or failed outside any one page
  | 'crashed' // the page's renderer process crashed (e.g. out of memory, pathological layout)
  | 'target'; // the target is not something we render (bad URL, refused scheme)

/**
 * A page could not be rendered. Code `ERR_RENDER`; `reason` says why. The message is generic and never
 * contains page content; the underlying error, when there is one, is in `cause`.
 */
export class WebMCPRenderError extends WebMCPInputError {
  readonly reason: RenderFailure;
  constructor(reason: RenderFailure, message: string, options?: { cause?: unknown }) {
    super('ERR_RENDER', message, options);
    this.reason = reason;
  }
}
