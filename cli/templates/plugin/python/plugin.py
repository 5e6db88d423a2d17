"""The `{{plugin_name}}` cxaudit plugin: one evaluator, `answered_within`,
judging the share of offered contacts answered within a wait limit."""

import math

import cxaudit_plugin as cx

DEFINITION = ("contacts answered with a wait at most the limit / contacts offered "
              "(answered or abandoned), over the judged channels")

MANIFEST = {
    "description": "Share of offered contacts answered within a wait limit, by channel, "
                   "against a target share.",
    "tables": [{
        "name": "contacts",
        "required": True,
        "columns": [
            {"name": "channel", "type": "string", "required": True},
            {"name": "arrived_at", "type": "timestamp", "required": True},
            {"name": "answered_at", "type": "timestamp", "required": True},
            {"name": "abandoned", "type": "bool", "required": True},
        ],
    }],
    "parameters": [
        {"name": "wait_limit_seconds", "kind": "number", "default": 20.0, "min": 0.0,
         "description": "the longest wait that counts as answered in time, seconds"},
        {"name": "target_share", "kind": "number", "default": 0.8, "min": 0.0, "max": 1.0,
         "description": "share of offered contacts to answer within the limit"},
        {"name": "channels", "kind": "list", "default": ["voice", "chat", "messaging"],
         "description": "the channels judged (a limit in seconds suits live channels)"},
    ],
    # Units and definitions are written here once; results name measurements only.
    "measurements": [
        {"name": "answered_within_share", "unit": "ratio", "definition": DEFINITION},
        {"name": "offered_contacts", "unit": "contacts",
         "definition": "contacts of the judged channels answered or abandoned"},
    ],
}


@cx.evaluator("answered_within", manifest=MANIFEST)
def answered_within(ctx, params):
    limit, target = params["wait_limit_seconds"], params["target_share"]
    contacts = ctx.table("contacts").select(["channel", "arrived_at", "answered_at", "abandoned"])
    by_channel = {}  # channel -> [offered, within]
    for row in contacts.to_pylist():
        if row["channel"] not in params["channels"]:
            continue
        # Offered: answered, or abandoned by the customer; a contact still
        # open at the end of the export is neither.
        if row["arrived_at"] is not None and row["answered_at"] is not None:
            within = (row["answered_at"] - row["arrived_at"]).total_seconds() <= limit
        elif row["abandoned"]:
            within = False
        else:
            continue
        tally = by_channel.setdefault(row["channel"], [0, 0])
        tally[0] += 1
        tally[1] += within
    offered = sum(t[0] for t in by_channel.values())
    answered = sum(t[1] for t in by_channel.values())
    if offered == 0:
        raise cx.MissingEvidence(
            f"no contact of the channels {', '.join(params['channels'])} was answered or abandoned")
    share = answered / offered
    passed = share >= target
    actions = []
    if not passed:
        short = math.ceil(target * offered - answered)
        actions.append({
            "text": f"Answer {short} more of the {offered} offered contacts within {limit:g} s: "
                    "staff the intervals and channels with the longest waits.",
            "effort": "medium",
            "owner_role": "process",
        })
    return cx.result(
        # Partial credit in proportion to the target.
        cx.graded(share, 0.0, target),
        f"{answered} of {offered} offered contacts answered within {limit:g} s "
        f"({share:.1%}, target {target:.1%}).",
        checks=[cx.check("answered_within", "Share of offered contacts answered within the wait limit",
                         share, f">= {target:g}", passed)],
        measurements=[cx.measure("answered_within_share", share),
                      cx.measure("offered_contacts", offered)],
        definitions=[{"term": "answered within the limit", "text": DEFINITION}],
        drilldowns=[{
            "id": "by_channel",
            "title": "Answered within the wait limit, by channel",
            "columns": ["channel", "offered", "answered within the limit", "share"],
            "units": ["", "contacts", "contacts", "ratio"],
            "rows": [[c, t[0], t[1], t[1] / t[0]] for c, t in sorted(by_channel.items())],
        }],
        observations=[f"No `{c}` contact was answered or abandoned."
                      for c in params["channels"] if c not in by_channel],
        actions=actions,
    )


if __name__ == "__main__":
    cx.main(name="{{plugin_name}}", version="0.1.0")
