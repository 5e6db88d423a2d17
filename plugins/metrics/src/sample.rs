//! The one definition of the survey sample: which invitations a CSAT, an NPS
//! or a response rate is computed over, used by `cxaudit kpis`, CX1-CX3, PF1
//! and the reports alike.
//!
//! - Invitations chosen **at random or by census** are the sample (a
//!   probability sample: its CSAT estimates the population's, with a margin).
//! - Invitations **chosen by agents** (or whose method is not stated) are a
//!   biased sample: measured and flagged, never given a margin of error.
//! - **Customer-initiated feedback** was never an invitation: it is a
//!   complaint signal, its own figure, never in CSAT, NPS, response rates or
//!   non-response tests.
//!
//! A group (a period, a month, a channel...) is measured on its random and
//! census invitations; only when it has none is it measured on all its
//! invitations, flagged as biased ([`SampleBasis::Biased`]).

use crate::hash::RecentStrs;
use crate::survey::{TopTwoBox, response_rate};

/// [`Selection::parse`] of the cells of one column, each text remembered at
/// its address ([`RecentStrs`]): the `selection` column is dictionary-coded,
/// so a batch's invitations are parsed once per method, not once per row.
#[derive(Debug, Clone, Default)]
pub struct SelectionCells<'a> {
    recent: RecentStrs<'a>,
}

impl<'a> SelectionCells<'a> {
    /// The method of a `selection` cell, as [`Selection::parse`] reads it.
    #[inline]
    pub fn parse(&mut self, cell: Option<&'a str>) -> Selection {
        let Some(cell) = cell else {
            return Selection::Unstated;
        };
        if let Some(i) = self.recent.get(cell) {
            return Selection::ALL[i as usize];
        }
        let method = Selection::parse(Some(cell));
        let i = Selection::ALL
            .iter()
            .position(|s| *s == method)
            .unwrap_or(4);
        self.recent.put(cell, i as u32);
        method
    }
}

/// How an invitation was selected, read from the surveys table's `selection`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Selection {
    /// Invited at random.
    Random,
    /// Every contact invited.
    Census,
    /// Chosen by the agent.
    AgentSelected,
    /// Feedback the customer gave unasked (not an invitation).
    CustomerInitiated,
    /// No method stated, or one cxaudit does not know: not a known random sample.
    Unstated,
}

impl Selection {
    /// Every method, in report order.
    pub const ALL: [Selection; 5] = [
        Selection::Random,
        Selection::Census,
        Selection::AgentSelected,
        Selection::CustomerInitiated,
        Selection::Unstated,
    ];

    /// The method of a `selection` cell (trimmed, any case); empty or unknown is
    /// [`Selection::Unstated`].
    pub fn parse(cell: Option<&str>) -> Selection {
        // Compared in place: read once per invitation, a million times at 2M contacts.
        let Some(cell) = cell.map(str::trim) else {
            return Selection::Unstated;
        };
        Selection::ALL
            .into_iter()
            .find(|s| *s != Selection::Unstated && cell.eq_ignore_ascii_case(s.key()))
            .unwrap_or(Selection::Unstated)
    }

    /// The word the surveys table uses (`unstated` for none).
    pub fn key(self) -> &'static str {
        match self {
            Selection::Random => "random",
            Selection::Census => "census",
            Selection::AgentSelected => "agent_selected",
            Selection::CustomerInitiated => "customer_initiated",
            Selection::Unstated => "unstated",
        }
    }

    /// Random or census: a probability sample.
    pub fn is_probability(self) -> bool {
        matches!(self, Selection::Random | Selection::Census)
    }

    /// An invitation the centre sent (everything but customer-initiated feedback).
    pub fn is_invitation(self) -> bool {
        self != Selection::CustomerInitiated
    }
}

/// Which invitations a group's survey figures are computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleBasis {
    /// Random and census invitations: the survey sample.
    Probability,
    /// No random or census invitation in the group: all its invitations
    /// (agent-selected, unstated), a biased sample, flagged.
    Biased,
}

impl SampleBasis {
    /// The basis of a group that has `probability_invitations` random or census
    /// invitations.
    pub fn of(probability_invitations: u64) -> SampleBasis {
        if probability_invitations > 0 {
            SampleBasis::Probability
        } else {
            SampleBasis::Biased
        }
    }

    /// Whether an invitation of method `s` is in a group's sample on this basis.
    pub fn includes(self, s: Selection) -> bool {
        match self {
            SampleBasis::Probability => s.is_probability(),
            SampleBasis::Biased => s.is_invitation(),
        }
    }

    /// The flag a figure on this basis carries (None for the probability sample).
    pub fn flag(self) -> Option<&'static str> {
        match self {
            SampleBasis::Probability => None,
            SampleBasis::Biased => Some(
                "biased sample: no random or census invitation, computed over agent-selected (or unstated) invitations",
            ),
        }
    }
}

/// Invitations, completes and answers of one selection method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MethodTally {
    /// Invitations (feedback rows for customer-initiated).
    pub invitations: u64,
    /// Invitations with a response.
    pub completes: u64,
    /// CSAT answers 1-5 and those scoring 4-5.
    pub csat: TopTwoBox,
    /// Valid NPS answers (0-10), promoters (9-10) and detractors (0-6).
    pub nps_n: u64,
    /// Promoters (9-10).
    pub promoters: u64,
    /// Detractors (0-6).
    pub detractors: u64,
}

impl MethodTally {
    fn add(&mut self, o: &MethodTally) {
        self.invitations += o.invitations;
        self.completes += o.completes;
        self.csat.valid += o.csat.valid;
        self.csat.top_two += o.csat.top_two;
        self.csat.invalid += o.csat.invalid;
        self.nps_n += o.nps_n;
        self.promoters += o.promoters;
        self.detractors += o.detractors;
    }
}

/// A group's invitations tallied by selection method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SampleTally {
    by_method: [MethodTally; 5],
}

fn index(s: Selection) -> usize {
    Selection::ALL.iter().position(|x| *x == s).unwrap_or(4)
}

impl SampleTally {
    /// Counts one row: its method, whether it was answered, its CSAT (1-5
    /// counts, others are invalid) and NPS (0-10) when answered.
    pub fn add(&mut self, s: Selection, responded: bool, csat: Option<i64>, nps: Option<i64>) {
        let t = &mut self.by_method[index(s)];
        t.invitations += 1;
        if !responded {
            return;
        }
        t.completes += 1;
        match csat {
            Some(c @ 1..=5) => {
                t.csat.valid += 1;
                t.csat.top_two += u64::from(c >= 4);
            }
            Some(_) => t.csat.invalid += 1,
            None => {}
        }
        if let Some(n @ 0..=10) = nps {
            t.nps_n += 1;
            t.promoters += u64::from(n >= 9);
            t.detractors += u64::from(n <= 6);
        }
    }

    /// The tally of one method.
    pub fn method(&self, s: Selection) -> &MethodTally {
        &self.by_method[index(s)]
    }

    /// The group's basis: its random and census invitations if it has any.
    pub fn basis(&self) -> SampleBasis {
        SampleBasis::of(
            self.method(Selection::Random).invitations + self.method(Selection::Census).invitations,
        )
    }

    /// The tally of the group's sample (on [`SampleTally::basis`]).
    pub fn sample(&self) -> MethodTally {
        let basis = self.basis();
        let mut out = MethodTally::default();
        for s in Selection::ALL.into_iter().filter(|s| basis.includes(*s)) {
            out.add(self.method(s));
        }
        out
    }

    /// CSAT top-2-box of the sample (`None` without a CSAT answer).
    pub fn csat_top2(&self) -> Option<f64> {
        self.sample().csat.rate()
    }

    /// NPS of the sample in points (`None` without an NPS answer).
    pub fn nps(&self) -> Option<f64> {
        let s = self.sample();
        crate::survey::nps_from_counts(s.promoters, s.detractors, s.nps_n).map(|n| n.nps)
    }

    /// Response rate of the sample: completes / invitations (DOMAIN: completes
    /// / eligible invitations).
    pub fn response_rate(&self) -> Option<f64> {
        let s = self.sample();
        response_rate(s.completes, s.invitations)
    }

    /// CSAT top-2-box of the answers of some methods only (e.g. agent-selected).
    pub fn csat_top2_of(&self, methods: &[Selection]) -> Option<f64> {
        let mut t = MethodTally::default();
        for s in methods {
            t.add(self.method(*s));
        }
        t.csat.rate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_parse_and_classify() {
        assert_eq!(Selection::parse(Some(" Random ")), Selection::Random);
        assert_eq!(Selection::parse(Some("census")), Selection::Census);
        assert_eq!(
            Selection::parse(Some("agent_selected")),
            Selection::AgentSelected
        );
        assert_eq!(
            Selection::parse(Some("customer_initiated")),
            Selection::CustomerInitiated
        );
        assert_eq!(Selection::parse(Some("email blast")), Selection::Unstated);
        assert_eq!(Selection::parse(None), Selection::Unstated);
        // Remembered by address, read as parse reads each text.
        let column = String::from("census Random email blast census");
        let cells = [
            &column[0..6],
            &column[7..13],
            &column[14..25],
            &column[26..32],
            &column[0..6],
        ];
        let mut remembered = SelectionCells::default();
        for cell in cells {
            assert_eq!(
                remembered.parse(Some(cell)),
                Selection::parse(Some(cell)),
                "{cell}"
            );
        }
        assert_eq!(remembered.parse(None), Selection::Unstated);
        assert!(Selection::Census.is_probability() && !Selection::AgentSelected.is_probability());
        assert!(!Selection::CustomerInitiated.is_invitation());
        assert!(Selection::Unstated.is_invitation());
    }

    /// The baseline mechanism in miniature: 4 random invitations (2 answered:
    /// csat 5 and 3), 3 agent-selected (3 answered: 5, 5, 4), 2 customer-initiated
    /// feedback rows (both answered: 1, 2).
    fn mixed() -> SampleTally {
        let mut t = SampleTally::default();
        for (s, r, c, n) in [
            (Selection::Random, true, Some(5), Some(10)),
            (Selection::Random, true, Some(3), Some(6)),
            (Selection::Random, false, None, None),
            (Selection::Random, false, None, None),
            (Selection::AgentSelected, true, Some(5), Some(10)),
            (Selection::AgentSelected, true, Some(5), Some(9)),
            (Selection::AgentSelected, true, Some(4), Some(8)),
            (Selection::CustomerInitiated, true, Some(1), Some(0)),
            (Selection::CustomerInitiated, true, Some(2), Some(3)),
        ] {
            t.add(s, r, c, n);
        }
        t
    }

    #[test]
    fn the_sample_is_random_and_census_when_there_is_one() {
        let t = mixed();
        assert_eq!(t.basis(), SampleBasis::Probability);
        // Random only: top-2 1 of 2 = 0.5; NPS promoters 1, detractors 1 of 2 = 0;
        // response rate 2 completes / 4 invitations = 0.5.
        assert_eq!(t.csat_top2(), Some(0.5));
        assert_eq!(t.nps(), Some(0.0));
        assert_eq!(t.response_rate(), Some(0.5));
        // Mixing everything in would give top-2 (1 + 3 + 0) / 7 = 0.571: not the figure.
        assert_eq!(t.csat_top2_of(&[Selection::AgentSelected]), Some(1.0));
        assert_eq!(t.csat_top2_of(&[Selection::CustomerInitiated]), Some(0.0));
    }

    #[test]
    fn without_random_invitations_all_invitations_are_a_flagged_biased_sample() {
        let mut t = mixed();
        t.by_method[index(Selection::Random)] = MethodTally::default();
        assert_eq!(t.basis(), SampleBasis::Biased);
        assert!(t.basis().flag().unwrap().starts_with("biased sample"));
        // Agent-selected 3 of 3 top-2 = 1.0; customer-initiated feedback stays out
        // (with it: 3 / 5 = 0.6). Response rate 3 / 3 = 1.0 (not 5 / 5).
        assert_eq!(t.csat_top2(), Some(1.0));
        assert_eq!(t.response_rate(), Some(1.0));
        // NPS: promoters 2 (10, 9), detractors 0 of 3 -> 66.67 points.
        assert!((t.nps().unwrap() - 200.0 / 3.0).abs() < 1e-9);
        assert_eq!(SampleTally::default().csat_top2(), None);
    }
}
