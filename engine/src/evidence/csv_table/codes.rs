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
    /// Each value's code by its probe, for values of up to
    /// [`PROBED_BYTES`] (whose probes are equal only when they are), once
    /// there are more than [`SCAN_LIMIT`] values.
    index: HashMap<Probe, i32, ahash::RandomState>,
    /// Each longer value's code, once there are more than [`SCAN_LIMIT`]
    /// values.
    long_index: HashMap<Box<str>, i32, ahash::RandomState>,
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
        let probe = Probe::of(value);
        let probed = value.len() <= PROBED_BYTES;
        let found = if !self.indexed() {
            // Values of up to `PROBED_BYTES` are equal when their probes are.
            self.probes
                .iter()
                .zip(&self.values)
                .position(|(p, v)| *p == probe && (probed || **v == *value))
                .map(|code| code as i32)
        } else if probed {
            self.index.get(&probe).copied()
        } else {
            self.long_index.get(value).copied()
        };
        if let Some(code) = found {
            return code;
        }
        let code = self.values.len() as i32;
        self.values.push(value.into());
        self.probes.push(probe);
        if self.values.len() > SCAN_LIMIT {
            if self.indexed() {
                self.enter(code);
            } else {
                (0..code + 1).for_each(|code| self.enter(code));
            }
        }
        code
    }

    /// Whether values are found by the indexes (past [`SCAN_LIMIT`]).
    fn indexed(&self) -> bool {
        !self.index.is_empty() || !self.long_index.is_empty()
    }

    /// Enters the value of `code` in its index.
    fn enter(&mut self, code: i32) {
        let i = code as usize;
        if self.values[i].len() <= PROBED_BYTES {
            self.index.insert(self.probes[i], code);
        } else {
            self.long_index.insert(self.values[i].clone(), code);
        }
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
        self.long_index.clear();
        DictionaryArray::try_new(codes, Arc::new(values))
    }
}

/// The longest values a [`Probe`] holds whole.
const PROBED_BYTES: usize = 16;

/// A value's length and up to sixteen of its bytes, which tell a value of
/// [`PROBED_BYTES`] or fewer from every other value of its length: the
/// values of a low-cardinality column (channels, queues, reason codes such
/// as `driver_behaviour`) mostly fit, so the scan tells a value from the
/// others without a call to compare their bytes (with eight bytes, that
/// call took 2.5% of an assessment's CPU at two million contacts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Probe {
    len: usize,
    head: u64,
    tail: u64,
}

impl Probe {
    /// The probe of `value`, read with at most two loads: its first and
    /// last eight bytes (overlapping below sixteen); or, of a shorter value,
    /// its first and last four (overlapping below eight) or its first,
    /// middle and last byte, which together are every byte of it. (Copying
    /// a short value into a buffer and reading the buffer back stalls: the
    /// read cannot be forwarded from the copy's narrower stores.)
    fn of(value: &str) -> Self {
        let b = value.as_bytes();
        let len = b.len();
        let eight = |at: usize| {
            u64::from_le_bytes([
                b[at],
                b[at + 1],
                b[at + 2],
                b[at + 3],
                b[at + 4],
                b[at + 5],
                b[at + 6],
                b[at + 7],
            ])
        };
        let (head, tail) = match len {
            9.. => (eight(0), eight(len - 8)),
            8 => (eight(0), 0),
            4..=7 => {
                let first = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                let last = u32::from_le_bytes([b[len - 4], b[len - 3], b[len - 2], b[len - 1]]);
                (u64::from(first) | u64::from(last) << 32, 0)
            }
            1..=3 => (
                u64::from(b[0]) | u64::from(b[len / 2]) << 8 | u64::from(b[len - 1]) << 16,
                0,
            ),
            0 => (0, 0),
        };
        Probe { len, head, tail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::builder::StringDictionaryBuilder;
    use proptest::prelude::*;

    /// Two values of sixteen bytes or fewer have the same probe only when
    /// they are equal (every string of up to 7 bytes over an alphabet that
    /// includes a zero byte, 8-byte ones sharing 7 bytes, and 9- to 16-byte
    /// ones sharing their first 8 bytes or their last 15).
    /// Every string of 0 to `longest` letters of `alphabet`, shortest first.
    fn words(alphabet: &[&str], longest: usize) -> Vec<String> {
        let mut words = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..longest {
            last = last
                .iter()
                .flat_map(|v| alphabet.iter().map(move |c| format!("{v}{c}")))
                .collect();
            words.extend(last.iter().cloned());
        }
        words
    }

    #[test]
    fn short_values_have_probes_of_their_own() {
        let alphabet = ["a", "b", "\0"];
        let mut values = words(&alphabet, 7);
        values.extend(["abcdefgh", "abcdefgi", "bbcdefgh", "abcdefg\0"].map(String::from));
        // Values of nine to sixteen bytes sharing their first eight, and two
        // of sixteen sharing their last fifteen.
        let suffixes = words(&alphabet, 8);
        values.extend(suffixes[1..].iter().map(|s| format!("driver_a{s}")));
        values.extend(["xriver_behaviour", "\0river_behaviour"].map(String::from));
        let mut probes = std::collections::HashMap::new();
        for v in &values {
            if let Some(other) = probes.insert(Probe::of(v), v) {
                panic!("{other:?} and {v:?} have the same probe");
            }
        }
        assert_eq!(probes.len(), values.len());
        // Longer values keep their first and last eight bytes.
        let long = Probe::of("abcdefgh-XYZ-12345678");
        assert_eq!(long.head, u64::from_le_bytes(*b"abcdefgh"));
        assert_eq!(long.tail, u64::from_le_bytes(*b"12345678"));
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
                            // Short values, and longer ones sharing their
                            // first eight bytes (probed whole, and past the
                            // probe's sixteen).
                            let value = match v % 4 {
                                0 => format!("long-prefix-{}", v % 24),
                                1 => format!("a-much-longer-prefix-{}", v % 24),
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
