"""The console's Streamlit script; the ``console`` command runs it with ``streamlit run``."""

from agent_console._ui import main

main()
