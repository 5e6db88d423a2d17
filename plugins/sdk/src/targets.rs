//! Whose KPI target a criterion judges: the vocabulary packs, evaluators and
//! the host (`cxaudit pack validate`) share.
//!
//! A criterion that judges a KPI against a target declares a
//! [`TARGET_POLICY`] parameter (see [`TargetPolicy::param`]) and marks the
//! parameter holding the pack's own target with [`ParamSpec::target_of`].

use serde::{Deserialize, Serialize};

use crate::model::ParamSpec;
use crate::params::ParamType;

/// The name of the parameter that states a criterion's target policy.
pub const TARGET_POLICY: &str = "target_policy";

/// Whose target counts when a criterion judges a KPI against a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetPolicy {
    /// The centre's documented target (`kpi_targets`); the pack's target
    /// only when the centre has none (COPC-style practice).
    #[default]
    Centre,
    /// The pack's target; the centre's only when the pack sets none.
    Pack,
    /// The stricter of the centre's and the pack's targets.
    StricterOf,
}

impl TargetPolicy {
    /// Every policy, as written in a pack.
    pub const NAMES: [&'static str; 3] = ["centre", "pack", "stricter_of"];

    /// The policy as written in a pack.
    pub fn name(self) -> &'static str {
        match self {
            TargetPolicy::Centre => "centre",
            TargetPolicy::Pack => "pack",
            TargetPolicy::StricterOf => "stricter_of",
        }
    }

    /// The policy a pack names, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "centre" => Some(TargetPolicy::Centre),
            "pack" => Some(TargetPolicy::Pack),
            "stricter_of" => Some(TargetPolicy::StricterOf),
            _ => None,
        }
    }

    /// Whose target is judged, in words a report can print after "judged
    /// against" (`centre`: "the centre's documented target, else the
    /// pack's").
    pub fn phrase(self) -> &'static str {
        match self {
            TargetPolicy::Centre => "the centre's documented target, else the pack's",
            TargetPolicy::Pack => "the pack's target, else the centre's documented one",
            TargetPolicy::StricterOf => {
                "the stricter of the centre's documented target and the pack's"
            }
        }
    }

    /// What a target policy parameter means, as its spec describes it.
    pub const DESCRIPTION: &'static str = "whose target is judged: centre (the centre's kpi_targets row, else the pack's), \
         pack (the pack's, else the centre's) or stricter_of (the stricter of the two); \
         never laxer than the laxest target the standard accepts";

    /// The `target_policy` parameter, restricted to the policies.
    pub fn param(default: TargetPolicy) -> ParamSpec {
        <TargetPolicy as ParamType>::spec(TARGET_POLICY, default)
    }
}

/// A `TargetPolicy` field of a `#[derive(Params)]` struct: a text restricted
/// to the policies' names, described as [`TargetPolicy::DESCRIPTION`].
impl ParamType for TargetPolicy {
    type Default = TargetPolicy;
    fn spec(name: &str, default: TargetPolicy) -> ParamSpec {
        ParamSpec::string(name, default.name())
            .one_of(&Self::NAMES)
            .describe(Self::DESCRIPTION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_policy_says_whose_target_is_judged() {
        assert_eq!(
            TargetPolicy::Centre.phrase(),
            "the centre's documented target, else the pack's"
        );
        assert_eq!(
            TargetPolicy::Pack.phrase(),
            "the pack's target, else the centre's documented one"
        );
        assert_eq!(
            TargetPolicy::StricterOf.phrase(),
            "the stricter of the centre's documented target and the pack's"
        );
    }

    #[test]
    fn names_round_trip_and_the_parameter_refuses_others() {
        for name in TargetPolicy::NAMES {
            assert_eq!(
                TargetPolicy::from_name(name).map(TargetPolicy::name),
                Some(name)
            );
        }
        assert_eq!(TargetPolicy::from_name("lenient"), None);
        let manifest =
            crate::Manifest::new("t").parameter(TargetPolicy::param(TargetPolicy::Centre));
        let ok = crate::params::resolve(&manifest, &serde_json::json!({"target_policy": "pack"}));
        assert!(ok.is_ok());
        let bad =
            crate::params::resolve(&manifest, &serde_json::json!({"target_policy": "lenient"}));
        assert!(bad.is_err());
    }
}
