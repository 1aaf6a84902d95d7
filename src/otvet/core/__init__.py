"""The orchestrator and the services the shells (CLI, web) call.

Shells import only this package and ``otvet.model``; this package wires the stages.
"""

from otvet.core.orchestrator import assess, assess_bundle

__all__ = ["assess", "assess_bundle"]
