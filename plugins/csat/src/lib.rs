//! The csat plugin (in progress).
