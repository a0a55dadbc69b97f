"""agents_temporal.client exports exactly its curated, sorted public names.

(packages/agents-temporal/tests/test_public_api.py covers the other public modules.)
"""

from __future__ import annotations

from agents_temporal import client


def test_client_all_is_the_sorted_public_names() -> None:
    public = sorted(name for name in vars(client) if not name.startswith("_"))
    assert client.__all__ == public
