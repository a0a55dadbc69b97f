"""The support agents: a triage agent and three specialists that can hand back to it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from agents import (
    Agent,
    RunContextWrapper,
    ToolInputGuardrail,
    ToolInputGuardrailData,
    handoff,
)
from temporalio.exceptions import ActivityError, ApplicationError

from agents_temporal.workflow import activity_as_tool, temporal_mcp_server
from support_guardrails import (
    customer_scope_guardrail,
    make_jailbreak_guardrail,
    make_refund_limit_guardrail,
    make_relevance_guardrail,
    pii_guardrail,
)
from support_tools import (
    INVALID_TOOL_ARGUMENT,
    NOT_ALLOWED,
    NOT_FOUND,
    STORE_NAME,
    StoreActivities,
    SupportContext,
    check_return_window,
    make_refund_approval_policy,
    set_current_order,
)

HELP_CENTRE_MCP = "HelpCentre"
"""Name of the help-centre MCP server (``support_tools.help_centre_mcp``)."""

DEFAULT_APPROVAL_THRESHOLD_CENTS = 10_000
DEFAULT_HARD_CAP_CENTS = 50_000

TRIAGE = "Triage"
ORDERS = "Orders"
REFUNDS = "Refunds"
FAQ = "FAQ"

_TOOL_TIMEOUT = timedelta(seconds=30)

# The offline demo model recognises each agent by the first line of its instructions.
_HEADERS = {
    TRIAGE: f"You are the {TRIAGE} agent of {STORE_NAME} customer support.",
    ORDERS: f"You are the {ORDERS} agent of {STORE_NAME} customer support.",
    REFUNDS: f"You are the {REFUNDS} agent of {STORE_NAME} customer support.",
    FAQ: f"You are the {FAQ} agent of {STORE_NAME} customer support.",
}


def instructions_header(agent: str) -> str:
    """The first line of an agent's instructions."""
    return _HEADERS[agent]


def _instructions(agent: str, body: str) -> Any:
    def build(ctx: RunContextWrapper[SupportContext], _agent: Agent[SupportContext]) -> str:
        return "\n".join(
            [
                _HEADERS[agent],
                f"The customer is signed in: {ctx.context.describe()}",
                body,
                "Be brief and friendly. Never invent order details: use the tools.",
            ]
        )

    return build


_STORE_REFUSALS = frozenset({INVALID_TOOL_ARGUMENT, NOT_FOUND, NOT_ALLOWED})
STORE_UNAVAILABLE = (
    "The store could not answer just now. Tell the customer, and suggest trying again later."
)
"""What the model is told when a store tool fails for a reason other than a refusal."""


def tell_the_model(_ctx: RunContextWrapper[Any], error: Exception) -> str:
    """What the model is told when a store tool fails for good, instead of failing the turn.

    The store's refusals (unknown order, bad argument, not allowed) are written for the model,
    which can then correct itself or explain; anything else (the store down, retries used up)
    could say things the customer must not read, so the model gets a plain apology to relay.
    """
    cause = error.cause if isinstance(error, ActivityError) else None
    if isinstance(cause, ApplicationError) and cause.type in _STORE_REFUSALS:
        return cause.message
    return STORE_UNAVAILABLE


def _store_tool(fn: Any, **kwargs: Any) -> Any:
    # The example opts in to the Agents SDK's behaviour for failing tools: the model hears
    # about the failure (the library's default fails the run, as the published integration).
    tool = activity_as_tool(
        fn, start_to_close_timeout=_TOOL_TIMEOUT, failure_error_function=tell_the_model, **kwargs
    )
    # Tools act for the signed-in customer only, whatever the model was persuaded to ask.
    tool.tool_input_guardrails = [customer_scope_guardrail]
    return tool


async def _refund_needs_approval(
    ctx: RunContextWrapper[SupportContext], arguments: dict[str, Any], call_id: str
) -> bool:
    # The threshold is the conversation's own, fixed when it started.
    threshold = ctx.context.refund_approval_threshold_cents
    policy = make_refund_approval_policy(
        DEFAULT_APPROVAL_THRESHOLD_CENTS if threshold is None else threshold
    )
    return await policy(ctx, arguments, call_id)


def _refund_limit(data: ToolInputGuardrailData) -> Any:
    context: SupportContext = data.context.context
    cap = context.refund_hard_cap_cents or DEFAULT_HARD_CAP_CENTS
    check = make_refund_limit_guardrail(cap).guardrail_function
    return check(data)


REFUND_LIMIT = ToolInputGuardrail[SupportContext](
    guardrail_function=_refund_limit, name="refund_limit"
)
"""Refuses a refund above the conversation's hard cap."""


def build_agents(
    *, guardrail_model: str | None = None, help_centre_mcp: bool = False
) -> Agent[SupportContext]:
    """Build the agent graph and return the triage agent, where every conversation starts.

    Args:
        guardrail_model: Model name for the guardrail classifiers; None for the default.
        help_centre_mcp: Search the help centre through the ``HelpCentre`` MCP server instead
            of the search activity.
    """
    # Every agent carries the input guardrails: the SDK checks a message only with the guardrails
    # of the agent the run starts with, and a turn starts with whoever answered the last one.
    input_guardrails = [
        make_relevance_guardrail(guardrail_model),
        make_jailbreak_guardrail(guardrail_model),
    ]
    refund_tool = _store_tool(StoreActivities.issue_refund, needs_approval=_refund_needs_approval)
    refund_tool.tool_input_guardrails = [customer_scope_guardrail, REFUND_LIMIT]
    orders = Agent[SupportContext](
        name=ORDERS,
        handoff_description="Order status, shipment tracking and shipping address changes.",
        instructions=_instructions(
            ORDERS,
            "Look up orders, track shipments and change shipping addresses (address changes "
            "need a human's approval). Hand back to Triage for anything else.",
        ),
        tools=[
            _store_tool(StoreActivities.lookup_order),
            _store_tool(StoreActivities.list_recent_orders),
            _store_tool(StoreActivities.track_shipment),
            _store_tool(StoreActivities.change_shipping_address, needs_approval=True),
            set_current_order,
        ],
        input_guardrails=input_guardrails,
        output_guardrails=[pii_guardrail],
    )
    refunds = Agent[SupportContext](
        name=REFUNDS,
        handoff_description="Refunds and returns for an order.",
        instructions=_instructions(
            REFUNDS,
            "Check the order first, then issue the refund the customer asks for, in the "
            "order's currency. Refunds above the approval threshold wait for a human. Hand back "
            "to Triage for anything else.",
        ),
        tools=[
            _store_tool(StoreActivities.lookup_order),
            refund_tool,
            check_return_window,
            set_current_order,
        ],
        input_guardrails=input_guardrails,
        output_guardrails=[pii_guardrail],
    )
    faq = Agent[SupportContext](
        name=FAQ,
        handoff_description="Store policies and how-to questions from the help centre.",
        instructions=_instructions(
            FAQ,
            "Answer from the help-centre articles; cite the article title. Hand back to Triage "
            "for anything else.",
        ),
        tools=[] if help_centre_mcp else [_store_tool(StoreActivities.search_help_centre)],
        mcp_servers=([temporal_mcp_server(HELP_CENTRE_MCP)] if help_centre_mcp else []),
        input_guardrails=input_guardrails,
        output_guardrails=[pii_guardrail],
    )
    triage = Agent[SupportContext](
        name=TRIAGE,
        instructions=_instructions(
            TRIAGE,
            "Find out what the customer needs and hand off to the right specialist: Orders, "
            "Refunds or FAQ.",
        ),
        handoffs=[orders, refunds, faq],
        input_guardrails=input_guardrails,
    )
    back_to_triage = handoff(triage, tool_description_override="Hand the customer back to Triage.")
    for specialist in (orders, refunds, faq):
        specialist.handoffs = [back_to_triage]
    return triage
