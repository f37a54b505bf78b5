"""Benchmarks of mcp-ext-tasks (`nox -s bench`): validation, serialization, import and generation, side by side."""
