"""``python -m otvet``."""

from otvet.cli.app import run

run()
