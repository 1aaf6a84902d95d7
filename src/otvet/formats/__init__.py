"""Format readers (and writers of round-trip formats) for evidence documents.

Each module knows one format family; all read through ``otvet.safeio`` and report problems
with the file and the location inside it.
"""
