"""The help centre as an MCP server over stdio: ``python -m support_tools.help_centre_mcp``.

It serves one tool, ``search_help_centre``, over the same store database as the activities
(``DATABASE_URL``), so a deployment can move article search behind MCP without changing data.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict

from mcp.server.mcpserver import MCPServer
from temporalio.exceptions import ApplicationError

from ._activities import StoreActivities
from ._database import DEFAULT_DATABASE_URL, StoreDatabase
from ._messages import SearchArticlesRequest

SERVER_NAME = "HelpCentre"
"""The MCP server's name, which workflows use to refer to it."""


def build_server(database_url: str) -> MCPServer:
    """An MCP server answering help-centre searches from the store at ``database_url``."""
    server = MCPServer(SERVER_NAME, log_level="WARNING")
    database = StoreDatabase.from_url(database_url)
    store = StoreActivities(database)

    @server.tool()
    async def search_help_centre(query: str, limit: int = 3) -> str:
        """Search the help-centre articles (store policies and how-tos) by keywords.

        Answer policy questions from the returned article text only.
        """
        try:
            result = await store.search_help_centre(SearchArticlesRequest(query=query, limit=limit))
        except ApplicationError as error:
            return f"Search failed: {error.message}"
        return json.dumps(asdict(result))

    return server


def main() -> None:
    """Serve over stdio until the client closes the connection.

    The app that starts it passes the store's URL, from its own checked settings, in
    DATABASE_URL; run by hand, it falls back to the default SQLite file.
    """
    build_server(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL).run()


if __name__ == "__main__":
    main()
