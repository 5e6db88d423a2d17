//! The structure of a CSV file, checked before any cell is read: where a
//! record really starts, quotes left open to the end of the file, and rows
//! swallowed by a quote closed too late.
//!
//! The scanner follows the `csv` crate's reading (RFC 4180: a quote opens a
//! field only at its start, `""` inside a quoted field is one quote, `\r`,
//! `\n` and `\r\n` end a record), so it sees what the reader saw.

/// The true start of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RecordStart {
    /// Byte offset in the input.
    pub byte: usize,
    /// 1-based line.
    pub line: usize,
}

/// Where a record starts: the reader's position skips blank lines only as
/// it reads the record, so its position may point at a blank line before
/// it; this moves past those.
pub(super) fn record_start(input: &[u8], position: Option<&csv::Position>) -> RecordStart {
    let (byte, line) = position.map_or((0, 1), |p| (p.byte() as usize, p.line() as usize));
    past_line_breaks(input, RecordStart { byte, line })
}

/// `at` moved past the line breaks (`\r`, `\n`) there, counting the lines:
/// where the next record starts, as the reader skips blank lines.
pub(super) fn past_line_breaks(input: &[u8], mut at: RecordStart) -> RecordStart {
    while let Some(&b) = input.get(at.byte) {
        match b {
            b'\n' => at.line += 1,
            b'\r' => {}
            _ => break,
        }
        at.byte += 1;
    }
    at
}

/// Calls `found` with each position of `byte` in `bytes`, in order, eight
/// bytes at a time: a record's fields are short, so one pass over the
/// record costs less than a vector search started at each field.
pub(super) fn each_position(bytes: &[u8], byte: u8, mut found: impl FnMut(usize)) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW_SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let pattern = ONES * u64::from(byte);
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let mut eight = [0; 8];
        eight.copy_from_slice(word);
        // Bytes equal to `byte` are zero here; the high bit of each zero
        // byte, and no other bit, is set below (no carry crosses a byte).
        let x = u64::from_le_bytes(eight) ^ pattern;
        let mut zeros = !(((x & LOW_SEVEN) + LOW_SEVEN) | x | LOW_SEVEN);
        while zeros != 0 {
            found(at + zeros.trailing_zeros() as usize / 8);
            zeros &= zeros - 1;
        }
        at += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == byte {
            found(at + i);
        }
    }
}

#[derive(Clone, Copy)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// For `tail`, a record's bytes up to the end of the input: the 1-based
/// field whose quote is still open at the end, if any.
pub(super) fn open_quote_at_end(tail: &[u8], delimiter: u8) -> Option<usize> {
    let mut state = State::FieldStart;
    let mut field = 1;
    for &b in tail {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::FieldStart, b'"') => State::Quoted,
            (_, b'\n' | b'\r') => {
                // The record ended: a later record holds no open quote of
                // this one (the reader would have returned them apart).
                return None;
            }
            (_, d) if d == delimiter => {
                field += 1;
                State::FieldStart
            }
            _ => State::Unquoted,
        };
    }
    matches!(state, State::Quoted).then_some(field)
}

/// The lines of `text` after its first one, each with its index in `text`
/// (1 for the second line), without a trailing `\r`.
fn continuation_lines(text: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    text.split(|&b| b == b'\n')
        .enumerate()
        .skip(1)
        .map(|(i, line)| (i, line.strip_suffix(b"\r").unwrap_or(line)))
}

/// A row swallowed by a quote: the field that holds it (0-based) and how
/// many lines after the record's first line it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Swallowed {
    /// The field holding the line breaks (0-based).
    pub field: usize,
    /// Lines between the record's start and the swallowed row.
    pub lines_after_start: usize,
}

/// A line inside a field of `record` that splits into exactly `width`
/// fields, as a row of the table does: a quote opened in this record was
/// closed only rows later. Tables of one column cannot tell and are not
/// checked.
pub(super) fn swallowed_row(
    record: &csv::ByteRecord,
    delimiter: u8,
    width: usize,
) -> Option<Swallowed> {
    if width < 2 || !record.as_slice().contains(&b'\n') {
        return None;
    }
    let mut lines_before = 0;
    for (index, field) in record.iter().enumerate() {
        for (offset, line) in continuation_lines(field) {
            if line.split(|&b| b == delimiter).count() == width {
                return Some(Swallowed {
                    field: index,
                    lines_after_start: lines_before + offset,
                });
            }
        }
        lines_before += field.iter().filter(|&&b| b == b'\n').count();
    }
    None
}

/// The 1-based line of the last character of `input`.
pub(super) fn last_line(input: &[u8]) -> usize {
    let text = input.strip_suffix(b"\n").unwrap_or(input);
    let text = text.strip_suffix(b"\r").unwrap_or(text);
    text.iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The positions a byte loop finds, for any bytes (the delimiter's
        /// neighbours, `0x80` and above among them) and any length.
        #[test]
        fn each_position_finds_what_a_byte_loop_finds(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b','), Just(b'-'), Just(b'+'), Just(0u8), Just(0xac), proptest::num::u8::ANY],
                0..40,
            ),
            byte in prop_oneof![Just(b','), Just(b';'), Just(b'\t'), Just(0u8)],
        ) {
            let mut found = Vec::new();
            each_position(&bytes, byte, |i| found.push(i));
            let expected: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] == byte).collect();
            prop_assert_eq!(found, expected);
        }
    }

    #[test]
    fn an_open_quote_is_found_only_at_the_start_of_a_field() {
        assert_eq!(open_quote_at_end(b"a,\"b\nc", b','), Some(2));
        assert_eq!(open_quote_at_end(b"a,\"b\"\"c", b','), Some(2));
        assert_eq!(open_quote_at_end(b"a,\"b\"\"\"", b','), None);
        assert_eq!(open_quote_at_end(b"a,5\" screen", b','), None);
        assert_eq!(open_quote_at_end(b"a;b;\"c", b';'), Some(3));
        assert_eq!(open_quote_at_end(b"a,b\n\"c", b','), None);
    }

    #[test]
    fn record_starts_move_past_blank_lines() {
        let input = b"h\n\n\r\nrow\n";
        let start = record_start(input, None);
        assert_eq!(start, RecordStart { byte: 0, line: 1 });
        let mut p = csv::Position::new();
        p.set_byte(2).set_line(2);
        assert_eq!(
            record_start(input, Some(&p)),
            RecordStart { byte: 5, line: 4 }
        );
    }

    #[test]
    fn last_line_ignores_a_final_line_break() {
        assert_eq!(last_line(b"a\nb\n"), 2);
        assert_eq!(last_line(b"a\nb"), 2);
        assert_eq!(last_line(b"a\r\nb\r\n"), 2);
    }
}
