export {
  createRbac,
  SCOPES,
  BUILTIN_ROLES,
  type Rbac,
  type RbacOptions,
  type Principal,
  type Acl,
  type AuthorizeRequest,
  type WebMCPScope,
} from './rbac.js';
