//! The workforce plugin (in progress).
