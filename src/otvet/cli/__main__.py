"""``python -m otvet.cli``."""

from otvet.cli.app import run

run()
