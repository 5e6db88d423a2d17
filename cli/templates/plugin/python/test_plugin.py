"""Unit tests of the `{{plugin_name}}` evaluator: `python3 -m unittest`."""

import unittest
from datetime import datetime, timezone

import pyarrow as pa

import cxaudit_plugin as cx
import plugin  # noqa: F401 - declares the evaluator


def at(text):
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def contacts():
    """Seven contacts. Voice: answered after 10 s and 30 s, one abandoned,
    one still open (not offered). Chat: answered after 5 s and exactly 20 s.
    E-mail is not a judged channel."""
    ts = pa.timestamp("ms", tz="UTC")
    return pa.table({
        "channel": ["voice", "voice", "voice", "voice", "chat", "chat", "email"],
        "arrived_at": pa.array([at(t) for t in [
            "2026-01-05T08:00:00", "2026-01-05T08:01:00", "2026-01-05T08:02:00",
            "2026-01-05T08:03:00", "2026-01-05T09:00:00", "2026-01-05T09:00:00",
            "2026-01-05T10:00:00"]], ts),
        "answered_at": pa.array([at(t) for t in [
            "2026-01-05T08:00:10", "2026-01-05T08:01:30", None, None,
            "2026-01-05T09:00:05", "2026-01-05T09:00:20", "2026-01-05T12:00:00"]], ts),
        "abandoned": [False, False, True, False, False, False, False],
    })


class AnsweredWithin(unittest.TestCase):
    def test_the_share_is_answered_in_time_over_offered_by_channel(self):
        e = cx.run("answered_within", {"contacts": contacts()})
        # Offered: voice 3 (the open contact is not), chat 2 = 5. Within
        # 20 s: voice 1 (10 s), chat 2 (5 s, 20 s) = 3. 3 / 5 = 0.6
        # against 0.8: score 0.6 / 0.8 = 0.75, partially met.
        self.assertEqual(e["measurements"][0], {"name": "answered_within_share", "value": 0.6})
        self.assertAlmostEqual(e["score"], 0.75, places=12)
        self.assertEqual(e["status"], "partially_met")
        self.assertEqual(e["summary"],
                         "3 of 5 offered contacts answered within 20 s (60.0%, target 80.0%).")
        # ceil(0.8 x 5 - 3) = 1 more contact in time.
        self.assertTrue(e["actions"][0]["text"].startswith("Answer 1 more"), e["actions"][0]["text"])
        self.assertEqual(e["drilldowns"][0]["rows"],
                         [["chat", 2, 2, 1.0], ["voice", 3, 1, 1 / 3]])
        self.assertEqual(e["observations"], ["No `messaging` contact was answered or abandoned."])

    def test_the_pack_parameters_change_the_bar(self):
        # A 30 s limit takes voice's 30 s answer in: 4 of 5 = 0.8, met.
        e = cx.run("answered_within", {"contacts": contacts()}, {"wait_limit_seconds": 30.0})
        self.assertEqual((e["score"], e["status"], e["actions"]), (1.0, "met", []))

    def test_without_an_offered_contact_the_evidence_is_insufficient(self):
        e = cx.run("answered_within", {"contacts": contacts()}, {"channels": ["self_service"]})
        self.assertEqual(e["status"], "insufficient_evidence")
        self.assertEqual(e["summary"],
                         "no contact of the channels self_service was answered or abandoned")


if __name__ == "__main__":
    unittest.main()
