"""Write cxaudit evaluators in Python.

An executable plugin is a folder with a ``cxaudit-plugin.toml``::

    [plugin]
    command = ["python3", "plugin.py"]

and a ``plugin.py`` that declares its evaluators with :func:`evaluator` and
ends with :func:`main`. This module speaks the host protocol (version 1:
one JSON line and Arrow IPC streams on standard input, one JSON answer on
standard output); the author writes only the evaluators::

    import cxaudit_plugin as cx

    @cx.evaluator("wait_share", manifest={
        "description": "Share of calls within a wait limit.",
        "tables": [{"name": "calls", "required": True,
                    "columns": [{"name": "wait_seconds", "type": "float", "required": True}]}],
        "parameters": [{"name": "max_wait_seconds", "kind": "number", "default": 20.0}],
        "measurements": [{"name": "share_within", "unit": "ratio", "definition": "..."}],
    })
    def wait_share(ctx, params):
        calls = ctx.table("calls")          # a pyarrow.Table
        ...
        return cx.result(score, "3 of 5 calls ...", measurements=[cx.measure("share_within", share)])

    if __name__ == "__main__":
        cx.main(name="my_plugin", version="0.1.0")

The host sends the parameters already merged over the manifest's defaults
and checked, only the tables and documents the manifest declares, and
judges the returned score with the pack's thresholds. Raise
:class:`MissingEvidence` or :class:`NotApplicable` for those outcomes; any
other exception becomes the criterion's ``error`` with its message (the
traceback goes to standard error, which the host captures). ``print`` in an
evaluator writes to standard error: standard output carries the answer.
"""

import contextlib
import json
import struct
import sys
import traceback

PROTOCOL = 1
"""The host protocol version this module speaks."""

VERSION = "python-helper-1.0"
"""What a plugin built with this module reports as its SDK version."""

_EVALUATORS = {}


class MissingEvidence(Exception):
    """The evidence cannot support a judgement: ``insufficient_evidence``."""


class NotApplicable(Exception):
    """The criterion does not apply to this centre: ``not_applicable``."""


def evaluator(name, manifest):
    """Declares the decorated function ``f(ctx, params) -> dict`` as the
    evaluator ``name`` with its manifest (``plugins/sdk/schemas/manifest.schema.json``)."""

    def register(function):
        if name in _EVALUATORS:
            raise ValueError(f"evaluator `{name}` is declared twice")
        _EVALUATORS[name] = (function, manifest)
        return function

    return register


class Context:
    """What one evaluation sees: the request, the tables, the documents."""

    def __init__(self, header, tables):
        request = header["request"]
        self.criterion = request["criterion"]
        """The criterion being judged, e.g. ``XA1``."""
        self.params = request.get("params", {})
        """The pack's parameters, merged over the manifest's defaults."""
        self.period = request["period"]
        """``{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}``, inclusive."""
        self.as_of = request["as_of"]
        """The as-of date, ``YYYY-MM-DD``."""
        self.time_zone = request.get("time_zone", "UTC")
        """The centre's IANA time zone."""
        self._tables = tables
        self._table_errors = header.get("table_errors", {})
        self._documents = header.get("documents", {})

    def table(self, name):
        """A declared table as a ``pyarrow.Table``; raises
        :class:`MissingEvidence` naming why when the host could not send it."""
        if name in self._tables:
            return self._tables[name]
        why = self._table_errors.get(name)
        if why is None:
            why = f"table `{name}` is not in the evidence (or not declared in the manifest)"
        raise MissingEvidence(why)

    def optional_table(self, name):
        """A declared table, or ``None`` when the evidence has none."""
        return self._tables.get(name)

    def optional_documents(self, kind):
        """The documents of a declared kind (``[{"path", "text"}]``, sorted
        by path), empty when the evidence has none."""
        return self._documents.get(kind) or []

    def documents(self, kind):
        """The documents of a declared kind, as ``[{"path", "text"}]``
        sorted by path; raises :class:`MissingEvidence` when there is none."""
        docs = self._documents.get(kind)
        if not docs:
            raise MissingEvidence(f"no document of kind `{kind}` in the evidence")
        return docs


def measure(name, value):
    """A measurement the manifest declares, by name: the host adds its unit
    and definition from the manifest. ``value`` may be ``None``."""
    return {"name": name, "value": None if value is None else float(value)}


def check(check_id, description, measured, expected, passed, weight=1.0):
    """A check: what was measured against what was expected."""
    return {
        "id": check_id,
        "description": description,
        "measured": float(measured),
        "expected": expected,
        "passed": bool(passed),
        "weight": float(weight),
    }


def graded(value, floor, target, higher_is_better=True):
    """Linear credit in [0, 1]: none at ``floor``, full at ``target``."""
    if floor == target:
        return 1.0 if (value >= target if higher_is_better else value <= target) else 0.0
    share = (value - floor) / (target - floor)
    return min(max(share, 0.0), 1.0)


def result(score, summary, **lists):
    """A scored evaluation. The status here follows the default thresholds
    (met from 1.0, partially met from 0.5); the host re-judges the score with
    the pack's. ``lists``: checks, measurements, definitions, observations,
    drilldowns, charts, actions (``plugins/sdk/schemas/evaluation.schema.json``)."""
    score = float(score)
    if score >= 1.0:
        status = "met"
    elif score >= 0.5:
        status = "partially_met"
    else:
        status = "not_met"
    return {"status": status, "score": score, "summary": summary, **lists}


def _read_exact(stream, n):
    data = stream.read(n)
    if len(data) != n:
        raise EOFError(f"the host's input ended after {len(data)} of {n} bytes")
    return data


def _read_tables(stream, names):
    import pyarrow as pa

    tables = {}
    for name in names:
        (length,) = struct.unpack("<Q", _read_exact(stream, 8))
        data = _read_exact(stream, length)
        tables[name] = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    return tables


def _describe(name, version):
    return {
        "name": name,
        "version": version,
        "sdk_version": VERSION,
        "evaluators": [
            {"name": n, "manifest": manifest} for n, (_, manifest) in sorted(_EVALUATORS.items())
        ],
    }


def _evaluate(header, stream):
    tables = _read_tables(stream, header.get("tables", []))
    return _call(header["evaluator"], header, tables)


def run(name, tables, params=None, documents=None, time_zone="UTC",
        period=("2026-01-01", "2026-01-31"), criterion="TEST"):
    """Runs evaluator ``name`` in this process, for its unit tests: ``tables``
    maps names to ``pyarrow.Table``s, ``params`` are merged over the
    manifest's defaults (as the host merges the pack's), ``documents`` maps
    kinds to ``[{"path", "text"}]``. Returns the result as the host would
    receive it (before it adds units and judges the score with a pack's
    thresholds)."""
    if name not in _EVALUATORS:
        raise KeyError(f"no evaluator `{name}` is declared")
    _, manifest = _EVALUATORS[name]
    merged = {p["name"]: p.get("default") for p in manifest.get("parameters", [])}
    merged.update(params or {})
    header = {
        "request": {
            "criterion": criterion,
            "evaluator": name,
            "params": merged,
            "period": {"start": period[0], "end": period[1]},
            "as_of": period[1],
            "time_zone": time_zone,
        },
        "documents": documents or {},
    }
    return _call(name, header, tables)


def _call(name, header, tables):
    if name not in _EVALUATORS:
        return {"status": "error", "summary": f"this plugin has no evaluator `{name}`"}
    function, _ = _EVALUATORS[name]
    ctx = Context(header, tables)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            return function(ctx, ctx.params)
    except MissingEvidence as e:
        return {"status": "insufficient_evidence", "summary": str(e)}
    except NotApplicable as e:
        return {"status": "not_applicable", "summary": str(e)}
    except Exception as e:  # noqa: BLE001 - every failure is the criterion's error
        traceback.print_exc(file=sys.stderr)
        return {"status": "error", "summary": f"evaluator `{name}` raised {type(e).__name__}: {e}"}


def main(name, version):
    """Answers the host's one call on the standard streams, then returns."""
    stream = sys.stdin.buffer
    header = json.loads(stream.readline())
    if header.get("cxaudit_protocol") != PROTOCOL:
        sys.exit(f"host protocol {header.get('cxaudit_protocol')}, this module speaks {PROTOCOL}")
    call = header.get("call")
    if call == "describe":
        answer = _describe(name, version)
    elif call == "evaluate":
        answer = _evaluate(header, stream)
    else:
        sys.exit(f"unknown call `{call}`")
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()
