//! The planning plugin (in progress).
