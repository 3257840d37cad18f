/**
 * `webmcp/client`: talk to a webmcp gateway as an agent.
 *
 * @example
 * import { WebMCPClient } from 'webmcp/client';
 * const client = new WebMCPClient({ baseUrl: 'https://gw.example', apiKey: process.env.WEBMCP_KEY!, pins: ['sha256/...'] });
 * for (const page of await client.pages()) console.log(page.id, page.actions);
 * const { status, body } = await client.act('login', 'LOG_IN', { EMAIL: 'ann@example.com', PASSWORD: 'hunter2!' });
 * await client.close();
 */
export { WebMCPClient, type WebMCPClientOptions, type PageSummary, type ActionResult } from './client.js';
export { WebMCPRequestError, type GatewayProblem } from './errors.js';
export { spkiPinOf } from './pinned-fetch.js';
export type { PageTool } from '../mcp/tools.js';
