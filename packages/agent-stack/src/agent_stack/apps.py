"""The agent apps a process of the stack runs or shows: found by entry point, or a clear refusal.

Example:
    ```python
    from agent_stack.apps import installed_apps
    from agent_stack.settings import load_settings

    settings = load_settings()
    # AGENT_APP_OBJECTS when set, else every installed app; NoAgentAppError when there is none.
    apps = installed_apps(needed_by="the worker has nothing to run", objects=settings.app_objects)
    ```
"""

from agent_stack._apps import (
    HOW_TO_ADD_AN_APP,
    NoAgentAppError,
    installed_apps,
    select_apps,
    uninstalled_app_packages,
    workspace_root,
)

__all__ = [
    "HOW_TO_ADD_AN_APP",
    "NoAgentAppError",
    "installed_apps",
    "select_apps",
    "uninstalled_app_packages",
    "workspace_root",
]
