//! A plugin whose evaluator panics, for cxaudit's own tests: the host must
//! record an `error` finding and finish the other criteria.

use cxaudit_plugin_sdk::prelude::*;

/// Panics on every call.
pub struct Explode;

impl Evaluator for Explode {
    type Params = serde_json::Value;

    fn name(&self) -> &'static str {
        "explode"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new("Always panics (a test of panic capture).")
            .table(TableNeed::required("calls").column("call_id", ColumnType::String))
    }

    fn evaluate(&self, ctx: &Context<'_>, _: &serde_json::Value) -> Result<Evaluation, EvalError> {
        let rows = ctx.table("calls")?.num_rows();
        panic!("boom: deliberate test panic after reading {rows} rows");
    }
}

export_plugin!(name: "panicky", version: env!("CARGO_PKG_VERSION"), evaluators: [Explode]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_becomes_an_error_result() {
        let host = testing::TestHost::new().table(
            "calls",
            testing::TableBuilder::new()
                .strings("call_id", [Some("a")])
                .build(),
        );
        let e = host.run(&Explode, serde_json::json!({}));
        assert_eq!(e.status, Status::Error);
        assert!(
            e.summary
                .contains("boom: deliberate test panic after reading 1 rows"),
            "{}",
            e.summary
        );
    }
}
