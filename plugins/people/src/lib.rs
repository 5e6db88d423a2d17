//! The people plugin (in progress).
