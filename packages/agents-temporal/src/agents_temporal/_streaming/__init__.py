"""Token streaming: a workflow's event log, the streamed model call on both sides, observers.

Workflow side: ``log``, ``relay``, ``workflow_model``. Activity side: ``activity``. Client
side: ``client``. ``types`` is the data they exchange.
"""
