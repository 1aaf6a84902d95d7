"""otvet: demand security of the OT products you buy, and verify it with evidence.

The package is a pipeline, one folder per stage (see ``docs/ARCHITECTURE.md``):
``model`` (pure data types) <- ``storage`` <- ``formats``/``catalog``/``audit`` <- ``intake``
<- stages (``analyzers``, ``knowledge``, ``probe``, ``scoring``, ``reports``, ``updates``)
<- ``core`` (the orchestrator) <- shells (``cli``, ``web``).
"""

__version__ = "0.1.0"
