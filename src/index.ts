/**
 * webmcp core: any HTML page -> WebMCP document, its model view, and its tool exports.
 * Security, server, client, browser and render live in their own subpath entries.
 */
export * from './errors.js';
export { WebMCPProcessor, type ProcessorOptions, type ProcessOptions } from './core/processor.js';
export { formatForModel, modelView, type FormatOptions, type ModelView } from './core/format.js';
export { rankForms, goalTerms, type RankedForm, type GoalTerms } from './core/goal.js';
export { diffDocuments, formatDelta, isEmptyDelta, viewSince, type DocumentDelta, type ElementChange, type DeltaFormatOptions, type ViewSince } from './core/diff.js';
export { countTokens } from './core/tokens.js';
export { parseDeclaration } from './core/declarations.js';
export { declarationSchema } from './core/declaration-schema.js';
export type * from './core/types.js';
export {
  toMcpTools,
  toModelContextTools,
  listActions,
  findAction,
  formParams,
  actionInputSchema,
  toolName,
  pageIdOf,
  type ActionParam,
  type ActionSpec,
  type McpTool,
  type ModelContextToolDescriptor,
} from './core/tools.js';
export { toDeclaration, toDeclarationScript } from './core/declaration-script.js';
