//! The records of a CSV file after its header, read in pieces side by side.
//!
//! A large body is cut at the first line break after every
//! [`Split::piece_bytes`] ([`Body::pieces`]); each piece is typed by its own
//! [`TypedRows`] on one of [`Split::workers`] threads and the pieces are
//! joined in file order ([`read_side_by_side`]). The table is the one a
//! reading in file order gives, whatever the number of threads:
//!
//! - a line break inside a quoted field is no place to cut: the piece before
//!   it then ends in an open quote, which fails that piece;
//! - a piece that fails, or a key a later piece repeats, makes the outcome
//!   depend on what came before (which error is first, which row is the
//!   duplicate): then the caller reads the whole body in file order
//!   ([`Records::read`]), cutting batches where the pieces start, so the
//!   batches are the same either way.
//!
//! The pieces of a UTF-8 file are read from the file one at a time
//! ([`FilePieces`]), cut by the same rule, so that only the pieces being
//! typed are in memory rather than the whole file; the reading in file order
//! reads the whole file.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::input::UTF8_BOM;
use super::rows::TypedRows;
use super::{EvidenceError, NOT_UTF8_HINT, check_structure, csv_reader, structure, trim_cell};
use crate::hashing::Sha256Stream;
use crate::source::Location;

/// How a body is split and read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Split {
    /// About how many bytes each piece holds (it ends at the next line
    /// break).
    pub piece_bytes: usize,
    /// Threads reading pieces at a time.
    pub workers: usize,
    /// Whether records without a quote are split on the delimiter directly
    /// ([`Records::read_plain_lines`]); false only in tests: the csv reader
    /// reads every record (what they compare the direct split with).
    pub direct_split: bool,
}

impl Default for Split {
    /// Pieces of 16 MiB (a file under that is one piece, read as it always
    /// was), as many threads as cores, records without a quote split
    /// directly.
    fn default() -> Self {
        Split {
            piece_bytes: 16 << 20,
            workers: crate::parallel::cores(),
            direct_split: true,
        }
    }
}

/// Bytes of the input holding whole records, and the lines before them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Body<'a> {
    /// The records' bytes.
    pub bytes: &'a [u8],
    /// Line breaks in the file before `bytes` (a record's line is this plus
    /// its line within `bytes`).
    pub lines_before: usize,
    /// Where `bytes` starts in the input.
    start: usize,
}

impl<'a> Body<'a> {
    /// The input from byte `start` on (where the header left the reader).
    pub(super) fn after(input: &'a [u8], start: u64) -> Self {
        let start = usize::try_from(start).map_or(input.len(), |s| s.min(input.len()));
        Body {
            bytes: &input[start..],
            lines_before: line_breaks(&input[..start]),
            start,
        }
    }

    /// The body cut right after the first line break at or beyond every
    /// [`piece_size`] bytes (`size`, smaller towards the end): pieces in
    /// file order, together the whole body. A body of `size` bytes or less,
    /// or without a later line break, is one piece.
    pub(super) fn pieces(self, size: usize) -> Vec<Body<'a>> {
        let mut pieces = Vec::new();
        let mut rest = self;
        loop {
            let size = piece_size(size, rest.bytes.len());
            if rest.bytes.len() <= size {
                break;
            }
            let Some(cut) = first_cut(rest.bytes, size, size) else {
                break;
            };
            if cut >= rest.bytes.len() {
                break;
            }
            let (head, tail) = rest.bytes.split_at(cut);
            pieces.push(Body {
                bytes: head,
                ..rest
            });
            rest = Body {
                bytes: tail,
                lines_before: rest.lines_before + line_breaks(head),
                start: rest.start + cut,
            };
        }
        pieces.push(rest);
        pieces
    }

    /// The records from byte `byte` on, which is on line `line` of this
    /// body (1-based).
    fn rest_at(&self, byte: usize, line: usize) -> Body<'a> {
        Body {
            bytes: &self.bytes[byte..],
            lines_before: self.lines_before + line - 1,
            start: self.start + byte,
        }
    }

    /// Where this piece starts within `whole` (a body it was cut from).
    pub(super) fn offset_in(&self, whole: &Body<'_>) -> usize {
        self.start - whole.start
    }
}

/// The line breaks in `bytes`, counted by memchr's vector count: each piece
/// of a file is counted under the lock that hands the pieces out, and a byte
/// loop (4.5% of `cxaudit kpis` at 2M contacts) held the other readers.
fn line_breaks(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// Parts of what is left of a body that a piece holds at most: the last
/// pieces get smaller, so that the threads typing them finish together
/// rather than one typing a whole piece alone after the others ran out.
const TAIL_PARTS: usize = 4;

/// The size of the next piece when `left` bytes of the body are left:
/// `size`, or a [`TAIL_PARTS`]th of what is left when that is less, down to
/// a sixteenth of `size` (at least a byte).
fn piece_size(size: usize, left: usize) -> usize {
    let size = size.max(1);
    (left / TAIL_PARTS).clamp((size / 16).max(1), size)
}

/// Where [`Body::pieces`] cuts `bytes` (a piece's start onward): right after
/// the first line break at or beyond `size` bytes, looked for from `from`
/// (at least `size`: the bytes before were searched already); `None` when
/// there is none.
fn first_cut(bytes: &[u8], size: usize, from: usize) -> Option<usize> {
    let from = from.max(size);
    let at = bytes.get(from..)?.iter().position(|&b| b == b'\n')?;
    Some(from + at + 1)
}

/// A piece of the body: its bytes (borrowed from the input, or read from
/// the file for it alone), the line breaks before it and where it starts.
pub(super) struct Piece<'a> {
    bytes: Cow<'a, [u8]>,
    lines_before: usize,
    start: usize,
    /// Line breaks in `bytes`: about how many records it holds.
    lines: usize,
}

impl Piece<'_> {
    fn body(&self) -> Body<'_> {
        Body {
            bytes: &self.bytes,
            lines_before: self.lines_before,
            start: self.start,
        }
    }
}

/// The body of a UTF-8 file, read from the file a piece at a time and cut
/// exactly as [`Body::pieces`] cuts the whole body.
pub(super) struct FilePieces {
    file: File,
    size: usize,
    /// The file's length when opened: how much room a read may need.
    file_len: u64,
    /// Every byte read from the file so far, hashed as it is read.
    /// The hash of the bytes read so far (`None`: not hashed).
    hash: Option<Sha256Stream>,
    /// Bytes read and not yet handed out (the next piece starts here).
    carry: Vec<u8>,
    /// Bytes of `carry` already searched for a line break.
    searched: usize,
    /// Bytes read at a time while looking for the line break that ends a
    /// piece ([`SEARCH_BYTES`]).
    search_bytes: usize,
    eof: bool,
    /// Line breaks in the file before `carry`.
    lines_before: usize,
    /// Where `carry` starts in the file's text.
    start: usize,
    /// Pieces handed out.
    handed_out: usize,
    done: bool,
    /// Buffers of pieces typed, kept for the pieces still to read (a new
    /// buffer is new memory, which the system hands out a page fault at a
    /// time): at most [`SPARE_BUFFERS`].
    spare: Vec<Vec<u8>>,
}

/// Buffers of typed pieces kept for reuse: one per thread typing, and one
/// being filled.
const SPARE_BUFFERS: usize = 3;

/// Bytes read at a time while looking for the line break that ends a piece.
const SEARCH_BYTES: usize = 1 << 20;

impl FilePieces {
    /// Opens `path` and reads its first piece's worth of bytes: the caller
    /// takes the header from [`Self::head`], then calls [`Self::skip`].
    pub(super) fn open(path: &Path, size: usize, hash: bool) -> io::Result<Self> {
        let file = File::open(path)?;
        let mut pieces = FilePieces {
            file_len: file.metadata()?.len(),
            file,
            hash: hash.then(Sha256Stream::default),
            size: size.max(1),
            carry: Vec::new(),
            searched: 0,
            search_bytes: SEARCH_BYTES,
            eof: false,
            lines_before: 0,
            start: 0,
            handed_out: 0,
            done: false,
            spare: Vec::new(),
        };
        pieces.fill(pieces.size.saturating_add(1))?;
        Ok(pieces)
    }

    /// The bytes read so far and not handed out, and whether they are all
    /// that is left of the file.
    pub(super) fn head(&self) -> (&[u8], bool) {
        (&self.carry, self.eof)
    }

    /// Leaves out the first `n` bytes of what is read (a byte-order mark,
    /// the header): the body starts after them.
    pub(super) fn skip(&mut self, n: usize) {
        let n = n.min(self.carry.len());
        self.lines_before += line_breaks(&self.carry[..n]);
        self.start += n;
        self.carry.drain(..n);
        self.searched = 0;
    }

    /// Reads until `carry` holds `want` bytes or the file ends.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        if self.eof || self.carry.len() >= want {
            return Ok(());
        }
        let missing = (want - self.carry.len()) as u64;
        // Room for what is left to read, at once: growing by doubling
        // copies and faults in each piece's bytes several times. When room
        // must be made, it is made for the search for the line break that
        // ends the piece too (a byte, then `search_bytes`, read after the
        // piece's size): growing for it would copy the whole piece again.
        let read_so_far = (self.start + self.carry.len()) as u64;
        let left = self.file_len.saturating_sub(read_so_far);
        let needed = usize::try_from(missing.min(left)).unwrap_or(0);
        if self.carry.capacity() - self.carry.len() < needed {
            let search = (2 * self.search_bytes) as u64;
            let room = missing.saturating_add(search).min(left);
            self.carry
                .reserve_exact(usize::try_from(room).unwrap_or(needed));
        }
        let before = self.carry.len();
        let read = (&mut self.file)
            .take(missing)
            .read_to_end(&mut self.carry)?;
        if let Some(hash) = &mut self.hash {
            hash.update(&self.carry[before..]);
        }
        self.eof = (read as u64) < missing;
        Ok(())
    }

    /// The next piece and its index, `None` after the last.
    fn next(&mut self) -> io::Result<Option<(usize, Piece<'static>)>> {
        if self.done {
            return Ok(None);
        }
        // What is left of the file as opened, as `Body::pieces` counts it.
        let left = usize::try_from(self.file_len)
            .unwrap_or(usize::MAX)
            .saturating_sub(self.start);
        let size = piece_size(self.size, left);
        self.fill(size.saturating_add(1))?;
        let cut = loop {
            if self.carry.len() <= size {
                break None;
            }
            match first_cut(&self.carry, size, self.searched) {
                // Something follows the cut: the piece ends there.
                Some(cut) if cut < self.carry.len() => break Some(cut),
                // The cut is at the end of what is read: a piece only if more follows.
                Some(_) if !self.eof => self.fill(self.carry.len().saturating_add(1))?,
                Some(_) => break None,
                None if !self.eof => {
                    self.searched = self.carry.len();
                    self.fill(self.carry.len().saturating_add(self.search_bytes))?;
                }
                None => break None,
            }
        };
        let bytes = match cut {
            Some(cut) => {
                // What follows the cut goes on in a spare buffer, if any.
                let mut rest = self.spare.pop().unwrap_or_default();
                rest.clear();
                rest.extend_from_slice(&self.carry[cut..]);
                self.carry.truncate(cut);
                std::mem::replace(&mut self.carry, rest)
            }
            None => {
                self.done = true;
                std::mem::take(&mut self.carry)
            }
        };
        self.searched = 0;
        let piece = Piece {
            lines_before: self.lines_before,
            start: self.start,
            lines: line_breaks(&bytes),
            bytes: Cow::Owned(bytes),
        };
        self.lines_before += piece.lines;
        self.start += piece.bytes.len();
        let i = self.handed_out;
        self.handed_out += 1;
        Ok(Some((i, piece)))
    }

    /// Takes back the buffer of a piece typed, for a piece still to read.
    fn recycle(&mut self, bytes: Vec<u8>) {
        if !self.done && self.spare.len() < SPARE_BUFFERS {
            self.spare.push(bytes);
        }
    }
}

/// Where the pieces [`read_side_by_side`] types come from.
pub(super) enum Pieces<'a> {
    /// Cut from the input in memory.
    InMemory {
        pieces: Vec<Body<'a>>,
        next: AtomicUsize,
    },
    /// Read from the file one at a time.
    FromFile(Mutex<FilePieces>),
}

impl<'a> Pieces<'a> {
    /// The sha256 of the file the pieces were read from, once it is read to
    /// its end (`None` for pieces in memory, a file not read to its end, or
    /// one read without hashing).
    pub(super) fn sha256_of_whole_file(&self) -> Option<String> {
        match self {
            Pieces::InMemory { .. } => None,
            Pieces::FromFile(file) => {
                let file = file.lock().ok()?;
                let hash = file.hash.as_ref().filter(|_| file.eof)?;
                Some(hash.hex())
            }
        }
    }

    /// Pieces cut from the input in memory.
    pub(super) fn in_memory(pieces: Vec<Body<'a>>) -> Self {
        Pieces::InMemory {
            pieces,
            next: AtomicUsize::new(0),
        }
    }

    /// The next piece to type and its index (`Err` when it could not be
    /// read), `None` after the last.
    fn next(&self) -> Option<(usize, Result<Piece<'a>, ()>)> {
        match self {
            Pieces::InMemory { pieces, next } => {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let body = pieces.get(i)?;
                Some((
                    i,
                    Ok(Piece {
                        bytes: Cow::Borrowed(body.bytes),
                        lines_before: body.lines_before,
                        start: body.start,
                        // Counted when the body was cut: the next piece's
                        // lines before are these and this piece's.
                        lines: pieces.get(i + 1).map_or_else(
                            || line_breaks(body.bytes),
                            |after| after.lines_before - body.lines_before,
                        ),
                    }),
                ))
            }
            Pieces::FromFile(file) => {
                let mut file = file.lock().ok()?;
                match file.next() {
                    Ok(next) => next.map(|(i, piece)| (i, Ok(piece))),
                    // The reading in file order reports what went wrong.
                    Err(_) => {
                        file.done = true;
                        Some((file.handed_out, Err(())))
                    }
                }
            }
        }
    }

    /// Gives back `piece`, typed: its buffer serves a piece still to read.
    fn recycle(&self, piece: Piece<'a>) {
        if let (Pieces::FromFile(file), Cow::Owned(bytes)) = (self, piece.bytes)
            && let Ok(mut file) = file.lock()
        {
            file.recycle(bytes);
        }
    }

    /// How many pieces there are (once every one was handed out).
    fn count(&self) -> usize {
        match self {
            Pieces::InMemory { pieces, .. } => pieces.len(),
            // Not known until the last was handed out.
            Pieces::FromFile(file) => file
                .lock()
                .ok()
                .filter(|f| f.done)
                .map_or(usize::MAX, |f| f.handed_out),
        }
    }

    /// Threads worth starting for these pieces.
    fn threads(&self, workers: usize) -> usize {
        match self {
            Pieces::InMemory { pieces, .. } => workers.clamp(1, pieces.len().max(1)),
            Pieces::FromFile(_) => workers.max(1),
        }
    }
}

/// What reading a table's records needs to know.
pub(super) struct Records<'p> {
    /// The field delimiter (ASCII, not a quote or a line break:
    /// `delimiter_byte` checked it).
    delimiter: u8,
    /// Fields of the header: a row with another count is malformed.
    width: usize,
    /// The file as messages name it.
    shown: &'p Path,
    /// [`Split::direct_split`].
    direct_split: bool,
}

impl<'p> Records<'p> {
    /// The records of a table whose header has `width` fields, read as
    /// `split` says.
    pub(super) fn new(delimiter: u8, width: usize, shown: &'p Path, split: &Split) -> Self {
        Records {
            delimiter,
            width,
            shown,
            direct_split: split.direct_split,
        }
    }
}

impl Records<'_> {
    /// Types every record of `body` into `typed`, in file order; a batch is
    /// cut before the first record starting at or after each of `cuts`
    /// (offsets in `body`, ascending).
    pub(super) fn read(
        &self,
        typed: &mut TypedRows,
        body: Body<'_>,
        cuts: &[usize],
    ) -> Result<(), EvidenceError> {
        let mut cuts = cuts.iter().copied().peekable();
        // Each slot's field among the record's.
        let fields: Vec<usize> = typed.slots().iter().map(|s| s.index).collect();
        let from = if self.direct_split {
            self.read_plain_lines(typed, body, &fields, &mut cuts)?
        } else {
            Some(structure::RecordStart { byte: 0, line: 1 })
        };
        match from {
            Some(at) => {
                let rest = body.rest_at(at.byte, at.line);
                self.read_records(typed, rest, at.byte, &fields, &mut cuts)
            }
            None => Ok(()),
        }
    }

    /// Types the records of `body` in order as long as they hold no quote
    /// and are UTF-8, each split on the delimiter: such a record is one line
    /// and its fields are the bytes between delimiters, as the csv reader
    /// reads them, without its state machine. Returns where the csv reader
    /// is to read on (the end of the last record read, before the line
    /// breaks that follow it, where its own reading would stand), `None`
    /// when every record was read.
    fn read_plain_lines(
        &self,
        typed: &mut TypedRows,
        body: Body<'_>,
        slot_fields: &[usize],
        cuts: &mut Cuts<'_>,
    ) -> Result<Option<structure::RecordStart>, EvidenceError> {
        let bytes = body.bytes;
        let mut end = structure::RecordStart { byte: 0, line: 1 };
        // A reader drops a byte-order mark it starts on: it reads this body.
        if bytes.starts_with(UTF8_BOM) {
            return Ok(Some(end));
        }
        // A body without a quote that is UTF-8 throughout (most exports) is
        // checked once, not record by record: a record is then the text
        // between line breaks, which are ASCII and so end characters.
        let checked = match memchr::memchr(b'"', bytes) {
            None => std::str::from_utf8(bytes).ok(),
            Some(_) => None,
        };
        // The record's fields.
        let mut fields: Vec<&str> = Vec::with_capacity(self.width);
        loop {
            let at = structure::past_line_breaks(bytes, end);
            let rest = &bytes[at.byte..];
            if rest.is_empty() {
                return Ok(None);
            }
            let record = &rest[..memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len())];
            let text = match checked {
                Some(body) => body.get(at.byte..at.byte + record.len()),
                None => std::str::from_utf8(record)
                    .ok()
                    .filter(|_| memchr::memchr(b'"', record).is_none()),
            };
            let Some(text) = text else {
                return Ok(Some(end));
            };
            while cuts.next_if(|&cut| at.byte >= cut).is_some() {
                typed.cut_batch()?;
            }
            let line = body.lines_before + at.line;
            end = structure::RecordStart {
                byte: at.byte + record.len(),
                line: at.line,
            };
            // The delimiter is ASCII: it ends a character.
            fields.clear();
            let mut start = 0;
            structure::each_position(record, self.delimiter, |field_end| {
                fields.push(trim_cell(&text[start..field_end]));
                start = field_end + 1;
            });
            fields.push(trim_cell(&text[start..]));
            if fields.len() != self.width {
                typed.malformed(line, None, self.field_count_message(fields.len()))?;
                continue;
            }
            typed.push_text(line, |i| fields[slot_fields[i]])?;
        }
    }

    /// Types every record of `body` with the csv reader, in file order;
    /// `offset` is where `body` starts in the body `cuts` count in.
    fn read_records(
        &self,
        typed: &mut TypedRows,
        body: Body<'_>,
        offset: usize,
        slot_fields: &[usize],
        cuts: &mut Cuts<'_>,
    ) -> Result<(), EvidenceError> {
        let mut reader = csv_reader(self.delimiter, body.bytes);
        let mut bytes = csv::ByteRecord::new();
        loop {
            let more = reader.read_byte_record(&mut bytes).map_err(|e| {
                EvidenceError::new(Location::file(self.shown), format!("cannot read: {e}"))
            })?;
            if !more {
                return Ok(());
            }
            let start = structure::record_start(body.bytes, bytes.position());
            while cuts.next_if(|&cut| offset + start.byte >= cut).is_some() {
                typed.cut_batch()?;
            }
            check_structure(
                &bytes,
                body.bytes,
                body.lines_before,
                &reader,
                start,
                self.delimiter,
                self.width,
                self.shown,
            )?;
            let line = body.lines_before + start.line;
            if bytes.len() != self.width {
                typed.malformed(line, None, self.field_count_message(bytes.len()))?;
                continue;
            }
            let record = match csv::StringRecord::from_byte_record(std::mem::take(&mut bytes)) {
                Ok(record) => record,
                Err(e) => {
                    let field = e.utf8_error().field();
                    bytes = e.into_byte_record();
                    let message =
                        format!("column {} is not valid UTF-8: {NOT_UTF8_HINT}", field + 1);
                    typed.malformed(line, Some(field), message)?;
                    continue;
                }
            };
            let pushed = typed.push_text(line, |i| {
                trim_cell(record.get(slot_fields[i]).unwrap_or(""))
            });
            bytes = record.into_byte_record();
            pushed?;
        }
    }

    /// The message of a record with `found` fields where the header has
    /// another count.
    fn field_count_message(&self, found: usize) -> String {
        format!(
            "expected {} fields like the header, found {found}",
            self.width
        )
    }
}

/// The batch cuts still ahead of a reading (offsets in the body, ascending).
type Cuts<'c> = std::iter::Peekable<std::iter::Copied<std::slice::Iter<'c, usize>>>;

/// Reads `pieces` on up to `workers` threads, each into its own rows from
/// `new_rows`, and joins them in file order as they come (so that only the
/// pieces read ahead of the join are held apart); `None` when a piece failed
/// or a key repeats, within a piece or across pieces (the caller then reads
/// in file order, which decides those). The pieces check no key as they
/// read; all are checked once joined.
pub(super) fn read_side_by_side<F>(
    pieces: &Pieces<'_>,
    new_rows: &F,
    records: &Records<'_>,
    workers: usize,
) -> Option<TypedRows>
where
    F: Fn() -> Result<TypedRows, EvidenceError> + Sync,
{
    let read_piece = |piece: Result<Piece<'_>, ()>| -> Option<TypedRows> {
        let piece = piece.ok()?;
        let mut typed = new_rows().ok()?;
        typed.check_keys_when_joined(piece.lines);
        let read = records.read(&mut typed, piece.body(), &[]);
        pieces.recycle(piece);
        read.ok()?;
        typed.cut_batch().ok()?;
        typed.sort_joined_keys();
        Some(typed)
    };
    let mut join = Join::default();
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        let threads: Vec<_> = (0..pieces.threads(workers))
            .map(|_| {
                let (sender, read_piece) = (sender.clone(), &read_piece);
                scope.spawn(move || {
                    while let Some((i, piece)) = pieces.next() {
                        if sender.send((i, read_piece(piece))).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(sender);
        for (i, read) in receiver {
            join.add(i, read);
        }
        for thread in threads {
            // A panic while typing is a bug: it goes on as it would have
            // without threads.
            if let Err(panic) = thread.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    join.finish(pieces.count())
}

/// Pieces joined in file order as they arrive.
#[derive(Default)]
struct Join {
    /// The pieces joined so far (`None` once one failed).
    joined: Option<TypedRows>,
    /// How many pieces are joined.
    count: usize,
    /// Pieces read ahead of the join, by index (`None`: failed).
    waiting: std::collections::BTreeMap<usize, Option<TypedRows>>,
    failed: bool,
}

impl Join {
    /// Takes piece `i` (`None`: it failed) and joins every piece now in
    /// order.
    fn add(&mut self, i: usize, read: Option<TypedRows>) {
        self.waiting.insert(i, read);
        while let Some(read) = self.waiting.remove(&self.count) {
            self.count += 1;
            if self.failed {
                continue;
            }
            self.failed = match (self.joined.as_mut(), read) {
                (_, None) => true,
                (None, Some(first)) => {
                    self.joined = Some(first);
                    false
                }
                (Some(joined), Some(later)) => {
                    joined.absorb(later);
                    false
                }
            };
            if self.failed {
                self.joined = None;
                self.waiting.clear();
            }
        }
        if self.failed {
            // What is still to come is of no use: free it as it arrives.
            self.waiting.clear();
        }
    }

    /// The whole body, when all `pieces` joined and no key of one repeats a
    /// key of another.
    fn finish(self, pieces: usize) -> Option<TypedRows> {
        let mut joined = self
            .joined
            .filter(|_| !self.failed && self.count == pieces)?;
        joined.joined_keys_unique().then_some(joined)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{col, options, write};
    use super::super::{ParsedTable, WantedColumn, read_csv_split};
    use super::*;
    use crate::evidence::manifest::{Formats, OnError};
    use crate::evidence::rules::PeriodRules;
    use crate::pack::{ColumnSchema, Coverage, TableSchema};
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Int64Type};
    use chrono::NaiveDate;
    use cxaudit_plugin_sdk::ColumnType;
    use proptest::prelude::*;

    fn body(text: &str) -> Body<'_> {
        Body::after(text.as_bytes(), 0)
    }

    #[test]
    fn pieces_end_after_a_line_break_and_together_are_the_body() {
        let text = "h\naaa\nb\ncccc\nd";
        let whole = Body::after(text.as_bytes(), 2);
        let pieces = whole.pieces(2);
        let shown: Vec<(&str, usize, usize)> = pieces
            .iter()
            .map(|p| {
                let s = std::str::from_utf8(p.bytes).unwrap();
                (s, p.lines_before, p.offset_in(&whole))
            })
            .collect();
        // "aaa\n" (cut after the break at or beyond 2 bytes), "b\ncccc\n"
        // (b\n is 2 bytes, so the cut is after the next break), "d".
        assert_eq!(
            shown,
            vec![("aaa\n", 1, 0), ("b\ncccc\n", 2, 4), ("d", 4, 11)]
        );
        assert_eq!(body("abc").pieces(1).len(), 1, "no line break: one piece");
        assert_eq!(body("a\n").pieces(1).len(), 1, "nothing after the break");
        assert_eq!(body("a\nb\n").pieces(100).len(), 1, "small body");
    }

    #[test]
    fn the_last_pieces_are_smaller_so_that_the_threads_finish_together() {
        let text = "abcdefghi\n".repeat(100);
        let sizes: Vec<usize> = Body::after(text.as_bytes(), 0)
            .pieces(160)
            .iter()
            .map(|p| p.bytes.len())
            .collect();
        // 160 bytes (to the line's end) while a quarter of what is left is
        // more; then a quarter of what is left (to the line's end), down to
        // a sixteenth of 160; the rest.
        assert_eq!(
            sizes,
            [170, 170, 170, 130, 100, 70, 50, 40, 30, 20, 20, 20, 10]
        );
    }

    /// A table with a key, a period column, a range rule and free text.
    fn wanted() -> Vec<WantedColumn> {
        vec![
            col("id", ColumnType::String, false),
            col("day", ColumnType::Date, false),
            WantedColumn {
                schema: ColumnSchema {
                    min: Some(0.0),
                    ..col("n", ColumnType::Integer, false).schema
                },
                mapped_from: None,
            },
            col("note", ColumnType::String, true),
        ]
    }

    fn read(text: &str, on_error: OnError, piece_bytes: usize, workers: usize) -> String {
        read_split(text, on_error, split(piece_bytes, workers))
    }

    /// The table read from `text` as `split` says, or the error.
    fn read_split(text: &str, on_error: OnError, split: Split) -> String {
        read_bytes_split(text.as_bytes(), on_error, split)
    }

    /// [`read_split`] of a file's bytes.
    fn read_bytes_split(text: &[u8], on_error: OnError, split: Split) -> String {
        match read_file_split(text, on_error, split).1 {
            Ok(t) => shown(&t),
            Err(e) => format!("error: {e}"),
        }
    }

    /// Pieces of `piece_bytes` on `workers` threads, plain lines split directly.
    fn split(piece_bytes: usize, workers: usize) -> Split {
        Split {
            piece_bytes,
            workers,
            direct_split: true,
        }
    }

    /// The file written from `text` and the table read from it.
    fn read_file(
        text: &str,
        on_error: OnError,
        piece_bytes: usize,
        workers: usize,
    ) -> (tempfile::NamedTempFile, Result<ParsedTable, EvidenceError>) {
        read_file_split(text.as_bytes(), on_error, split(piece_bytes, workers))
    }

    /// [`read_file`] as `split` says.
    fn read_file_split(
        text: &[u8],
        on_error: OnError,
        split: Split,
    ) -> (tempfile::NamedTempFile, Result<ParsedTable, EvidenceError>) {
        let schema = TableSchema {
            description: String::new(),
            columns: wanted().into_iter().map(|w| w.schema).collect(),
            key: vec!["id".into()],
            period_column: Some("day".into()),
            ordered: Vec::new(),
            coverage: Some(Coverage::Daily),
        };
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let mut opts = options(Formats::default(), on_error);
        opts.rules = Some(PeriodRules {
            table: schema,
            start: day(1),
            end: day(5),
            closed: Default::default(),
        });
        let f = write(text);
        let read = read_csv_split(f.path(), &wanted(), &opts, split);
        (f, read)
    }

    /// A file read a piece at a time comes with the sha256 of the bytes read
    /// (the file's); a file read whole, or read again in file order because
    /// its pieces depend on one another, leaves the hashing to the caller.
    #[test]
    fn a_file_read_in_pieces_is_hashed_as_it_is_read() {
        let rows: String = (1..=40)
            .map(|i| format!("r{i},2026-03-0{},{i},note {i}\n", 1 + i % 5))
            .collect();
        let text = format!("id,day,n,note\n{rows}");
        let (f, in_pieces) = read_file(&text, OnError::Fail, 64, 2);
        let in_pieces = in_pieces.unwrap();
        assert_eq!(in_pieces.rows, 40);
        let file_hash = crate::hashing::sha256_file(f.path()).unwrap();
        assert_eq!(in_pieces.sha256.as_deref(), Some(file_hash.as_str()));
        let (_, whole) = read_file(&text, OnError::Fail, usize::MAX, 2);
        assert_eq!(whole.unwrap().sha256, None, "one piece: read whole");
        let repeated = format!("{text}r1,2026-03-02,1,again\n");
        let (_, dependent) = read_file(&repeated, OnError::Skip, 64, 2);
        let dependent = dependent.unwrap();
        assert_eq!(dependent.skipped_rows, 1, "the repeated key is skipped");
        assert_eq!(dependent.sha256, None, "read again in file order");
    }

    /// Everything a reader of the table sees, batch by batch.
    fn shown(t: &ParsedTable) -> String {
        let mut out = format!(
            "rows {} skipped {:?} examples {:?} placement {:?}\n",
            t.rows, t.skipped_by_reason, t.skipped_examples, t.placement
        );
        for b in &t.batches {
            out.push_str(&format!("batch of {}\n", b.num_rows()));
            let (id, day) = (b.column(0).as_string::<i32>(), b.column(1));
            let (n, note) = (b.column(2), b.column(3).as_string::<i32>());
            for r in 0..b.num_rows() {
                out.push_str(&format!(
                    "{} {} {} {:?}\n",
                    id.value(r),
                    day.as_primitive::<Date32Type>().value(r),
                    n.as_primitive::<Int64Type>().value(r),
                    note.is_valid(r).then(|| note.value(r)),
                ));
            }
        }
        out
    }

    /// The rows of [`table`] and their lines.
    #[derive(Debug, Clone)]
    enum Row {
        Good {
            day: u32,
            note: u8,
        },
        /// The key of an earlier row (or of itself when none).
        Duplicate(usize),
        NotANumber,
        Negative,
        Ragged,
        Blank,
        OutsidePeriod,
        /// Cells with white space around them, and a quote inside the note
        /// (not at its start: a character of the cell).
        Spaced,
    }

    fn row() -> impl Strategy<Value = Row> {
        prop_oneof![
            6 => (1u32..=5, 0u8..5).prop_map(|(day, note)| Row::Good { day, note }),
            1 => (0usize..40).prop_map(Row::Duplicate),
            1 => Just(Row::NotANumber),
            1 => Just(Row::Negative),
            1 => Just(Row::Ragged),
            1 => Just(Row::Blank),
            1 => Just(Row::OutsidePeriod),
            1 => Just(Row::Spaced),
        ]
    }

    /// A CSV of `rows`: notes hold commas, doubled quotes and line breaks
    /// inside quotes, so that cuts fall inside quoted fields too.
    fn table(rows: &[Row], crlf: bool) -> String {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut out = format!("id,day,n,note{end}");
        for (i, r) in rows.iter().enumerate() {
            let line = match r {
                Row::Good { day, note } => {
                    let note = match note {
                        0 => String::new(),
                        1 => "plain".to_owned(),
                        2 => "\"with, comma\"".to_owned(),
                        3 => format!("\"two{end}lines\"\"{end}and a quote\""),
                        _ => format!("\"{end}{end}\""),
                    };
                    format!("r{i},2026-03-0{day},{i},{note}")
                }
                Row::Duplicate(j) => format!("r{},2026-03-01,1,dup", j.min(&i)),
                Row::NotANumber => format!("r{i},2026-03-02,x,"),
                Row::Negative => format!("r{i},2026-03-02,-1,"),
                Row::Ragged => format!("r{i},2026-03-02,1,a,extra"),
                Row::Blank => String::new(),
                Row::OutsidePeriod => format!("r{i},2026-04-01,1,"),
                Row::Spaced => format!(" r{i} ,2026-03-03 , {i},a 5\" screen "),
            };
            out.push_str(&line);
            out.push_str(end);
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Read from the file, the pieces are those cut from the whole body:
        /// the same bytes, line breaks before and starts, however little is
        /// read at a time while looking for a line break; and the bytes read,
        /// header included, hash to the file's sha256.
        #[test]
        fn file_pieces_are_the_pieces_of_the_body(
            rows in prop::collection::vec(row(), 0..40),
            crlf in any::<bool>(),
            size in 1usize..120,
            search_bytes in 1usize..5,
            header_end in 0usize..20,
        ) {
            let text = table(&rows, crlf);
            let f = write(&text);
            let mut file = FilePieces::open(f.path(), size, true).unwrap();
            file.search_bytes = search_bytes;
            // The header ends within what `open` read (the caller makes sure of it).
            let header_end = header_end.min(file.head().0.len());
            file.skip(header_end);
            let whole = Body::after(text.as_bytes(), header_end as u64);
            let expected: Vec<(Vec<u8>, usize, usize)> = whole
                .pieces(size)
                .iter()
                .map(|p| (p.bytes.to_vec(), p.lines_before, p.start))
                .collect();
            let mut got = Vec::new();
            while let Some((i, piece)) = file.next().unwrap() {
                prop_assert_eq!(i, got.len());
                got.push((piece.bytes.to_vec(), piece.lines_before, piece.start));
            }
            prop_assert_eq!(got, expected);
            prop_assert!(file.eof);
            prop_assert_eq!(
                file.hash.as_ref().map(|h| h.hex()),
                Some(crate::hashing::sha256_bytes(text.as_bytes()))
            );
        }

        /// Read in pieces, on one thread or several, the table is the one a
        /// reading in file order gives (rows, skips and their examples,
        /// placement, the first error); the batches are the same whatever
        /// the number of threads.
        #[test]
        fn pieces_read_as_one_reading_in_file_order(
            rows in prop::collection::vec(row(), 0..40),
            crlf in any::<bool>(),
            piece_bytes in 1usize..120,
            skip in any::<bool>(),
        ) {
            let text = table(&rows, crlf);
            let on_error = if skip { OnError::Skip } else { OnError::Fail };
            let in_order = read(&text, on_error, usize::MAX, 1);
            let one_thread = read(&text, on_error, piece_bytes, 1);
            let three = read(&text, on_error, piece_bytes, 3);
            prop_assert_eq!(&one_thread, &three);
            let unbatched = |s: &str| s.lines().filter(|l| !l.starts_with("batch of")).collect::<Vec<_>>().join("\n");
            prop_assert_eq!(unbatched(&in_order), unbatched(&three));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Records split on the delimiter directly read as the csv reader
        /// reads them: the same rows, batches, skips with their messages and
        /// lines, and the same first error, whether a quote comes first, later
        /// or never, with `\n`, `\r\n` or lone `\r` line ends, with or without
        /// a last line break, with a byte-order mark starting the body or a
        /// line in it, whole or in pieces.
        #[test]
        fn plain_lines_read_as_the_csv_reader_reads_them(
            rows in prop::collection::vec(row(), 0..40),
            ends in 0usize..3,
            piece_bytes in prop_oneof![Just(usize::MAX), 1usize..120],
            skip in any::<bool>(),
            unended in any::<bool>(),
            mark in 0usize..3,
        ) {
            let text = table(&rows, ends == 1);
            let text = if ends == 2 { text.replace('\n', "\r") } else { text };
            let mut text = if unended { text.trim_end_matches(['\r', '\n']).to_owned() } else { text };
            // A byte-order mark at the start of the body or of its middle line.
            let line_starts: Vec<usize> = text.match_indices(['\r', '\n']).map(|(i, _)| i + 1).collect();
            let marked = match mark {
                1 => line_starts.first(),
                2 => line_starts.get(line_starts.len() / 2),
                _ => None,
            };
            if let Some(&at) = marked {
                text.insert(at, '\u{feff}');
            }
            let on_error = if skip { OnError::Skip } else { OnError::Fail };
            let direct = read_split(&text, on_error, split(piece_bytes, 2));
            let by_reader = Split {
                direct_split: false,
                ..split(piece_bytes, 2)
            };
            prop_assert_eq!(direct, read_split(&text, on_error, by_reader));
        }
    }

    /// A record that is not UTF-8 hands the rest to the csv reader, which
    /// names its line and column as it did.
    #[test]
    fn a_record_not_utf8_reads_as_the_csv_reader_reads_it() {
        let mut text = b"id,day,n,note\nr1,2026-03-01,1,\nr2,2026-03-01,2,caf".to_vec();
        text.extend_from_slice(b"\xe9\nr3,2026-03-01,3,\nr4,2026-03-01,x,\n");
        for on_error in [OnError::Skip, OnError::Fail] {
            let direct = read_bytes_split(&text, on_error, split(usize::MAX, 1));
            let by_reader = Split {
                direct_split: false,
                ..split(usize::MAX, 1)
            };
            assert_eq!(direct, read_bytes_split(&text, on_error, by_reader));
            assert!(
                direct.contains("t.csv:3:4: column 4 is not valid UTF-8"),
                "{direct}"
            );
        }
    }

    /// The first record with a quote hands the rest of the body to the csv
    /// reader, lines counted on; records before it were split directly.
    #[test]
    fn a_quoted_record_hands_the_rest_to_the_csv_reader_lines_counted_on() {
        let text = "id,day,n,note\n\
                    r1,2026-03-01,x,\n\
                    \n\
                    r2,2026-03-01,2,\"two\nlines\"\n\
                    r3,2026-03-01,y,\n\
                    r4,2026-03-01,4\n";
        let t = read_file(text, OnError::Skip, usize::MAX, 1).1.unwrap();
        assert_eq!(t.rows, 1);
        // r1 on line 2 (split directly), the blank line 3, r2 on lines 4-5
        // (quoted: the csv reader from here), r3 on line 6, r4 on line 7.
        assert_eq!(
            t.skipped_examples,
            [
                "data/t.csv:2:3: `n`: expected integer, found `x`",
                "data/t.csv:6:3: `n`: expected integer, found `y`",
                "data/t.csv:7: expected 4 fields like the header, found 3"
            ]
        );
        assert!(shown(&t).ends_with("r2 20513 2 Some(\"two\\nlines\")\n"));
    }

    #[test]
    fn a_key_repeated_in_a_later_piece_is_the_duplicate_reading_in_order_finds() {
        // Each row is one piece; r0 comes again on line 4.
        let text = "id,day,n,note\nr0,2026-03-01,1,\nr1,2026-03-02,2,\nr0,2026-03-03,3,\n";
        let shown = read(text, OnError::Skip, 1, 2);
        assert!(
            shown.starts_with("rows 2 skipped {\"duplicate key\": 1}"),
            "{shown}"
        );
        assert!(
            shown.contains("data/t.csv:4:1: `id`: duplicate key id `r0` (first at line 2)"),
            "{shown}"
        );
        // The batches are cut where the pieces start, as the pieces would be.
        assert_eq!(shown.matches("batch of 1\n").count(), 2, "{shown}");
        let failed = read(text, OnError::Fail, 1, 2);
        assert_eq!(
            failed,
            "error: data/t.csv:4:1: `id`: duplicate key id `r0` (first at line 2)"
        );
    }

    #[test]
    fn a_key_repeated_within_a_piece_is_the_duplicate_reading_in_order_finds() {
        // Two pieces of three rows (the first cut after 40 bytes): keys out
        // of order, then r1 again within the first piece. No piece checks
        // its keys as it reads; the join finds the repeat.
        let text = "id,day,n,note\nr2,2026-03-01,1,\nr1,2026-03-02,2,\nr1,2026-03-03,3,\n\
                    r3,2026-03-04,4,\nr4,2026-03-05,5,\nr5,2026-03-06,6,\n";
        let in_order = read(text, OnError::Skip, usize::MAX, 1);
        let side_by_side = read(text, OnError::Skip, 40, 2);
        assert!(
            in_order.contains("data/t.csv:4:1: `id`: duplicate key id `r1` (first at line 3)"),
            "{in_order}"
        );
        let rows = |shown: &str| -> String {
            shown
                .lines()
                .filter(|l| !l.starts_with("batch of"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(rows(&in_order), rows(&side_by_side));
        // Batches cut where the pieces start, the duplicate skipped in the first.
        assert!(side_by_side.contains("batch of 2\n"), "{side_by_side}");
        assert_eq!(
            read(text, OnError::Fail, 40, 2),
            "error: data/t.csv:4:1: `id`: duplicate key id `r1` (first at line 3)"
        );
        // Without the repeat, the pieces stand as read.
        let unique = text.replace("r1,2026-03-03", "r0,2026-03-03");
        assert!(read(&unique, OnError::Skip, 40, 2).starts_with("rows 6 skipped {}"));
    }

    #[test]
    fn a_cut_inside_a_quoted_field_reads_the_field_whole() {
        // The first piece would end inside the quoted note: it is read in
        // file order instead, and the note keeps its line break.
        let text = "id,day,n,note\nr0,2026-03-01,1,\"a\nb\"\nr1,2026-03-02,2,\n";
        let shown = read(text, OnError::Fail, 20, 2);
        assert!(shown.contains("r0 20513 1 Some(\"a\\nb\")"), "{shown}");
        assert!(shown.starts_with("rows 2 skipped {}"), "{shown}");
    }

    #[test]
    fn messages_name_lines_of_the_file_in_every_piece() {
        let text = "id,day,n,note\nr0,2026-03-01,1,\nr1,2026-03-02,2,\nr2,2026-03-03,x,\n";
        let shown = read(text, OnError::Skip, 1, 2);
        assert!(
            shown.contains("data/t.csv:4:3: `n`: expected integer"),
            "{shown}"
        );
        assert!(
            shown.starts_with("rows 2 skipped {\"unparseable cell\": 1}"),
            "{shown}"
        );
    }

    #[test]
    fn crlf_line_breaks_count_as_one_line_each_in_every_piece() {
        let text = "id,day,n,note\r\nr0,2026-03-01,1,\r\nr1,2026-03-02,x,\r\nr2,2026-03-03,y,\r\n";
        for (piece_bytes, workers) in [(usize::MAX, 1), (1, 2)] {
            let shown = read(text, OnError::Skip, piece_bytes, workers);
            assert!(shown.contains("data/t.csv:3:3: `n`"), "{shown}");
            assert!(shown.contains("data/t.csv:4:3: `n`"), "{shown}");
        }
    }
}
