"""The MCP names are public where the published integration has them."""

from __future__ import annotations

import agents_temporal
import agents_temporal.workflow


def test_mcp_names_are_exported() -> None:
    assert {"StatefulMCPServerProvider", "StatelessMCPServerProvider"} <= set(
        agents_temporal.__all__
    )
    assert {"stateful_mcp_server", "stateless_mcp_server"} <= set(agents_temporal.workflow.__all__)
    assert agents_temporal.__all__ == sorted(agents_temporal.__all__)
    assert agents_temporal.workflow.__all__ == sorted(agents_temporal.workflow.__all__)
