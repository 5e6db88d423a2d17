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
        for member in [
            format!("plugins/{plugin}"),
            format!("plugins/{plugin}/cdylib"),
        ] {
            let deps = workspace_deps(&member);
            for forbidden in ["cxaudit", "cxaudit-reports", "cxaudit-synth"] {
                assert!(!deps.contains(forbidden), "{member} depends on {forbidden}");
            }
        }
    }
}

/// The first-party plugins' crates the binary links export no C symbol
/// (one `no_mangle` name per executable: two would resolve to one address);
/// only their thin library crates do.
#[test]
fn only_the_library_crates_of_the_first_party_plugins_export_symbols() {
    for plugin in ["planning", "csat", "workforce", "people", "performance"] {
        let read = |file: &str| {
            std::fs::read_to_string(root().join("plugins").join(plugin).join(file)).unwrap()
        };
        let evaluators = read("src/lib.rs");
        assert!(evaluators.contains("plugin_entry!("), "{plugin}");
        assert!(!evaluators.contains("export_plugin!"), "{plugin}");
        let library = read("cdylib/src/lib.rs");
        assert!(
            library.contains(&format!("export_plugin!(entry: cxaudit_{plugin})")),
            "{plugin}"
        );
    }
}

/// A dependency's version, `default-features` and sorted features.
fn dependency_spec(spec: &toml::Value) -> (Option<String>, bool, Vec<String>) {
    match spec {
        toml::Value::String(version) => (Some(version.clone()), true, Vec::new()),
        toml::Value::Table(t) => {
            let mut features: Vec<String> = t
                .get("features")
                .and_then(|f| f.as_array())
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect();
            features.sort();
            (
                t.get("version").and_then(|v| v.as_str()).map(str::to_owned),
                t.get("default-features")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(true),
                features,
            )
        }
        other => panic!("a dependency written as {other}"),
    }
}

/// The SDK and the crates it depends on build outside the workspace: their
/// manifests inherit nothing from it, and state its package values and its
/// dependency versions and features (so the lock file and the builds stay
/// the workspace's).
#[test]
fn the_sdk_and_its_crates_are_standalone_with_the_workspace_values() {
    let text = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let workspace: toml::Table = toml::from_str(&text).unwrap();
    let package = &workspace["workspace"]["package"];
    let dependencies = &workspace["workspace"]["dependencies"];
    for member in ["plugins/sdk", "plugins/sdk-derive", "plugins/abi", "model"] {
        let text = std::fs::read_to_string(root().join(member).join("Cargo.toml")).unwrap();
        assert!(
            !text.contains("workspace = true") && !text.contains(".workspace"),
            "{member}/Cargo.toml inherits from the workspace"
        );
        let manifest: toml::Table = toml::from_str(&text).unwrap();
        for key in ["version", "edition", "license", "rust-version"] {
            assert_eq!(
                manifest["package"].get(key),
                package.get(key),
                "{member}: package.{key}"
            );
        }
        for key in ["description", "readme", "documentation"] {
            assert!(
                manifest["package"].get(key).is_some(),
                "{member}: package.{key} is missing"
            );
        }
        assert!(root().join(member).join("README.md").is_file(), "{member}");
        let empty = toml::Table::new();
        let own = manifest
            .get("dependencies")
            .and_then(|d| d.as_table())
            .unwrap_or(&empty);
        for (name, spec) in own {
            let theirs = dependencies
                .get(name)
                .unwrap_or_else(|| panic!("{member}: `{name}` is not a workspace dependency"));
            assert_eq!(
                dependency_spec(spec),
                dependency_spec(theirs),
                "{member}: dependency `{name}` differs from the workspace's"
            );
        }
    }
}
