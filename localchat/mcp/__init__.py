"""LocalChat's MCP server: library tools and document resources (official `mcp` SDK)."""
