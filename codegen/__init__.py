"""mcp-ext-tasks code generator: spec/*.yaml -> spec model -> IR -> rendered artifacts -> generated/."""
