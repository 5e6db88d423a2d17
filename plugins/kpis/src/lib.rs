//! KPIs from canonical tables.
