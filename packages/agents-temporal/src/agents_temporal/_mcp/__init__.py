"""MCP servers for agents in workflows: stand-ins on the workflow side, activities on workers.

Workflow side: ``workflow_servers``, ``stand_in``. Activity side: ``providers``,
``connection``. ``common`` holds what both agree on.
"""
