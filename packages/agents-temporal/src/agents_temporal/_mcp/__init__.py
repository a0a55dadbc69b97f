"""MCP servers for agents in workflows: stand-ins on the workflow side, activities on workers.

Workflow side: ``temporal_server`` (the current stand-in), ``workflow_servers`` and
``stand_in`` (the session-era ones), sharing ``stand_in_base``. Activity side: ``servers``,
``pool``, ``providers``, ``connection``. ``common`` holds what both agree on.
"""
