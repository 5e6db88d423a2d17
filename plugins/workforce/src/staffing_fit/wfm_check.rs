//! The WFM-requirement check: the WFM tool's `required_agents` against the
//! model's net requirement of the same forecast.

use super::requirement::Judged;

/// The WFM requirement compared with Erlang.
#[derive(Debug, Clone, Default)]
pub(super) struct WfmComparison {
    /// sum |W - N_f| / sum N_f; None when nothing is comparable.
    pub(super) difference: Option<f64>,
    /// Units with both figures.
    pub(super) compared: usize,
    /// Units without required_agents.
    pub(super) missing: usize,
    /// Units whose forecast the model cannot size.
    pub(super) unsizable: usize,
}

impl WfmComparison {
    /// Why no difference could be computed.
    pub(super) fn why_not_compared(&self) -> &'static str {
        if self.compared == 0 && self.unsizable == 0 {
            "required_agents is empty"
        } else if self.compared == 0 {
            "no interval has both required_agents and a forecast the model can size"
        } else {
            "the forecast needs no agent in any compared interval"
        }
    }
}

/// Compares the units that have both figures; counts those that lack one.
pub(super) fn wfm_difference(judged: &[Judged]) -> WfmComparison {
    let mut c = WfmComparison::default();
    let mut abs_diff = 0.0;
    let mut total = 0.0;
    for j in judged {
        match (j.unit.wfm_required, j.net_forecast) {
            (None, _) => c.missing += 1,
            (Some(_), None) => c.unsizable += 1,
            (Some(w), Some(n)) => {
                abs_diff += (w - n).abs();
                total += n;
                c.compared += 1;
            }
        }
    }
    c.difference = (total > 0.0).then(|| abs_diff / total);
    c
}
