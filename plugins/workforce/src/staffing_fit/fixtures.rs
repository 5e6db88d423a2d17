//! Test fixtures shared by the WF2 tests.

use cxaudit_plugin_sdk::testing::{TableBuilder, TestHost};

/// DOMAIN vector: 100 contacts in 30 min at AHT 180 s is A = 10 Erlangs;
/// SL 80 % in 20 s needs 14 agents, with 30 % shrinkage ceil(14 / 0.7) = 20.
///
/// Pooled fixture, Monday 2026-01-05 (UTC), queues a and b:
/// - 09:00: a 60 + b 40 contacts at 180 s -> pool A = 10, R = 20; scheduled a 10, b 0
///   (queue b has no staff) -> S = 10, gap -10.
/// - 09:30: no actual volume anywhere -> R = 0; scheduled a 2 -> S = 2, gap +2.
/// - 10:00: a 100, b 0 -> R = 20; scheduled a 20 -> gap 0.
pub(super) fn pooled_host() -> TestHost {
    let batch = TableBuilder::new()
        .strings("queue", ["a", "b", "a", "b", "a", "b"].map(Some))
        .timestamps(
            "interval_start",
            [
                "2026-01-05T09:00:00",
                "2026-01-05T09:00:00",
                "2026-01-05T09:30:00",
                "2026-01-05T09:30:00",
                "2026-01-05T10:00:00",
                "2026-01-05T10:00:00",
            ]
            .map(Some),
        )
        .integers("interval_minutes", [Some(30); 6])
        .floats(
            "forecast_contacts",
            [60.0, 40.0, 0.0, 0.0, 100.0, 0.0].map(Some),
        )
        .floats(
            "actual_contacts",
            [60.0, 40.0, 0.0, 0.0, 100.0, 0.0].map(Some),
        )
        .floats("forecast_aht_seconds", [Some(180.0); 6])
        .floats(
            "actual_aht_seconds",
            [Some(180.0), Some(180.0), None, None, Some(180.0), None],
        )
        .floats(
            "required_agents",
            [10.0, 4.0, 0.0, 0.0, 14.0, 0.0].map(Some),
        )
        .floats(
            "scheduled_agents",
            [10.0, 0.0, 2.0, 0.0, 20.0, 0.0].map(Some),
        )
        .build();
    TestHost::new().table("intervals", batch)
}
