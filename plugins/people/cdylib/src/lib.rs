//! The `people` plugin as a shared library (`libcxaudit_plugin_people.so` and
//! the like): the C ABI's symbols, exported from the entry points of
//! `cxaudit-people`, which holds the evaluators and is also built into the
//! `cxaudit` binary.

cxaudit_plugin_sdk::export_plugin!(entry: cxaudit_people);
