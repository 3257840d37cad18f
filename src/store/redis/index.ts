export { createRedisBackend, parseRedisUrl, type RedisBackend, type RedisBackendOptions } from './redis-backend.js';
