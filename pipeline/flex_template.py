"""``wire-ingest run`` as a Dataflow Flex Template: its parameters and its entry point.

Dataflow starts a Flex Template by running a Python file in the template's image with every
parameter as ``--name=value`` (and its own Beam options: ``--runner``, ``--project``,
``--temp_location``, ...). ``main`` turns that into a ``wire-ingest run`` command line; the
only difference is the flags without a value (``--resume``), which a template can only pass
as ``--resume=true``. ``metadata`` lists every option of ``run`` as a template parameter, made
from the command's own parser, so a new option cannot be missing from the template
(``configs/dataflow/metadata.json`` is written from it by ``scripts/dataflow.py metadata``).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import Any

from pipeline.cli import build_parser
from pipeline.cli import main as cli_main

NAME = "wire-ingest"
DESCRIPTION = (
    "Ingest news wire stories (files under a Cloud Storage prefix) into clean, annotated Avro: "
    "stories, dead letters and duplicates under the output prefix, with its ledger."
)
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


def _run_options() -> list[argparse.Action]:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    run = commands.choices["run"]
    return [action for action in run._actions if action.option_strings and action.dest != "help"]


def _is_flag(action: argparse.Action) -> bool:
    return action.nargs == 0  # store_true: no value on the command line


def metadata() -> dict[str, Any]:
    """The template's metadata: every option of ``wire-ingest run`` as a parameter."""
    parameters = []
    for action in _run_options():
        name = action.option_strings[0].removeprefix("--")
        help_text = re.sub(r"\s+", " ", action.help or "").replace("%%", "%")
        parameter: dict[str, Any] = {
            "name": name,
            "label": name.replace("-", " ").capitalize(),
            "helpText": help_text + (" (true or false)" if _is_flag(action) else ""),
            "isOptional": not action.required,
        }
        if action.choices:
            parameter["regexes"] = ["^(" + "|".join(map(re.escape, action.choices)) + ")$"]
        elif _is_flag(action):
            parameter["regexes"] = ["^(true|false)$"]
        parameters.append(parameter)
    return {"name": NAME, "description": DESCRIPTION, "parameters": parameters}


def spec(image: str) -> dict[str, Any]:
    """The template spec file (what ``gcloud dataflow flex-template build`` writes)."""
    return {
        "image": image,
        "sdkInfo": {"language": "PYTHON"},
        "metadata": metadata(),
        "defaultEnvironment": {},
    }


def run_arguments(argv: Sequence[str]) -> list[str]:
    """``wire-ingest run`` arguments from a template's: ``--resume=true`` becomes
    ``--resume``, ``--resume=false`` nothing; everything else is passed on as it came.

    Raises:
        SystemExit: a flag's value is neither true nor false (exit code 2, one line).
    """
    flags = {flag for a in _run_options() if _is_flag(a) for flag in a.option_strings}
    arguments = ["run"]
    for argument in argv:
        flag, equals, value = argument.partition("=")
        if flag not in flags or not equals:
            arguments.append(argument)
        elif value.lower() in _TRUE:
            arguments.append(flag)
        elif value.lower() not in _FALSE:
            print(f"wire-ingest: error: {flag}={value}: expected true or false", file=sys.stderr)
            raise SystemExit(2)
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    """The template's entry point (``configs/dataflow/main.py``)."""
    return cli_main(run_arguments(sys.argv[1:] if argv is None else argv))
