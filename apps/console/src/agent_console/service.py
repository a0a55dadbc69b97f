"""The console's service layer: Temporal calls, live feeds, timelines, cost; no Streamlit.

Example:
    ```python
    from agent_console.service import Console
    from agent_stack.settings import load_settings
    from agents_temporal.apps import discover_apps

    console = Console(load_settings(), discover_apps())
    app = console.apps[0]
    workflow_id = console.run(console.service.start(app))
    console.run(console.service.send(workflow_id, "Where is my order?", turn=1, sender="me"))
    ```
"""

from agent_console._backend import Console, settings_fingerprint
from agent_console._chat_items import ChatItem, ChatKind, chat_items
from agent_console._history import ModelCall, RunHistory, read_run_history
from agent_console._identity import (
    IdentitySource,
    LoginThrottle,
    Operator,
    oidc_operator,
    operator_for_token,
    settings_operator,
    token_matches,
    token_operator,
)
from agent_console._live import (
    ConversationFeed,
    GuardrailVerdict,
    LiveState,
    NoStream,
    PartialAnswer,
    QueryStream,
    RetryingCall,
    StreamSource,
    StreamView,
    fold_events,
    retry_sentences,
)
from agent_console._loop import BackgroundLoop
from agent_console._pricing import (
    OFFLINE_MODEL,
    PRICES,
    Price,
    cost_of,
    format_cost,
    price_for,
    sum_costs,
)
from agent_console._roster import handoff_graph
from agent_console._service import (
    ConsoleService,
    ConversationRow,
    InboxItem,
    NotTakenError,
    Overview,
    TemporalUnavailableError,
    new_conversation_id,
    workflow_type_name,
)
from agent_console._timeline import TimelineRow, UsageRow, timeline, total_cost, usage_rows

__all__ = [  # noqa: RUF022 - plain sorted order, checked by the public API test
    "BackgroundLoop",
    "ChatItem",
    "ChatKind",
    "Console",
    "ConsoleService",
    "ConversationFeed",
    "ConversationRow",
    "GuardrailVerdict",
    "IdentitySource",
    "InboxItem",
    "LiveState",
    "LoginThrottle",
    "ModelCall",
    "NoStream",
    "NotTakenError",
    "OFFLINE_MODEL",
    "Operator",
    "Overview",
    "PRICES",
    "PartialAnswer",
    "Price",
    "QueryStream",
    "RetryingCall",
    "RunHistory",
    "StreamSource",
    "StreamView",
    "TemporalUnavailableError",
    "TimelineRow",
    "UsageRow",
    "chat_items",
    "cost_of",
    "fold_events",
    "format_cost",
    "handoff_graph",
    "new_conversation_id",
    "oidc_operator",
    "operator_for_token",
    "price_for",
    "read_run_history",
    "retry_sentences",
    "settings_fingerprint",
    "settings_operator",
    "sum_costs",
    "timeline",
    "token_matches",
    "token_operator",
    "total_cost",
    "usage_rows",
    "workflow_type_name",
]
