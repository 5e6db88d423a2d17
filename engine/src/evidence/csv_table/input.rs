//! The bytes of a table file, as UTF-8: special files refused from their
//! metadata (never opened), the declared encoding decoded once, before CSV
//! parsing.

use std::path::Path;

use encoding_rs::{DecoderResult, Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::evidence::EvidenceError;
use crate::evidence::manifest::TextEncoding;
pub(super) use crate::evidence::paths::special_file;
use crate::source::Location;

/// The byte-order mark of UTF-8.
pub(super) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16BE_BOM: &[u8] = b"\xFE\xFF";

/// Whether `bytes` start with a byte-order mark (UTF-8 or UTF-16).
pub(super) fn has_byte_order_mark(bytes: &[u8]) -> bool {
    [UTF8_BOM, UTF16LE_BOM, UTF16BE_BOM]
        .iter()
        .any(|bom| bytes.starts_with(bom))
}

/// Reads a table file and returns its text as UTF-8 bytes (without a
/// byte-order mark). UTF-8 input is returned as read; the CSV reader checks
/// it row by row, so a bad byte names its row.
pub(super) fn read_input(
    path: &Path,
    shown: &Path,
    encoding: TextEncoding,
) -> Result<Vec<u8>, EvidenceError> {
    if let Some(kind) = special_file(path) {
        return Err(EvidenceError::new(
            Location::file(shown),
            format!("the file is a {kind}, not a regular file: it is not read"),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| EvidenceError::new(Location::file(shown), format!("cannot read: {e}")))?;
    decode(bytes, encoding).map_err(|(line, message)| {
        EvidenceError::new(
            Location {
                file: shown.to_path_buf(),
                line,
                column: None,
                key: None,
                grid: None,
            },
            message,
        )
    })
}

/// A decoding failure: the line where it is, when known, and what is wrong.
type DecodeError = (Option<usize>, String);

/// Decodes `bytes` in `encoding` to UTF-8. A UTF-8 byte-order mark is always
/// accepted and means UTF-8, whatever `encoding` says (it cannot open a
/// text in another encoding).
pub(super) fn decode(mut bytes: Vec<u8>, encoding: TextEncoding) -> Result<Vec<u8>, DecodeError> {
    if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
        return Ok(bytes);
    }
    let has_utf16_bom = bytes.starts_with(UTF16LE_BOM) || bytes.starts_with(UTF16BE_BOM);
    match encoding {
        TextEncoding::Utf8 if has_utf16_bom => Err((
            Some(1),
            "the file starts with a UTF-16 byte-order mark: set encoding = \"utf-16\" for this table"
                .to_owned(),
        )),
        TextEncoding::Utf8 => Ok(bytes),
        TextEncoding::Utf16 => {
            let decoder = if bytes.starts_with(UTF16LE_BOM) {
                UTF_16LE
            } else if bytes.starts_with(UTF16BE_BOM) {
                UTF_16BE
            } else {
                return Err((
                    None,
                    "encoding = \"utf-16\" needs a byte-order mark at the start of the file \
                     (FF FE or FE FF), and this file has none"
                        .to_owned(),
                ));
            };
            decode_strict(&bytes[2..], decoder, 2)
        }
        TextEncoding::Windows1252 => decode_strict(&bytes, WINDOWS_1252, 0),
    }
}

/// Decodes without replacement characters: a malformed sequence is an
/// error naming its line and byte offset (`skipped` bytes precede `bytes`
/// in the file).
fn decode_strict(
    bytes: &[u8],
    encoding: &'static Encoding,
    skipped: usize,
) -> Result<Vec<u8>, DecodeError> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2 + 16);
    let mut read_total = 0;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut out, true);
        read_total += read;
        match result {
            DecoderResult::InputEmpty => return Ok(out.into_bytes()),
            DecoderResult::OutputFull => out.reserve(bytes.len() - read_total + 16),
            DecoderResult::Malformed(..) => {
                let line = out.matches('\n').count() + 1;
                return Err((
                    Some(line),
                    format!(
                        "not valid {}: a malformed sequence ends at byte {} of the file",
                        encoding.name(),
                        skipped + read_total
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_utf16_names_its_line() {
        // "a\nb" then an unpaired high surrogate (D800) in UTF-16LE.
        let mut bytes = vec![0xFF, 0xFE];
        for unit in [0x61u16, 0x0A, 0x62, 0xD800, 0x63] {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let (line, message) = decode(bytes, TextEncoding::Utf16).unwrap_err();
        assert_eq!(line, Some(2));
        assert!(message.contains("not valid UTF-16LE"), "{message}");
    }

    #[test]
    fn windows_1252_maps_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let text = String::from_utf8(decode(all, TextEncoding::Windows1252).unwrap()).unwrap();
        assert_eq!(text.chars().count(), 256);
        assert_eq!(text.chars().nth(0x80), Some('\u{20ac}'));
        assert_eq!(text.chars().nth(0xE9), Some('\u{e9}'));
    }
}
