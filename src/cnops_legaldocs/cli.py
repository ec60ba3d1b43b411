"""The ``cnops-legaldocs`` command: a thin layer over the library for clerks and scripts.

Exit status: 0 success, 1 unexpected failure, 2 bad input (message says file, line, field).
A failure leaves no file behind, whole or partial; messages never repeat a value of the data,
and a traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import api, bidi, catalogs, model
from .errors import LegalDocsError, printable
from .output import write_all, write_atomic
from .renderers.pdf import VARIANTS

log = logging.getLogger("cnops_legaldocs")

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnops-legaldocs",
        description="French and Arabic legal documents of CNOPS (law 09-08), as PDF.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def data_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--data",
            type=Path,
            metavar="FILE",
            help="notice data (default: the embedded CNOPS notice)",
        )

    render = sub.add_parser("render", help="render one document")
    render.add_argument("kind", choices=api.KINDS)
    render.add_argument("--lang", required=True, choices=model.LANGUAGES)
    render.add_argument("--format", dest="fmt", default="pdf", choices=api.FORMATS)
    render.add_argument("-o", "--output", required=True, type=Path, metavar="PATH")
    render.add_argument(
        "--pdf-variant",
        metavar="VARIANT",
        choices=(*VARIANTS, api.PLAIN),
        help=f"archival or accessible PDF: {', '.join(VARIANTS)}, or {api.PLAIN} "
        f"(default: {api.ARCHIVAL_VARIANT} for printed documents, {api.PLAIN} for fillable forms)",
    )
    data_option(render)

    build = sub.add_parser("build", help="render every document, language and format")
    build.add_argument("-o", "--output", required=True, type=Path, metavar="DIR")
    data_option(build)

    check = sub.add_parser("check", help="validate the data and the catalogs")
    data_option(check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.debug:
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.ERROR)
    try:
        return _COMMANDS[args.command](args)
    except LegalDocsError as exc:
        if args.debug:
            traceback.print_exc()
        print(bidi.for_terminal(f"error: {printable(str(exc))}", sys.stderr), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted: no partial file was left", file=sys.stderr)
        return 130
    except Exception:
        if args.debug:
            raise
        print("error: unexpected failure (run again with --debug for details)", file=sys.stderr)
        return EXIT_FAILURE


def _load(args: argparse.Namespace) -> model.LegalData:
    return model.load(args.data)


def _render(args: argparse.Namespace) -> int:
    data = _load(args)
    content = api.render(data, args.kind, args.lang, args.fmt, pdf_variant=args.pdf_variant)
    write_atomic(args.output, content)
    print(args.output)
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    data = _load(args)
    # Everything is rendered before anything is written: a failure leaves no partial set.
    outputs = {
        args.output / f"{kind}-{lang}.{fmt}": api.render(data, kind, lang, fmt)
        for kind in api.KINDS
        for lang in model.LANGUAGES
        for fmt in api.FORMATS
    }
    for path in write_all(outputs):
        print(path)
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    data = _load(args)
    for warning in data.warnings:
        print(bidi.for_terminal(f"warning: {warning}", sys.stderr), file=sys.stderr)
    problems = catalogs.problems(data)
    for problem in problems:
        print(bidi.for_terminal(f"error: {problem}", sys.stderr), file=sys.stderr)
    if problems:
        return EXIT_BAD_INPUT
    out = sys.stdout
    print(f"{data.source}: {len(data.operations)} operations, {len(data.contacts)} contacts")
    for lang in model.LANGUAGES:
        messages = sum(1 for m in catalogs.catalog(lang) if m.id)
        print(
            bidi.for_terminal(f"{lang}: {messages} messages, complete: {data.body.name[lang]}", out)
        )
    print(f"ok ({len(data.warnings)} warnings)")
    return EXIT_OK


_COMMANDS = {"render": _render, "build": _build, "check": _check}


if __name__ == "__main__":
    sys.exit(main())
