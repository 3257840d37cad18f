export { createSessions, type Sessions, type SessionRecord } from './session.js';
