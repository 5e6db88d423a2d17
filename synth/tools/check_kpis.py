#!/usr/bin/env python3
"""Calibration aid for cxaudit-synth: computes the headline KPIs of a generated
evidence folder with the engine's definitions (stdlib only).

usage: check_kpis.py FOLDER [FOLDER ...]
"""
import csv
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta

TS = "%Y-%m-%dT%H:%M:%S"


def ts(s):
    return datetime.strptime(s, TS) if s else None


def period(folder):
    start = end = None
    with open(f"{folder}/evidence.toml") as f:
        for line in f:
            if line.startswith("start ="):
                start = date.fromisoformat(line.split("=")[1].strip())
            if line.startswith("end ="):
                end = date.fromisoformat(line.split("=")[1].strip())
    return start, end


def rows(folder, table):
    with open(f"{folder}/data/{table}.csv", newline="") as f:
        yield from csv.DictReader(f)


def pct(n, d):
    return 100.0 * n / d if d else float("nan")


def check(folder):
    start, end = period(folder)
    out = {}
    data_end = datetime.combine(end + timedelta(days=1), datetime.min.time())

    # Contacts: service, handle time, FCR, contacts per order.
    offered = short_ab = abandoned = answered = in_t = 0
    wait = 0.0
    handle = 0.0
    n_contacts = 0
    by_cust = defaultdict(list)
    no_cust = 0
    channels = defaultdict(int)
    transferred = handled = 0
    email_resp = []
    agent_days = defaultdict(list)
    for r in rows(folder, "contacts"):
        n_contacts += 1
        channels[r["channel"]] += 1
        arr = ts(r["arrived_at"])
        ans = ts(r["answered_at"])
        end_t = ts(r["ended_at"])
        ab = r["abandoned"] == "true"
        if r["agent_id"]:
            handle += float(r["talk_seconds"]) + float(r["hold_seconds"]) + float(r["wrap_seconds"])
            handled += 1
            transferred += r["transferred"] == "true"
            agent_days[r["agent_id"]].append(ans.date())
        if r["channel"] == "voice":
            offered += 1
            if ab:
                abandoned += 1
                if (end_t - arr).total_seconds() <= 5:
                    short_ab += 1
            elif ans:
                answered += 1
                w = (ans - arr).total_seconds()
                wait += w
                in_t += w <= 20
        if r["channel"] == "email" and ans:
            email_resp.append((ans - arr).total_seconds() / 3600)
        if r["customer_id"]:
            by_cust[r["customer_id"]].append((arr, end_t))
        else:
            no_cust += 1
    out["contacts"] = n_contacts
    out["channel_mix_%"] = {k: round(pct(v, n_contacts), 1) for k, v in sorted(channels.items())}
    out["service_level_%"] = pct(in_t, offered - short_ab)
    out["asa_s"] = wait / answered if answered else float("nan")
    out["abandon_rate_%"] = pct(abandoned, offered)
    out["transfer_rate_%"] = pct(transferred, handled)
    out["aht_s"] = handle / handled if handled else float("nan")
    if email_resp:
        email_resp.sort()
        out["email_response_h_median"] = email_resp[len(email_resp) // 2]
    eligible = repeats = 0
    week = timedelta(days=7)
    for lst in by_cust.values():
        lst.sort(key=lambda x: x[0])
        for i, (a, e) in enumerate(lst):
            if e is None or e + week > data_end:
                continue
            eligible += 1
            if any(e < b <= e + week for b, _ in lst[i + 1:] if b <= e + week) or any(
                e < b <= e + week for b, _ in lst[:i]
            ):
                repeats += 1
    out["fcr_%"] = pct(eligible - repeats, eligible)
    out["contacts_without_customer"] = no_cust

    # Adherence: utilisation, occupancy, absence, adherence.
    sched = worked = adh = absent = paid = 0.0
    for r in rows(folder, "adherence"):
        sched += float(r["scheduled_minutes"])
        worked += float(r["worked_minutes"])
        adh += float(r["adherent_minutes"])
        absent += float(r["unplanned_absence_minutes"])
        paid += float(r["paid_minutes"])
    out["utilisation_%"] = pct(worked, paid)
    out["occupancy_%"] = pct(handle, worked * 60)
    out["absence_rate_%"] = pct(absent, sched)
    out["schedule_adherence_%"] = pct(adh, sched)

    # Attrition and certification.
    spells = list(rows(folder, "agents"))

    def employed(s, d):
        h = date.fromisoformat(s["hired_on"])
        e = date.fromisoformat(s["exited_on"]) if s["exited_on"] else None
        return h <= d and (e is None or e > d)

    monthly = []
    m = start
    while m <= end:
        nm = (m.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = min(nm - timedelta(days=1), end)
        leavers = sum(1 for s in spells if s["exited_on"] and m <= date.fromisoformat(s["exited_on"]) <= last)
        hc0 = sum(employed(s, m) for s in spells)
        hc1 = sum(employed(s, last) for s in spells)
        monthly.append(leavers / ((hc0 + hc1) / 2) if hc0 + hc1 else 0.0)
        m = nm
    out["attrition_annualized_%"] = 100 * sum(monthly) * 12 / len(monthly)
    out["headcount_start_end"] = (
        sum(employed(s, start) for s in spells),
        sum(employed(s, end) for s in spells),
    )
    uncertified = 0
    outside = 0
    for agent, days in agent_days.items():
        sp = [s for s in spells if s["agent_id"] == agent]
        for d in days:
            if not any(employed(s, d) for s in sp):
                outside += 1
            elif not any(
                employed(s, d) and s["certified_on"] and date.fromisoformat(s["certified_on"]) <= d for s in sp
            ):
                uncertified += 1
    out["contacts_by_uncertified_agents"] = uncertified
    out["contacts_outside_employment"] = outside
    out["rehires"] = len(spells) - len({s["agent_id"] for s in spells})

    # Cost and orders.
    orders = cost = 0.0
    for r in rows(folder, "business_daily"):
        orders += int(r["orders"])
        cost += float(r["operating_cost"] or 0)
    out["orders"] = int(orders)
    out["contacts_per_order"] = n_contacts / orders
    out["cost_per_order"] = cost / orders

    # Forecast accuracy: daily WAPE per queue, and interval WAPE.
    daily = defaultdict(lambda: [0.0, 0.0])
    iv_err = iv_act = 0.0
    req_blank = 0
    n_iv = 0
    for r in rows(folder, "intervals"):
        f = float(r["forecast_contacts"])
        a = float(r["actual_contacts"])
        k = (r["queue"], r["interval_start"][:10])
        daily[k][0] += f
        daily[k][1] += a
        iv_err += abs(f - a)
        iv_act += a
        n_iv += 1
        req_blank += r["required_agents"] == ""
    out["forecast_wape_daily_%"] = pct(sum(abs(f - a) for f, a in daily.values()), sum(a for _, a in daily.values()))
    out["forecast_wape_interval_%"] = pct(iv_err, iv_act)
    out["required_agents_blank_%"] = pct(req_blank, n_iv)

    # Surveys.
    n_inv = n_resp = top2 = prom = det = late = 0
    sel = defaultdict(int)
    chan = defaultdict(int)
    reason_missing = low = 0
    contact_end = None
    for r in rows(folder, "surveys"):
        n_inv += 1
        sel[r["selection"]] += 1
        chan[r["channel"]] += 1
        if r["csat"]:
            n_resp += 1
            c = int(r["csat"])
            top2 += c >= 4
            if c <= 2:
                low += 1
                reason_missing += r["dissatisfaction_reason"] == ""
            n = int(r["nps"])
            prom += n >= 9
            det += n <= 6
    out["csat_top2_%"] = pct(top2, n_resp)
    out["nps"] = pct(prom - det, n_resp)
    out["survey_invitations"] = n_inv
    out["survey_response_rate_%"] = pct(n_resp, n_inv)
    out["survey_selection"] = dict(sorted(sel.items()))
    out["survey_channels"] = dict(sorted(chan.items()))
    out["dissatisfaction_reason_missing_%"] = pct(reason_missing, low)

    # Governance.
    limits = {"critical": 1800, "high": 7200, "medium": 28800, "low": 86400}
    inc = late_inc = 0
    for r in rows(folder, "incidents"):
        inc += 1
        d, e = ts(r["detected_at"]), ts(r["escalated_at"])
        if e is None or (e - d).total_seconds() > limits[r["severity"]]:
            late_inc += 1
    out["incidents_late_or_never_%"] = pct(late_inc, inc)
    ch = ok = 0
    for r in rows(folder, "changes"):
        ch += 1
        g, n = ts(r["go_live_at"]), ts(r["notified_at"])
        ok += n is not None and (g - n).days >= 7
    out["changes_notified_7d_%"] = pct(ok, ch)
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    for folder in sys.argv[1:]:
        print(f"== {folder}")
        for k, v in check(folder).items():
            if isinstance(v, float):
                v = f"{v:.4f}" if abs(v) < 1 else f"{v:.2f}"
            print(f"  {k}: {v}")


if __name__ == "__main__":
    main()
