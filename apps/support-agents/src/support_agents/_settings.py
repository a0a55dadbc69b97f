"""Worker side: the support app's own settings, its store database and its refund limits."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

from pydantic import Field, field_validator

from agents_temporal.apps import AppSettings
from support_agents._policy import RefundPolicy
from support_tools import DEFAULT_DATABASE_URL, normalize_database_url


class SupportSettings(AppSettings):
    """What the support app reads from the environment (and ``.env``) of the worker.

    The worker loads these once at start-up, refuses to start while one is invalid, and hands
    them to the app's activities and MCP server. Conversations get the refund limits from the
    worker only, through the refund-policy activity: a client cannot choose them.

    Example:
        ```python
        settings = SupportSettings(refund_approval_threshold=Decimal("49.99"))
        assert settings.refund_policy().approval_threshold_cents == 4999
        ```
    """

    setting_hints: ClassVar[Mapping[str, str]] = {
        "REFUND_APPROVAL_THRESHOLD": "a non-negative amount such as 100 or 49.99",
        "REFUND_HARD_CAP": "a positive amount such as 500 or 249.99",
        "SUPPORT_HELP_CENTRE_MCP": "true or false",
    }

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL of the store (``sqlite://`` and ``postgres://`` get their async drivers)."""

    refund_approval_threshold: Decimal = Field(default=Decimal(100), ge=0, decimal_places=2)
    """Refunds above this amount (in the order's currency) need an operator's approval."""

    refund_hard_cap: Decimal = Field(default=Decimal(500), gt=0, decimal_places=2)
    """Refunds above this amount (in the order's currency) are refused outright."""

    support_help_centre_mcp: bool = False
    """Serve the help-centre search from the store's MCP server instead of an activity."""

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        # The one place the URL is checked; the store and the MCP server get the result.
        return normalize_database_url(value).render_as_string(hide_password=False)

    def refund_policy(self) -> RefundPolicy:
        """The refund limits in cents, as the store counts money.

        Every currency the store sells in has two decimals, so one limit fits them all.
        """
        return RefundPolicy(
            approval_threshold_cents=int(self.refund_approval_threshold * 100),
            hard_cap_cents=int(self.refund_hard_cap * 100),
        )
