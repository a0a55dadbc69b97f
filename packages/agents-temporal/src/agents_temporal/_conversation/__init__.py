"""Conversations: the conversation workflow, its state, approvals, sessions, usage and client.

Everything here runs in workflow code, except ``client`` (client side) and the data modules
``types`` and ``approval_types``, which both sides exchange.
"""
