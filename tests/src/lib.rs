//! cxaudit-tests
