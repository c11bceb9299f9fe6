"""groundgraph served to other processes: an HTTP API, an OpenAI-compatible chat endpoint and
an MCP server, all over one `ServedStore`."""
