//! The performance plugin (in progress).
