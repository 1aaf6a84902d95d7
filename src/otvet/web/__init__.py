"""Web shell (reserved): like the CLI, it talks to ``otvet.core`` and ``otvet.model`` only."""
