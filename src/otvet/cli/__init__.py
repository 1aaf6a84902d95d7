"""The command-line shell. It calls ``otvet.core`` and reads ``otvet.model``, nothing else."""
