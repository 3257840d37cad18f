/** MCP tool definitions shared by the stdio bridge (`webmcp mcp`) and the gateway's `POST /mcp`. */
export { createMcpServer, type McpBackend, type McpServerInfo } from './server.js';
export { clientBackend } from './client-backend.js';
export { pageTools, analyzeTool, ANALYZE_TOOL, type PageTool, type SensitiveFieldMode } from './tools.js';
