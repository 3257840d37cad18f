export { createCsrf, type Csrf, type CsrfConfig, type CsrfDeps, type CsrfSecret } from './csrf.js';
export { serializeCookie, parseCookies, readCookie, MAX_COOKIE_HEADER, type CookieOptions } from './cookie.js';
