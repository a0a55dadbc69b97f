"""Configuration of the store database and its refund limits."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///.data/store.db"
"""A SQLite file under `.data/` relative to the working directory; the folder is created."""


@dataclass(frozen=True)
class StoreSettings:
    """Settings of the example store.

    Money is always an integer number of minor units (cents) of the order's currency; the store
    sells in USD, EUR and GBP, which all have two decimals, so one threshold fits all three.

    Example:
        ```python
        settings = StoreSettings.from_env()
        database = StoreDatabase.from_url(settings.database_url)
        ```
    """

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL of the store database: `sqlite+aiosqlite:///path.db` or
    `postgresql+asyncpg://user:password@host/db` (bare `sqlite://` and `postgres://` URLs are
    given their async driver)."""

    refund_approval_threshold_cents: int = 10_000
    """Refunds above this amount (in cents) need an operator's approval before they run."""

    refund_hard_cap_cents: int = 50_000
    """Refunds above this amount (in cents) are refused outright by the refund-limit guardrail."""

    def __post_init__(self) -> None:
        if not self.database_url.strip():
            raise ValueError(
                "database_url is empty: leave DATABASE_URL unset for the SQLite default"
            )
        if self.refund_approval_threshold_cents < 0:
            raise ValueError(
                "refund_approval_threshold_cents must be 0 or more "
                f"(got {self.refund_approval_threshold_cents}); 0 means every refund needs approval"
            )
        if self.refund_hard_cap_cents <= 0:
            raise ValueError(
                f"refund_hard_cap_cents must be positive (got {self.refund_hard_cap_cents})"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StoreSettings:
        """Read settings from environment variables, falling back to the defaults.

        Variables: `DATABASE_URL`, `REFUND_APPROVAL_THRESHOLD` and `REFUND_HARD_CAP` (amounts in
        the order's currency with at most two decimals, as in the worker's settings).

        Args:
            environ: Variables to read; `os.environ` when omitted.

        Raises:
            ValueError: A variable is set to something unusable; the message names it.
        """
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            database_url=env.get("DATABASE_URL") or defaults.database_url,
            refund_approval_threshold_cents=_cents_from_env(
                env, "REFUND_APPROVAL_THRESHOLD", defaults.refund_approval_threshold_cents
            ),
            refund_hard_cap_cents=_cents_from_env(
                env, "REFUND_HARD_CAP", defaults.refund_hard_cap_cents
            ),
        )


def _cents_from_env(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(
            f"{name} must be an amount with at most 2 decimals, e.g. 100 or 49.99; got {raw!r}"
        )
    return int(amount * 100)
