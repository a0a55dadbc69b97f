"""What workflow code uses: tools backed by activities, and (soon) MCP, approvals, sessions."""

from ._activity_tool import activity_as_tool

__all__ = ["activity_as_tool"]
