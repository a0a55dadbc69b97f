"""What the worker, the console and the dev stack share, so that no app imports another.

- `agent_stack.settings`: the stack's settings (Temporal, model, payloads, worker, console),
  loaded from the environment and ``.env`` with one readable error, and each agent app's own
  settings loaded the same way.
- `agent_stack.apps`: the installed agent apps, or one clear refusal, saying how to add one,
  when there is none.
- `agent_stack.connection`: connecting to Temporal with the one data converter every process
  of a deployment must share.
- `agent_stack.health`: "is Temporal reachable and is a worker polling?", and the HTTP server
  for liveness and readiness probes.
- `agent_stack.signals`: stopping long-running commands cleanly on SIGTERM and SIGINT.

It knows nothing of any agent app: apps are found through ``agents_temporal.apps``.
"""
