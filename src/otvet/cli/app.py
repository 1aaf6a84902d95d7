"""The ``otvet`` command: one registration table, one error-to-exit-code mapping.

Commands live in their own small modules; this module only wires them and turns errors into
exit codes (see :class:`~otvet.cli.exit_codes.ExitCode`). Only the CLI exits the process.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer
from typer.exceptions import TyperException

from otvet import __version__
from otvet.cli import (
    assess,
    audit,
    catalog,
    compare,
    csaf,
    db,
    probe,
    questionnaire,
    report,
    rfp,
    sbom,
    trust,
    update,
    vulns,
)
from otvet.cli.console import err
from otvet.cli.exit_codes import ExitCode
from otvet.model import InputError, OtvetError, VerificationError

app = typer.Typer(
    name="otvet",
    help="Demand security of the OT products you buy, and verify it with evidence (CISA Secure by Demand).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

COMMANDS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("assess", assess.assess),
    ("compare", compare.compare),
    ("report", report.report),
    ("rfp", rfp.rfp),
    ("probe", probe.probe),
)
"""Top-level commands: (name, function)."""

GROUPS: tuple[tuple[str, typer.Typer], ...] = (
    ("catalog", catalog.app),
    ("questionnaire", questionnaire.app),
    ("csaf", csaf.app),
    ("sbom", sbom.app),
    ("update", update.app),
    ("trust", trust.app),
    ("audit", audit.app),
    ("db", db.app),
    ("vulns", vulns.app),
)
"""Command groups: (name, sub-application)."""

for _name, _function in COMMANDS:
    app.command(_name)(_function)
for _name, _group in GROUPS:
    app.add_typer(_group, name=_name)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"otvet {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """otvet: Secure by Demand assessments for OT products."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = command.main(args=args, prog_name="otvet", standalone_mode=False)
    except typer.Abort:
        err.print("[red]aborted[/]")
        return ExitCode.INPUT_ERROR
    except TyperException as exc:  # usage errors: missing or bad arguments and options
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"[red]error:[/] {escape(str(exc))}")
        return ExitCode.INPUT_ERROR
    except VerificationError as exc:
        err.print(f"[red]verification failed:[/] {escape(exc.diagnostics())}")
        return ExitCode.FINDINGS
    except (InputError, OtvetError) as exc:
        err.print(f"[red]error:[/] {escape(exc.diagnostics())}")
        return ExitCode.INPUT_ERROR
    except OSError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        return ExitCode.INPUT_ERROR
    except Exception:  # noqa: BLE001  # the last line of defence: report the bug, do not hide it
        err.print("[red]internal error in otvet[/] (please report it with the trace below)")
        err.print(escape(traceback.format_exc()))
        return ExitCode.INTERNAL_ERROR
    return int(result) if isinstance(result, int) else ExitCode.OK


def escape(text: str) -> str:
    """Escape rich markup in text that came from input."""
    return text.replace("[", r"\[")


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
