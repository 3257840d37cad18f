export {
  createAudit,
  hashEntry,
  GENESIS_HASH,
  AUDIT_ACTIONS,
  type Audit,
  type AuditAction,
  type AuditInput,
  type AuditLogLevel,
  type AuditConfig,
  type AuditDeps,
  type AuditOutcome,
  type AuditVerifyResult,
} from './audit.js';
export { canonicalJson } from './canonical-json.js';
export { createRedactor, normalizeKey, REDACTED, type Redactor, type RedactorOptions } from './redact.js';
