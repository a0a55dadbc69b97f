"""The Temporal worker process that runs every discovered agent app (CLI: ``worker``)."""
