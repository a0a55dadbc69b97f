"""Model calls: the workflow-side model and runner, the model activity, providers, tool specs.

The workflow side (``runner``, ``workflow_model``, ``activity_tool``) turns each model call of
``Runner.run`` into the model activity; the activity side (``activity``, ``providers``,
``provider_errors``) makes the real call on a worker. They share only ``.._model_call``.
"""
