"""An MCP server that cannot start: it explains why on stderr and exits."""

import sys

print("notebook: loading settings from ./notebook.toml", file=sys.stderr)
print("notebook: fatal: NOTEBOOK_TOKEN is not set", file=sys.stderr)
sys.exit(3)
