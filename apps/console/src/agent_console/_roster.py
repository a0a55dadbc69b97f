"""The agent roster's handoff graph, as Graphviz DOT text (Streamlit draws it in the browser)."""

from __future__ import annotations

from collections.abc import Sequence

from agent_console._text import counted
from agents_temporal.apps import AgentInfo

ACTIVE_COLOR = "#ff4b4b"
"""Fill of the agent that holds the conversation (Streamlit's primary red)."""

_IDLE_COLOR = "#f0f2f6"


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def handoff_graph(agents: Sequence[AgentInfo], active: str | None = None) -> str:
    """DOT text: one node per agent (tools in the label), one edge per possible handoff.

    Args:
        agents: The app's agents.
        active: The agent that holds the conversation; drawn filled and bold.
    """
    lines = [
        "digraph handoffs {",
        '  rankdir="LR";',
        '  bgcolor="transparent";',
        '  node [shape="box", style="rounded,filled", fontname="Helvetica", fontsize="11", '
        f'fillcolor="{_IDLE_COLOR}", color="#c0c4cc"];',
        '  edge [color="#8c8f99", arrowsize="0.7"];',
    ]
    known = {agent.name for agent in agents}
    for agent in agents:
        tools = f"\\n{counted(len(agent.tools), 'tool')}" if agent.tools else ""
        label = _quoted(agent.name).removesuffix('"') + tools + '"'
        attributes = [f"label={label}"]
        if agent.name == active:
            attributes += [
                f'fillcolor="{ACTIVE_COLOR}"',
                'fontcolor="white"',
                'penwidth="2"',
                'color="#b3261e"',
            ]
        lines.append(f"  {_quoted(agent.name)} [{', '.join(attributes)}];")
    for agent in agents:
        for target in agent.handoffs:
            style = "" if target in known else ' [style="dashed"]'
            lines.append(f"  {_quoted(agent.name)} -> {_quoted(target)}{style};")
    lines.append("}")
    return "\n".join(lines)
