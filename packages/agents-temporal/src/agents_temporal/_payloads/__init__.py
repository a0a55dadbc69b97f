"""Payloads: the converter, encryption, external storage, and stored conversation segments.

The converter, codec and storage drivers run in every client and worker; ``workflow_refs``
(workflow side) and ``activity_segments`` (activity side) keep a long conversation's history
flat by sending each item to the model activity once.
"""
