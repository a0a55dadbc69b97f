"""The conversation's side panels: agent roster, run timeline, usage and cost."""

from __future__ import annotations

import streamlit as st

from agent_console._history import ModelCall
from agent_console._live import LiveState
from agent_console._pricing import format_cost
from agent_console._roster import handoff_graph
from agent_console._text import tokens
from agent_console._timeline import timeline, total_cost, usage_rows
from agent_console._ui_common import Page, session_dict
from agents_temporal.client import UsageReport, UsageTotals


def roster(page: Page, active: str | None) -> None:
    """The app's agents, the active one highlighted, and the handoff graph."""
    st.subheader("Agents")
    agents = list(page.app.agents)
    if not agents:
        st.caption(f"{page.app.title} describes no agents.")
        return
    st.graphviz_chart(handoff_graph(agents, active), width="stretch", height=260)
    for agent in agents:
        marker = " :red-badge[active]" if agent.name == active else ""
        st.markdown(f"**{agent.name}**{marker} · {agent.description}")
        if agent.tools:
            st.caption("Tools: " + ", ".join(f"`{tool}`" for tool in agent.tools))


def _model_calls(page: Page, workflow_id: str, state: LiveState) -> list[ModelCall]:
    # History only changes when the conversation does; read it again only then.
    cache = session_dict("model_calls")
    key = (workflow_id, state.status.transcript_length, state.status.phase, state.status.turn)
    cached = cache.get(workflow_id)
    if cached is not None and cached[0] == key:
        calls: list[ModelCall] = cached[1]
        return calls
    calls = page.console.run(page.console.service.model_calls(workflow_id))
    cache[workflow_id] = (key, calls)
    return calls


def model_calls_or_none(page: Page, workflow_id: str, state: LiveState) -> list[ModelCall] | None:
    """The conversation's model calls from history, or None (with a warning) when unreadable."""
    try:
        return _model_calls(page, workflow_id, state)
    except Exception as error:
        st.warning(f"Could not read the workflow's history: {type(error).__name__}: {error}")
        return None


def model_note(calls: list[ModelCall]) -> str | None:
    """What answered this conversation, as its model calls recorded it on the worker (Markdown)."""
    if any(call.offline for call in calls):
        return (
            ":material/science: **Offline demo model in use: the worker answered this "
            "conversation with scripted answers picked by keywords, not a language model.** "
            "Give the worker OPENAI_API_KEY, or MODEL=litellm/<provider>/<model>, for a real "
            "model."
        )
    ran = list(dict.fromkeys(call.ran for call in calls if call.ran))
    return f":material/memory: Model calls answered by {', '.join(ran)}" if ran else None


def details(page: Page, workflow_id: str, state: LiveState, calls: list[ModelCall] | None) -> None:
    """The timeline and usage tabs of a conversation."""
    calls = calls or []
    timeline_tab, usage_tab = st.tabs(["Run timeline", "Usage & cost"])
    with timeline_tab:
        rows = timeline(
            state.entries,
            calls,
            roster=[agent.name for agent in page.app.agents],
            default_model=page.default_model(),
            verdicts=state.stream.verdicts,
        )
        if rows:
            st.dataframe(
                [row.as_record() for row in rows],
                hide_index=True,
                key=f"timeline:{workflow_id}",
                # The detail is what an operator reads; the other columns are short.
                column_config={"Detail": st.column_config.TextColumn(width="large")},
                # Tall enough for a few turns without scrolling inside the table.
                height=min(38 + 35 * len(rows), 740),
            )
            st.caption(
                "Model calls come from the workflow's history (latency includes queueing and "
                "retries); guardrail checks are calls by a guardrail's classifier."
            )
        else:
            st.caption("Nothing has happened yet.")
    with usage_tab:
        _usage(page, workflow_id, calls)


def _usage(page: Page, workflow_id: str, calls: list[ModelCall]) -> None:
    try:
        report: UsageReport = page.console.run(page.console.service.usage(workflow_id))
    except Exception as error:
        st.warning(f"Could not read the conversation's usage: {type(error).__name__}: {error}")
        return
    rows = usage_rows(report, calls, default_model=page.default_model())
    total = UsageTotals()
    for row in rows:
        total.add(row.usage)
    requests, tokens_in, tokens_out, cost = st.columns(4)
    requests.metric("Model requests", tokens(total.requests))
    tokens_in.metric("Input tokens", tokens(total.input_tokens))
    tokens_out.metric("Output tokens", tokens(total.output_tokens))
    cost.metric("Cost", format_cost(total_cost(rows)))
    if rows:
        st.dataframe([row.as_record() for row in rows], hide_index=True, key=f"usage:{workflow_id}")
    st.caption(
        "Cost is tokens times the console's price table per model (US dollars per million tokens); "
        "models it does not know show 'unknown'. Guardrail classifier calls are counted from "
        "the workflow's history."
    )
