"""A cxaudit plugin in Python: the share of calls answered within a wait
limit, graded against a target share, with a drill-down by outcome. It
needs pyarrow and the helper module ``cxaudit_plugin`` (plugins/python in
the cxaudit repository) on the Python path."""

import cxaudit_plugin as cx

DEFINITION = "calls with a wait at most the limit / calls with a wait"

MANIFEST = {
    "description": "Share of calls answered within a wait limit, against a target share.",
    "tables": [
        {
            "name": "calls",
            "required": True,
            "columns": [
                {"name": "wait_seconds", "type": "float", "required": True},
                {"name": "answered", "type": "bool", "required": True},
            ],
        }
    ],
    "documents": [{"kind": "policy", "required": False}],
    "parameters": [
        {"name": "max_wait_seconds", "kind": "number", "default": 20.0, "min": 0.0,
         "description": "wait limit, seconds"},
        {"name": "target_share", "kind": "number", "default": 0.8, "min": 0.0, "max": 1.0,
         "description": "required share of calls within the limit"},
    ],
    "measurements": [{"name": "share_within", "unit": "ratio", "definition": DEFINITION}],
}


@cx.evaluator("wait_share", manifest=MANIFEST)
def wait_share(ctx, params):
    calls = ctx.table("calls").to_pylist()
    limit, target = params["max_wait_seconds"], params["target_share"]
    by_outcome = {}
    for call in calls:
        if call["wait_seconds"] is None:
            continue
        outcome = "answered" if call["answered"] else "not answered"
        tally = by_outcome.setdefault(outcome, [0, 0])
        tally[0] += 1
        tally[1] += call["wait_seconds"] <= limit
    total = sum(t[0] for t in by_outcome.values())
    within = sum(t[1] for t in by_outcome.values())
    if total == 0:
        raise cx.MissingEvidence("no call has a wait time")
    share = within / total
    summary = (f"{within} of {total} calls waited at most {limit:g} s "
               f"({share:.1%}, target {target:.1%}).")
    observations = [f"Policy read: {doc['path']}." for doc in ctx.optional_documents("policy")]
    return cx.result(
        min(share / target, 1.0),
        summary,
        checks=[cx.check("share_within", "Share of calls within the wait limit", share,
                         f">= {target:g}", share >= target)],
        measurements=[cx.measure("share_within", share)],
        drilldowns=[{
            "id": "by_outcome",
            "title": "Calls within the wait limit, by outcome",
            "columns": ["outcome", "calls", "within the limit", "share"],
            "units": ["", "calls", "calls", "ratio"],
            "rows": [[outcome, t[0], t[1], t[1] / t[0]] for outcome, t in sorted(by_outcome.items())],
        }],
        observations=observations,
    )


if __name__ == "__main__":
    cx.main(name="python_example", version="0.1.0")
