//! The first-party plugins built into the binary, so an installed `cxaudit`
//! (one file) runs the cx-ops pack from any folder. A library on disk of the
//! same plugin name is used instead (see `cxaudit::plugins::Registry::load`).

use cxaudit::plugins::BuiltIn;

/// The entry points of the first-party plugins.
pub fn builtins() -> Vec<BuiltIn> {
    vec![
        BuiltIn {
            name: cxaudit_planning::NAME,
            probe: cxaudit_planning::abi_version,
            init: cxaudit_planning::init,
        },
        BuiltIn {
            name: cxaudit_csat::NAME,
            probe: cxaudit_csat::abi_version,
            init: cxaudit_csat::init,
        },
        BuiltIn {
            name: cxaudit_workforce::NAME,
            probe: cxaudit_workforce::abi_version,
            init: cxaudit_workforce::init,
        },
        BuiltIn {
            name: cxaudit_people::NAME,
            probe: cxaudit_people::abi_version,
            init: cxaudit_people::init,
        },
        BuiltIn {
            name: cxaudit_performance::NAME,
            probe: cxaudit_performance::abi_version,
            init: cxaudit_performance::init,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use cxaudit::plugins::{ChildLimits, Isolation, PluginSources, Registry};
    use cxaudit_plugin_sdk::export::read_str_ref;

    const NAMES: [&str; 5] = ["planning", "csat", "workforce", "people", "performance"];

    /// Each built-in's init is its own: linking several plugins into one
    /// binary must not resolve their entry points to one address.
    #[test]
    fn each_built_in_init_describes_its_own_plugin() {
        for (builtin, expected) in builtins().iter().zip(NAMES) {
            // SAFETY: the SDK's entry points, called as their signatures say.
            let (version, descriptor) = unsafe { ((builtin.probe)(), (builtin.init)()) };
            assert_eq!(version, cxaudit_plugin_sdk::abi::ABI_VERSION);
            assert!(!descriptor.is_null(), "{expected}: no descriptor");
            // SAFETY: non-null, static in the plugin; its name is static text.
            let name = unsafe { read_str_ref((*descriptor).name) }.unwrap();
            assert_eq!(name, expected);
        }
    }

    /// With no plugin folder at all, the registry holds the five built-ins,
    /// each recorded as the running executable, in a child process and in
    /// this one.
    #[test]
    fn without_any_folder_the_five_built_ins_load() {
        let exe = std::env::current_exe().unwrap();
        let sha256 = cxaudit::hashing::sha256_file(&exe).unwrap();
        let sources = PluginSources::only(Vec::new()).with_builtins(builtins());
        let limits = ChildLimits {
            timeout: cxaudit::plugins::DEFAULT_TIMEOUT,
            memory: None,
        };
        for isolation in [Isolation::Process(limits), Isolation::None] {
            let registry = Registry::load(&sources, isolation);
            assert!(registry.refused.is_empty(), "{:?}", registry.refused);
            assert!(registry.shadowed.is_empty());
            let names: Vec<&str> = registry.plugins.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(names, NAMES);
            for p in &registry.plugins {
                assert!(p.built_in.is_some(), "{}", p.name);
                assert_eq!(p.path, exe);
                assert_eq!(p.sha256, sha256);
                assert!(!p.evaluators.is_empty(), "{}", p.name);
            }
        }
    }
}
