//! Loading a plugin library: probe, handshake, descriptor. Libraries are
//! never unloaded (their code may still be referenced by Arrow release
//! callbacks), so each `Library` is leaked on purpose.
//!
//! Under process isolation the host never loads a library itself: the
//! handshake runs in a child, which sends back the descriptor's text, and
//! each evaluation loads the library again in its own child. A plugin built
//! into the executable goes the same way, its init called instead of a
//! library loaded; it is used only when no library has its name.

use std::ffi::c_void;
use std::path::{Path, PathBuf};

use cxaudit_plugin_abi as abi;
use cxaudit_plugin_sdk::Manifest;
use cxaudit_plugin_sdk::export::read_str_ref;
use serde::{Deserialize, Serialize};

use super::builtin::BuiltIn;
use super::child::{ChildFailure, run_in_child};
use super::discovery::{PluginSources, discover};
use super::program::{PLUGIN_FILE, PROTOCOL, Program};
use super::{Isolation, PluginError};
use crate::hashing::sha256_file;

/// An evaluator of a loaded plugin.
#[derive(Debug, Clone)]
pub struct LoadedEvaluator {
    /// Name within the plugin.
    pub name: String,
    /// What it needs and produces.
    pub manifest: Manifest,
    /// Where to call it in this process; `None` when the library was only
    /// described by a child (process isolation).
    pub(crate) entry: Option<EntryPoint>,
}

/// An evaluator's entry point in a library loaded into this process.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntryPoint {
    pub(crate) context: *const c_void,
    pub(crate) evaluate: abi::EvaluateFn,
}

// SAFETY: the context points to immutable, 'static plugin state, and the
// SDK's evaluate entry point may be called from any thread.
unsafe impl Send for EntryPoint {}
// SAFETY: as above.
unsafe impl Sync for EntryPoint {}

/// A plugin that passed the handshake.
#[derive(Debug, Clone, Serialize)]
pub struct LoadedPlugin {
    /// Plugin name.
    pub name: String,
    /// Plugin version.
    pub version: String,
    /// ABI version, `major.minor`.
    pub abi_version: String,
    /// SDK version it was built with.
    pub sdk_version: String,
    /// sha256 of the library file (of the executable, for a built-in).
    pub sha256: String,
    /// Where it was loaded from (the running executable, for a built-in).
    pub path: PathBuf,
    /// Its entry points when it is built into the executable (listed as
    /// `built_in: true`); `None` for a library.
    #[serde(rename = "built_in", serialize_with = "serialize_built_in")]
    pub built_in: Option<BuiltIn>,
    /// The program that runs it, for an executable plugin (`path` is then
    /// its `cxaudit-plugin.toml`, `sha256` over the files of its folder).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<Program>,
    /// Its evaluators.
    #[serde(serialize_with = "serialize_evaluators")]
    pub evaluators: Vec<LoadedEvaluator>,
}

fn serialize_built_in<S: serde::Serializer>(b: &Option<BuiltIn>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(b.is_some())
}

fn serialize_evaluators<S: serde::Serializer>(
    evs: &[LoadedEvaluator],
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct View<'a> {
        name: &'a str,
        #[serde(flatten)]
        manifest: &'a Manifest,
    }
    s.collect_seq(evs.iter().map(|e| View {
        name: &e.name,
        manifest: &e.manifest,
    }))
}

/// A library that was found but not used, and why.
#[derive(Debug, Clone, Serialize)]
pub struct RefusedPlugin {
    /// The library.
    pub path: PathBuf,
    /// Why it was refused.
    pub reason: String,
}

/// The plugins of a run (by default none, under the default isolation).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// Plugins that passed the handshake, in discovery order.
    pub plugins: Vec<LoadedPlugin>,
    /// Libraries refused, with the reason.
    pub refused: Vec<RefusedPlugin>,
    /// Built-in plugins not used because a library of the same name was
    /// loaded (their names; not a refusal).
    pub shadowed: Vec<String>,
    /// Where plugin code runs.
    pub isolation: Isolation,
    /// The folders searched, for messages when nothing was found.
    pub searched: Vec<PathBuf>,
}

impl Registry {
    /// Discovers every plugin from `sources` and makes the handshake with
    /// each, in a child process or in this one as `isolation` says. A
    /// library that fails is refused with its reason; the others load.
    /// Then each built-in plugin of `sources` whose name no loaded library
    /// has.
    pub fn load(sources: &PluginSources, isolation: Isolation) -> Self {
        let mut registry = Registry {
            plugins: Vec::new(),
            refused: Vec::new(),
            shadowed: Vec::new(),
            isolation,
            searched: sources.folders(),
        };
        registry.load_libraries(sources);
        registry.load_builtins(&sources.builtins);
        registry
    }

    /// The libraries on disk, in discovery order: each hashed, then the
    /// handshakes with those not reached before (a link, a copy), several
    /// at a time under process isolation (each in its own child); the
    /// plugins and refusals are recorded in discovery order all the same.
    fn load_libraries(&mut self, sources: &PluginSources) {
        let cores = crate::parallel::cores();
        let paths = discover(sources);
        let hashed = crate::parallel::map_in_order(&paths, cores, |path| sha256_file(path), |_| {});
        let mut seen_files: Vec<(PathBuf, String)> = Vec::new();
        let mut unique: Vec<(PathBuf, String)> = Vec::new();
        for (path, sha) in paths.into_iter().zip(hashed) {
            let sha = match sha {
                Ok(s) => s,
                Err(e) => {
                    self.refused.push(RefusedPlugin {
                        path,
                        reason: format!("cannot read: {e}"),
                    });
                    continue;
                }
            };
            let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
            if seen_files.iter().any(|(p, h)| p == &canonical || h == &sha) {
                continue; // the same library reached twice (a link, a copy)
            }
            seen_files.push((canonical, sha.clone()));
            unique.push((path, sha));
        }
        let isolation = self.isolation;
        // A library loaded into this process runs its initialisation here:
        // one at a time, as a plugin author would expect.
        let workers = match isolation {
            Isolation::Process(_) => cores,
            Isolation::None => 1,
        };
        let loaded = crate::parallel::map_in_order(
            &unique,
            workers,
            |(path, sha)| {
                if path.file_name().is_some_and(|n| n == PLUGIN_FILE) {
                    describe_program(path, isolation)
                } else {
                    handshake(path, sha.clone(), None, isolation)
                }
            },
            |_| {},
        );
        for ((path, _), loaded) in unique.into_iter().zip(loaded) {
            match loaded {
                Ok(plugin) => {
                    if let Some(first) = self.plugins.iter().find(|p| p.name == plugin.name) {
                        let reason = format!(
                            "another plugin named `{}` was loaded first, from {}",
                            plugin.name,
                            first.path.display()
                        );
                        self.refused.push(RefusedPlugin { path, reason });
                    } else {
                        self.plugins.push(plugin);
                    }
                }
                Err(reason) => self.refused.push(RefusedPlugin { path, reason }),
            }
        }
    }

    /// The built-in plugins no library shadows, recorded as the running
    /// executable: its path, and its sha256 (hashed only when one is used).
    fn load_builtins(&mut self, builtins: &[BuiltIn]) {
        if builtins.is_empty() {
            return;
        }
        let exe = match std::env::current_exe() {
            Ok(exe) => exe,
            Err(e) => {
                let reason = format!("built-in plugins: cannot find the running executable: {e}");
                self.refused.push(RefusedPlugin {
                    path: PathBuf::new(),
                    reason,
                });
                return;
            }
        };
        let mut sha: Option<Result<String, String>> = None;
        for &builtin in builtins {
            if self.plugin(builtin.name).is_some() {
                // A library of its name was loaded: no handshake needed.
                self.shadowed.push(builtin.name.to_owned());
                continue;
            }
            let refused = match handshake(&exe, String::new(), Some(builtin), self.isolation) {
                Ok(plugin) if self.plugin(&plugin.name).is_some() => {
                    self.shadowed.push(plugin.name);
                    continue;
                }
                Ok(plugin) => match sha.get_or_insert_with(|| hash_executable(&exe)) {
                    Ok(sha256) => {
                        let sha256 = sha256.clone();
                        self.plugins.push(LoadedPlugin { sha256, ..plugin });
                        continue;
                    }
                    Err(reason) => reason.clone(),
                },
                Err(reason) => reason,
            };
            self.refused.push(RefusedPlugin {
                path: exe.clone(),
                reason: format!("built-in plugin: {refused}"),
            });
        }
    }

    /// A plugin by name.
    pub fn plugin(&self, name: &str) -> Option<&LoadedPlugin> {
        self.plugins.iter().find(|p| p.name == name)
    }

    /// An evaluator by plugin and name, or why it is not available.
    pub fn evaluator(&self, plugin: &str, name: &str) -> Result<&LoadedEvaluator, String> {
        let Some(p) = self.plugin(plugin) else {
            let refused: Vec<String> = self
                .refused
                .iter()
                .map(|r| format!("{} ({})", r.path.display(), r.reason))
                .collect();
            let mut why = format!("no plugin named `{plugin}` is loaded");
            if !refused.is_empty() {
                why.push_str(&format!("; refused libraries: {}", refused.join("; ")));
            }
            return Err(why);
        };
        p.evaluators.iter().find(|e| e.name == name).ok_or_else(|| {
            let names: Vec<&str> = p.evaluators.iter().map(|e| e.name.as_str()).collect();
            format!(
                "plugin `{plugin}` has no evaluator `{name}` (it has: {})",
                names.join(", ")
            )
        })
    }
}

/// The handshake with one library (or built-in plugin, whose record is
/// `path`), in a child process (whose crash or output cannot reach the
/// host) or in this one.
fn handshake(
    path: &Path,
    sha256: String,
    built_in: Option<BuiltIn>,
    isolation: Isolation,
) -> Result<LoadedPlugin, String> {
    let limits = match isolation {
        Isolation::None => return load_plugin(path, sha256, built_in).map_err(|e| e.to_string()),
        Isolation::Process(limits) => limits,
    };
    let run = run_in_child(limits, || {
        load_in_child(path, built_in).map(|p| Description::of(&p))
    });
    match run.answer {
        Ok(Ok(description)) => Ok(description.into_plugin(path, sha256, built_in)),
        Ok(Err(e)) => Err(e.to_string()),
        Err(failure) => Err(load_failure(&failure, run.output.last_line())),
    }
}

fn load_failure(failure: &ChildFailure, last_line: Option<String>) -> String {
    with_last_line(
        format!("loading it in a child process failed: the process {failure}"),
        last_line,
    )
}

/// What the handshake learns of a library, as a child sends it back.
#[derive(Debug, Serialize, Deserialize)]
struct Description {
    name: String,
    version: String,
    abi_version: String,
    sdk_version: String,
    evaluators: Vec<(String, Manifest)>,
}

impl Description {
    fn of(p: &LoadedPlugin) -> Self {
        Description {
            name: p.name.clone(),
            version: p.version.clone(),
            abi_version: p.abi_version.clone(),
            sdk_version: p.sdk_version.clone(),
            evaluators: p
                .evaluators
                .iter()
                .map(|e| (e.name.clone(), e.manifest.clone()))
                .collect(),
        }
    }

    fn into_plugin(self, path: &Path, sha256: String, built_in: Option<BuiltIn>) -> LoadedPlugin {
        LoadedPlugin {
            name: self.name,
            version: self.version,
            abi_version: self.abi_version,
            sdk_version: self.sdk_version,
            sha256,
            path: path.to_path_buf(),
            built_in,
            program: None,
            evaluators: self
                .evaluators
                .into_iter()
                .map(|(name, manifest)| LoadedEvaluator {
                    name,
                    manifest,
                    entry: None,
                })
                .collect(),
        }
    }
}

/// The handshake with an executable plugin: its `cxaudit-plugin.toml` read,
/// its folder's files hashed, and the program asked to describe itself, in
/// a child process (within the limits, its output captured) or directly.
fn describe_program(path: &Path, isolation: Isolation) -> Result<LoadedPlugin, String> {
    let program = Program::read(path)?;
    let sha256 = program.fingerprint()?;
    let described = match isolation {
        Isolation::None => program.describe()?,
        Isolation::Process(limits) => {
            let run = run_in_child(limits, || program.describe());
            match run.answer {
                Ok(Ok(described)) => described,
                Ok(Err(why)) => return Err(with_last_line(why, run.output.last_line())),
                Err(failure) => return Err(load_failure(&failure, run.output.last_line())),
            }
        }
    };
    check_plugin_name(&described.name)?;
    Ok(LoadedPlugin {
        name: described.name,
        version: described.version,
        abi_version: format!("protocol {PROTOCOL}"),
        sdk_version: described.sdk_version,
        sha256,
        path: path.to_path_buf(),
        built_in: None,
        program: Some(program),
        evaluators: described
            .evaluators
            .into_iter()
            .map(|e| LoadedEvaluator {
                name: e.name,
                manifest: e.manifest,
                entry: None,
            })
            .collect(),
    })
}

/// A plugin name as packs write it before the `/` of `plugin/evaluator`.
fn check_plugin_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.contains('/') {
        return Err(format!("invalid plugin name `{name}`"));
    }
    Ok(())
}

/// `why`, followed by the last line the plugin printed, if any.
pub(crate) fn with_last_line(why: String, last_line: Option<String>) -> String {
    match last_line {
        Some(line) => format!("{why}; its last output: {line}"),
        None => why,
    }
}

/// The sha256 of the running executable, a built-in plugin's record.
fn hash_executable(exe: &Path) -> Result<String, String> {
    sha256_file(exe).map_err(|e| format!("cannot read {}: {e}", exe.display()))
}

/// Loads a plugin into this process: the library at `path`, or the
/// built-in plugin (recorded as `path`).
pub(crate) fn load_plugin(
    path: &Path,
    sha256: String,
    built_in: Option<BuiltIn>,
) -> Result<LoadedPlugin, PluginError> {
    match built_in {
        None => load_library(path, sha256),
        Some(b) => {
            let plugin = from_entry_points(path, sha256, b.probe, || Ok(b.init))?;
            Ok(LoadedPlugin {
                built_in: Some(b),
                ..plugin
            })
        }
    }
}

/// Loads a plugin in a child process. A built-in plugin gets the SDK's
/// quiet panic hook there, as a library's own copy of `std` does (never in
/// the host, whose hook stays its own).
pub(crate) fn load_in_child(
    path: &Path,
    built_in: Option<BuiltIn>,
) -> Result<LoadedPlugin, PluginError> {
    if built_in.is_some() {
        cxaudit_plugin_sdk::export::install_quiet_panic_hook();
    }
    load_plugin(path, String::new(), built_in)
}

/// Loads one library into this process: probe, version check, init,
/// descriptors.
pub fn load_library(path: &Path, sha256: String) -> Result<LoadedPlugin, PluginError> {
    let invalid = |reason: String| PluginError::Invalid {
        path: path.display().to_string(),
        reason,
    };
    // SAFETY: loading a library runs its initialisers; plugins are trusted
    // code chosen by the user, as documented.
    let library = unsafe { libloading::Library::new(path) }
        .map_err(|e| invalid(format!("cannot load library: {e}")))?;
    let library: &'static libloading::Library = Box::leak(Box::new(library));

    // SAFETY: the probe's signature never changes across ABI versions.
    let probe = unsafe { library.get::<abi::ProbeFn>(abi::PROBE_SYMBOL) }.map_err(|_| {
        invalid("not a cxaudit plugin (no `cxaudit_plugin_abi_version` symbol)".into())
    })?;
    from_entry_points(path, sha256, *probe, || {
        // SAFETY: the major version matches, so the init symbol has this shape.
        unsafe { library.get::<abi::InitFn>(abi::INIT_SYMBOL) }
            .map(|init| *init)
            .map_err(|_| invalid("no `cxaudit_plugin_init` symbol".into()))
    })
}

/// The handshake with a plugin's entry points, in this process: the version
/// check, then (only when it passes) `init` is found and called, and the
/// descriptor checked and read. `path` names the plugin in errors and in
/// the result.
fn from_entry_points(
    path: &Path,
    sha256: String,
    probe: abi::ProbeFn,
    find_init: impl FnOnce() -> Result<abi::InitFn, PluginError>,
) -> Result<LoadedPlugin, PluginError> {
    let shown = path.display().to_string();
    let invalid = |reason: String| PluginError::Invalid {
        path: shown.clone(),
        reason,
    };
    // SAFETY: calling the probe as its fixed signature says.
    let packed = unsafe { probe() };
    let (major, minor) = abi::unpack_version(packed);
    if major != abi::ABI_VERSION_MAJOR || minor > abi::ABI_VERSION_MINOR {
        return Err(PluginError::AbiMismatch {
            path: shown,
            plugin_major: major,
            plugin_minor: minor,
            host_major: abi::ABI_VERSION_MAJOR,
            host_minor: abi::ABI_VERSION_MINOR,
        });
    }
    let init = find_init()?;
    // SAFETY: the major version matches, so init has this shape.
    let descriptor = unsafe { init() };
    if descriptor.is_null() {
        return Err(invalid(
            "init returned no descriptor (the plugin failed to start)".into(),
        ));
    }
    // SAFETY: non-null, static in the plugin, ABI-compatible major version.
    let d = unsafe { &*descriptor };
    if d.struct_size < size_of::<abi::PluginDescriptor>() {
        return Err(invalid(format!(
            "descriptor is {} bytes, ABI {}.{} needs at least {}",
            d.struct_size,
            major,
            minor,
            size_of::<abi::PluginDescriptor>()
        )));
    }
    let text = |s: abi::StrRef, what: &str| -> Result<String, PluginError> {
        // SAFETY: descriptor strings are static in the plugin.
        unsafe { read_str_ref(s) }
            .map(str::to_owned)
            .map_err(|e| invalid(format!("{what} is not UTF-8: {e}")))
    };
    let name = text(d.name, "plugin name")?;
    check_plugin_name(&name).map_err(invalid)?;
    let mut evaluators = Vec::with_capacity(d.evaluator_count);
    let stride = if d.evaluator_count == 0 {
        0 // the array is never read (and may be null)
    } else {
        // SAFETY: the descriptor (static in the plugin, ABI-compatible major
        // version) promises `evaluator_count` entries at `evaluators`, and
        // there is at least one.
        unsafe { evaluator_stride(d.evaluators) }
    };
    let base = d.evaluators as *const u8;
    for i in 0..d.evaluator_count {
        // SAFETY: `i < evaluator_count`; the entries are static in the plugin,
        // `stride` bytes apart (the plugin's `struct_size`, which a plugin of
        // this major version makes at least the size this host reads; each
        // entry's own size is checked below before its fields are used).
        let e = unsafe { &*(base.add(i * stride) as *const abi::EvaluatorDescriptor) };
        if e.struct_size < size_of::<abi::EvaluatorDescriptor>() {
            return Err(invalid(format!(
                "evaluator descriptor {i} is too small ({} bytes)",
                e.struct_size
            )));
        }
        let ev_name = text(e.name, "evaluator name")?;
        let manifest_json = text(e.manifest_json, "manifest")?;
        let manifest: Manifest = serde_json::from_str(&manifest_json).map_err(|err| {
            invalid(format!(
                "evaluator `{ev_name}` has an unreadable manifest: {err}"
            ))
        })?;
        evaluators.push(LoadedEvaluator {
            name: ev_name,
            manifest,
            entry: Some(EntryPoint {
                context: e.context,
                evaluate: e.evaluate,
            }),
        });
    }
    Ok(LoadedPlugin {
        name,
        version: text(d.version, "plugin version")?,
        abi_version: format!("{major}.{minor}"),
        sdk_version: text(d.sdk_version, "SDK version")?,
        sha256,
        path: path.to_path_buf(),
        built_in: None,
        program: None,
        evaluators,
    })
}

/// The stride of the evaluator array: the `struct_size` of its first entry,
/// at least the size of the descriptor this host knows.
///
/// # Safety
///
/// `first` must point to a readable, aligned evaluator descriptor (its first
/// field, `struct_size`, is read), i.e. the array must have at least one entry.
unsafe fn evaluator_stride(first: *const abi::EvaluatorDescriptor) -> usize {
    // SAFETY: the caller guarantees `first` points to a readable, aligned
    // descriptor; only its first field, a `usize` in every ABI version, is read.
    let size = unsafe { (*first).struct_size };
    size.max(size_of::<abi::EvaluatorDescriptor>())
}
