export { safeJsonParse, FORBIDDEN_KEYS, type SafeJsonOptions } from './json.js';
export { sanitizeLabel, MAX_LABEL } from './label.js';
export { sanitizeHtml } from './html.js';
export { validateInput, WebMCPValidationError, type InputIssue } from './validate.js';
