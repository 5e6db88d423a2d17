//! A low-cardinality string column's batch as it is built: each distinct
//! value once, in the order first seen, and each row a code into them (the
//! Arrow dictionary of `Int32` codes the plugins read).
//!
//! Such a column holds a handful of values (channels, queues, reasons), so a
//! value is found by comparing it with each one so far; past
//! [`SCAN_LIMIT`] distinct values (agents, say) a hash index takes over.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, Int32Builder};
use arrow_array::types::Int32Type;
use arrow_array::{DictionaryArray, StringArray};
use arrow_schema::ArrowError;

/// Distinct values up to which a value is found by comparison.
const SCAN_LIMIT: usize = 16;

/// The batch of one low-cardinality string column being built.
#[derive(Default)]
pub(super) struct CodesBuilder {
    /// Each row's code, or null.
    codes: Int32Builder,
    /// The distinct values, in the order first seen.
    values: Vec<Box<str>>,
    /// Each value's [`Probe`], while values are found by comparison.
    probes: Vec<Probe>,
    /// Each value's code, once there are more than [`SCAN_LIMIT`] values.
    index: HashMap<Box<str>, i32, ahash::RandomState>,
}

impl CodesBuilder {
    /// An empty column with room for `rows` rows.
    pub(super) fn with_capacity(rows: usize) -> Self {
        CodesBuilder {
            codes: Int32Builder::with_capacity(rows),
            ..CodesBuilder::default()
        }
    }

    /// Rows in the batch.
    pub(super) fn len(&self) -> usize {
        self.codes.len()
    }

    /// Appends a row holding `value`.
    pub(super) fn append_value(&mut self, value: &str) {
        let code = self.code(value);
        self.codes.append_value(code);
    }

    /// Appends a row without a value.
    pub(super) fn append_null(&mut self) {
        self.codes.append_null();
    }

    /// The code of `value`, added to the values if it is new. A batch has
    /// at most `BATCH_ROWS` rows, so codes fit an `i32`.
    fn code(&mut self, value: &str) -> i32 {
        let found = if self.index.is_empty() {
            let probe = Probe::of(value);
            // Values of eight bytes or fewer are equal when their probes are.
            self.probes
                .iter()
                .zip(&self.values)
                .position(|(p, v)| *p == probe && (value.len() <= 8 || **v == *value))
        } else {
            self.index.get(value).map(|&code| code as usize)
        };
        if let Some(code) = found {
            return code as i32;
        }
        let code = self.values.len() as i32;
        self.values.push(value.into());
        self.probes.push(Probe::of(value));
        if self.values.len() > SCAN_LIMIT {
            if self.index.is_empty() {
                let codes = (0..).zip(&self.values).map(|(c, v)| (v.clone(), c));
                self.index.extend(codes);
            } else {
                self.index.insert(value.into(), code);
            }
        }
        code
    }

    /// The batch's column; the builder starts the next batch empty, with
    /// room for as many rows.
    pub(super) fn finish(&mut self) -> Result<DictionaryArray<Int32Type>, ArrowError> {
        let rows = self.codes.len();
        // Room for as many codes in the next batch (no regrowing).
        let codes = std::mem::replace(&mut self.codes, Int32Builder::with_capacity(rows)).finish();
        let values = StringArray::from_iter_values(self.values.drain(..));
        self.probes.clear();
        self.index.clear();
        DictionaryArray::try_new(codes, Arc::new(values))
    }
}

/// A value's length and up to eight of its bytes, which tell a value of
/// eight bytes or fewer from every other value of its length: most values
/// of a low-cardinality column (channels, queues, reason codes) differ in
/// them, so the scan tells a value from the others without a call to
/// compare their bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Probe {
    len: usize,
    head: u64,
}

impl Probe {
    /// The probe of `value`, read with at most two loads: the first eight
    /// bytes; or, of a shorter value, its first and last four (overlapping
    /// below eight) or its first, middle and last byte, which together are
    /// every byte of it. (Copying a short value into an eight-byte buffer
    /// and reading the buffer back stalls: the read cannot be forwarded
    /// from the copy's narrower stores.)
    fn of(value: &str) -> Self {
        let b = value.as_bytes();
        let len = b.len();
        let head = match len {
            8.. => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            4..=7 => {
                let first = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                let last = u32::from_le_bytes([b[len - 4], b[len - 3], b[len - 2], b[len - 1]]);
                u64::from(first) | u64::from(last) << 32
            }
            1..=3 => u64::from(b[0]) | u64::from(b[len / 2]) << 8 | u64::from(b[len - 1]) << 16,
            0 => 0,
        };
        Probe { len, head }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::builder::StringDictionaryBuilder;
    use proptest::prelude::*;

    /// Two values of eight bytes or fewer have the same probe only when
    /// they are equal (every string of up to 7 bytes over an alphabet that
    /// includes a zero byte, and 8-byte ones sharing 7 bytes).
    #[test]
    fn short_values_have_probes_of_their_own() {
        let alphabet = ["a", "b", "\0"];
        let mut values = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..7 {
            last = last
                .iter()
                .flat_map(|v| alphabet.iter().map(move |c| format!("{v}{c}")))
                .collect();
            values.extend(last.iter().cloned());
        }
        values.extend(["abcdefgh", "abcdefgi", "bbcdefgh", "abcdefg\0"].map(String::from));
        let mut probes = std::collections::HashMap::new();
        for v in &values {
            if let Some(other) = probes.insert(Probe::of(v), v) {
                panic!("{other:?} and {v:?} have the same probe");
            }
        }
        assert_eq!(probes.len(), values.len());
        // Longer values keep their first eight bytes.
        assert_eq!(
            Probe::of("abcdefghXYZ").head,
            u64::from_le_bytes(*b"abcdefgh")
        );
    }

    proptest! {
        /// The same column as Arrow's own dictionary builder makes: values
        /// in the order first seen, the same codes and nulls, across
        /// batches, with few values and with more than the scan limit.
        #[test]
        fn codes_are_those_of_arrows_dictionary_builder(
            batches in proptest::collection::vec(
                proptest::collection::vec(proptest::option::of(0u8..40), 0..120), 1..4),
        ) {
            let mut ours = CodesBuilder::default();
            let mut arrows = StringDictionaryBuilder::<Int32Type>::new();
            for rows in batches {
                for row in rows {
                    match row {
                        Some(v) => {
                            // Short values, and long ones sharing their first
                            // eight bytes.
                            let value = match v % 3 {
                                0 => format!("long-prefix-{}", v % 24),
                                _ => format!("v{}", v % 24),
                            };
                            ours.append_value(&value);
                            arrows.append_value(&value);
                        }
                        None => {
                            ours.append_null();
                            arrows.append_null();
                        }
                    }
                }
                let (got, expected) = (ours.finish().unwrap(), arrows.finish());
                prop_assert_eq!(got.keys(), expected.keys());
                prop_assert_eq!(got.values().to_data(), expected.values().to_data());
            }
        }
    }
}
