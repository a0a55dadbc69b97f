"""The operator console (CLI: ``console``): a Streamlit app over Temporal.

Operators list, start and resume conversations of every installed agent app, chat with the
agents, follow each run (timeline, usage and cost, handoff graph), and decide tool approvals
(inline, or in an inbox across all conversations).

The Streamlit layer (``agent_console._ui*``) only draws; everything it shows comes from
`agent_console.service`, plain async code over Temporal that can be used and tested without
Streamlit.
"""
