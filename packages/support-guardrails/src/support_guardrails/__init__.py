"""Guardrails for the customer-support example domain.

- `make_relevance_guardrail`, `make_jailbreak_guardrail`: input guardrails run by a small
  classifier agent; their `output_info` is a verdict with `reasoning`.
- `pii_guardrail` (`make_pii_guardrail`): an output guardrail in plain code that trips on
  payment card numbers and on email addresses other than the customer's.
- `make_refund_limit_guardrail`, `customer_scope_guardrail`: tool input guardrails that
  reject a refund above a hard cap, or a tool call for another customer.

Every guardrail's `output_info` is a pydantic model with a `reasoning` sentence for the UI.
"""

from ._classifiers import (
    JailbreakVerdict,
    RelevanceVerdict,
    make_jailbreak_guardrail,
    make_relevance_guardrail,
)
from ._pii import (
    PiiFindings,
    find_card_numbers,
    find_emails,
    luhn_valid,
    make_pii_guardrail,
    pii_guardrail,
)
from ._tool_guardrails import (
    CustomerScopeCheck,
    RefundLimitCheck,
    customer_scope_guardrail,
    make_refund_limit_guardrail,
)
from ._transcript import classifier_prompt, latest_customer_message

__all__ = [
    "CustomerScopeCheck",
    "JailbreakVerdict",
    "PiiFindings",
    "RefundLimitCheck",
    "RelevanceVerdict",
    "classifier_prompt",
    "customer_scope_guardrail",
    "find_card_numbers",
    "find_emails",
    "latest_customer_message",
    "luhn_valid",
    "make_jailbreak_guardrail",
    "make_pii_guardrail",
    "make_refund_limit_guardrail",
    "make_relevance_guardrail",
    "pii_guardrail",
]
