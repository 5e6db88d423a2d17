//! The crate boundaries of ARCHITECTURE.md, checked on the manifests so a
//! dependency that crosses one fails here: the model depends on no other
//! crate of the workspace, the reports on the model alone, the engine
//! library not on the synthetic centre nor on the reports.

use std::collections::BTreeSet;

use cxaudit_tests::root;

/// The workspace crates a member depends on (normal dependencies).
fn workspace_deps(member: &str) -> BTreeSet<String> {
    let path = root().join(member).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let manifest: toml::Table = toml::from_str(&text).unwrap();
    let mut deps = BTreeSet::new();
    let mut add = |table: Option<&toml::Value>| {
        for (name, _) in table.and_then(|v| v.as_table()).into_iter().flatten() {
            if name == "cxaudit" || name.starts_with("cxaudit-") {
                deps.insert(name.clone());
            }
        }
    };
    add(manifest.get("dependencies"));
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        for (_, t) in targets {
            add(t.get("dependencies"));
        }
    }
    deps
}

#[test]
fn the_model_stands_alone() {
    assert!(
        workspace_deps("model").is_empty(),
        "{:?}",
        workspace_deps("model")
    );
}

#[test]
fn reports_read_only_the_model() {
    assert_eq!(
        workspace_deps("reports"),
        BTreeSet::from(["cxaudit-model".to_owned()])
    );
}

#[test]
fn the_engine_library_links_neither_synth_nor_reports() {
    let deps = workspace_deps("engine");
    for forbidden in [
        "cxaudit-synth",
        "cxaudit-reports",
        "cxaudit-kpis",
        "cxaudit-metrics",
    ] {
        assert!(!deps.contains(forbidden), "engine depends on {forbidden}");
    }
}

#[test]
fn plugins_see_the_engine_only_through_the_sdk() {
    for plugin in ["planning", "csat", "workforce", "people", "performance"] {
        let deps = workspace_deps(&format!("plugins/{plugin}"));
        for forbidden in ["cxaudit", "cxaudit-reports", "cxaudit-synth"] {
            assert!(!deps.contains(forbidden), "{plugin} depends on {forbidden}");
        }
    }
}
