//! The `planning` plugin as a shared library (`libcxaudit_plugin_planning.so` and
//! the like): the C ABI's symbols, exported from the entry points of
//! `cxaudit-planning`, which holds the evaluators and is also built into the
//! `cxaudit` binary.

cxaudit_plugin_sdk::export_plugin!(entry: cxaudit_planning);
