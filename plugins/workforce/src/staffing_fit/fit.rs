//! The fit of scheduled staff S to the requirement: the plan against the
//! requirement of the forecast R_f, the actuals against the requirement R of
//! the actual volume beyond its arrival-noise band [R_low, R_high], the share
//! of short intervals, and the fit of the weekly pattern (Pearson r and R2
//! over weekday x interval means of R and S).

use std::collections::BTreeMap;

use cxaudit_metrics::staffing;

use super::requirement::Judged;
use crate::common::LocalSlot;

/// The fit figures of the judged units; `None` where a figure is undefined.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fit {
    /// sum max(R_f - S, 0) / sum R_f over the units whose forecast is sized.
    pub(super) plan_under: Option<f64>,
    /// sum max(S - R_f, 0) / sum R_f.
    pub(super) plan_over: Option<f64>,
    /// sum max(R_low - S, 0) / sum R.
    pub(super) under: Option<f64>,
    /// sum max(S - R_high, 0) / sum R.
    pub(super) over: Option<f64>,
    /// Pearson r of the weekly patterns of R and S.
    pub(super) pearson: Option<f64>,
    /// R2 fit of the weekly pattern of S to that of R.
    pub(super) r2: Option<f64>,
    /// Intervals with S < R_low / intervals.
    pub(super) share_under: f64,
}

impl Fit {
    /// The fit of the judged units (at least one), weekly pattern in `tz`.
    pub(super) fn of(judged: &[Judged], tz: chrono_tz::Tz) -> Self {
        let (plan_r, plan_s): (Vec<f64>, Vec<f64>) = judged
            .iter()
            .filter_map(|j| Some((j.required_forecast?, j.unit.scheduled)))
            .unzip();
        let total_r: f64 = judged.iter().map(|j| j.required).sum();
        let beyond = |gap: &dyn Fn(&Judged) -> f64| {
            (total_r > 0.0).then(|| judged.iter().map(|j| gap(j).max(0.0)).sum::<f64>() / total_r)
        };
        let (cell_r, cell_s) = weekly_pattern(judged, tz);
        let share_under = judged
            .iter()
            .filter(|j| j.unit.scheduled < j.required_low - 1e-9)
            .count() as f64
            / judged.len() as f64;
        Fit {
            plan_under: staffing::under_staffing(&plan_r, &plan_s).ok(),
            plan_over: staffing::over_staffing(&plan_r, &plan_s).ok(),
            under: beyond(&|j| j.required_low - j.unit.scheduled),
            over: beyond(&|j| j.unit.scheduled - j.required_high),
            pearson: staffing::pearson_fit(&cell_r, &cell_s).ok(),
            r2: staffing::r2_fit(&cell_r, &cell_s).ok(),
            share_under,
        }
    }
}

/// Mean requirement R and mean scheduled S per (group, weekday, local start
/// minute): the weekly staffing pattern, in key order.
fn weekly_pattern(judged: &[Judged], tz: chrono_tz::Tz) -> (Vec<f64>, Vec<f64>) {
    let mut cells: BTreeMap<(&str, usize, u32), (f64, f64, f64)> = BTreeMap::new();
    for j in judged {
        let Some(slot) = LocalSlot::of(j.unit.start, tz) else {
            continue;
        };
        let c = cells
            .entry((j.unit.group.as_str(), slot.weekday, slot.minute))
            .or_default();
        c.0 += j.required;
        c.1 += j.unit.scheduled;
        c.2 += 1.0;
    }
    cells.values().map(|(r, s, n)| (r / n, s / n)).unzip()
}

#[cfg(test)]
mod tests {
    use crate::staffing_fit::StaffingFit;
    use cxaudit_plugin_sdk::testing::{TableBuilder, TestHost};
    use serde_json::json;

    /// One queue at 09:00 and 09:30 on two Mondays (2026-01-05, 2026-01-12), AHT 180 s,
    /// 30 % shrinkage (`cxaudit erlang` gives the same N), R = N / 0.7 (not rounded):
    /// - 09:00 week 1: 120 contacts, N 16, R 22.857, S 8;  week 2: 80 contacts, N 11, R 15.714, S 31.
    /// - 09:30 week 1: 40 contacts,  N 7,  R 10,     S 14; week 2: 60 contacts, N 9,  R 12.857, S 9.
    ///
    /// Forecast: 100 contacts at 09:00 (N_f 14, R_f 20), 50 at 09:30 (N_f 8, R_f 11.429); the
    /// tool says 14, 8, 15, 8.
    fn two_mondays() -> TestHost {
        let batch = TableBuilder::new()
            .strings("queue", [Some("a"); 4])
            .timestamps(
                "interval_start",
                [
                    "2026-01-05T09:00:00",
                    "2026-01-05T09:30:00",
                    "2026-01-12T09:00:00",
                    "2026-01-12T09:30:00",
                ]
                .map(Some),
            )
            .integers("interval_minutes", [Some(30); 4])
            .floats("forecast_contacts", [100.0, 50.0, 100.0, 50.0].map(Some))
            .floats("actual_contacts", [120.0, 40.0, 80.0, 60.0].map(Some))
            .floats("forecast_aht_seconds", [Some(180.0); 4])
            .floats("actual_aht_seconds", [Some(180.0); 4])
            .floats("required_agents", [14.0, 8.0, 15.0, 8.0].map(Some))
            .floats("scheduled_agents", [8.0, 14.0, 31.0, 9.0].map(Some))
            .build();
        TestHost::new().table("intervals", batch)
    }

    #[test]
    fn fit_uses_the_weekly_pattern_and_wfm_check_uses_the_forecast() {
        let e = two_mondays().run(&StaffingFit, json!({"noise_z": 0.0}));
        let m = |n: &str| e.measurement(n).and_then(|m| m.value);
        let net_r: Vec<(serde_json::Value, serde_json::Value)> = e.drilldowns[0]
            .rows
            .iter()
            .map(|r| (r[6].clone(), r[7].clone()))
            .collect();
        for pair in [
            (16.0, 22.8571),
            (11.0, 15.7143),
            (7.0, 10.0),
            (9.0, 12.8571),
        ] {
            assert!(net_r.contains(&(json!(pair.0), json!(pair.1))), "{net_r:?}");
        }
        // In net agents (x 0.7): S x 0.7 = 5.6, 9.8, 21.7, 6.3 against N = 16, 7, 11, 9 (sum 43):
        // actual under = (16 - 5.6) + (9 - 6.3) = 13.1 -> 13.1 / 43 = 0.304651;
        // actual over = (9.8 - 7) + (21.7 - 11) = 13.5 -> 13.5 / 43 = 0.313953.
        assert!((m("under_staffing").unwrap() - 13.1 / 43.0).abs() < 1e-12);
        assert!((m("over_staffing").unwrap() - 13.5 / 43.0).abs() < 1e-12);
        // The plan against N_f = 14, 8, 14, 8 (sum 44): under = (14 - 5.6) + (8 - 6.3) = 10.1
        // -> 10.1 / 44 = 0.229545; over = (9.8 - 8) + (21.7 - 14) = 9.5 -> 9.5 / 44 = 0.215909.
        assert!((m("plan_under_staffing").unwrap() - 10.1 / 44.0).abs() < 1e-12);
        assert!((m("plan_over_staffing").unwrap() - 9.5 / 44.0).abs() < 1e-12);
        // Weekly pattern: Mon 09:00 mean R 27 / 1.4 = 19.2857 vs mean S 19.5; Mon 09:30
        // 16 / 1.4 = 11.4286 vs 11.5. R2 = 1 - (0.3^2 + 0.1^2) / 1.4^2 / (2 x (5.5 / 1.4)^2)
        // = 1 - 0.1 / 60.5 = 0.998347 (with two cells r is +-1 by construction).
        // (per interval the fit would be poor: arrival noise, not the pattern).
        assert!((m("r2_fit").unwrap() - (1.0 - 0.1 / 60.5)).abs() < 1e-12);
        assert!((m("pearson_r").unwrap() - 1.0).abs() < 1e-12);
        // WFM: |14 - 14| + |8 - 8| + |15 - 14| + |8 - 8| over 44 = 1/44, within 15 %, though the
        // actuals needed 16, 7, 11 and 9 (that gap is forecast error, judged by WF1).
        assert!((m("wfm_requirement_difference").unwrap() - 1.0 / 44.0).abs() < 1e-12);
        let passed: Vec<bool> = e.checks.iter().map(|c| c.passed).collect();
        assert_eq!(passed, vec![false, false, false, false, true, true]);
    }
}
