//! The validity rules of a table, as the pack's evidence schema declares
//! them, applied to each parsed row: value ranges, ordered timestamps,
//! plausible timestamps, duplicate keys; and the tally of where rows fall:
//! outside the period, and which days of the period have rows (coverage).
//!
//! A row that breaks a rule fails the table, or under `on_error = "skip"` is
//! skipped and counted under the rule's reason. Nothing is dropped silently.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hash, Hasher};

use chrono::{Datelike, NaiveDate, Weekday};
use chrono_tz::Tz;
use cxaudit_plugin_sdk::ColumnType;
use cxaudit_plugin_sdk::time::LocalDates;

use crate::pack::{Coverage, TableSchema};

/// Why a row was skipped (the key of the counts in the inventory).
pub mod reason {
    /// The record's structure is broken (field count, encoding).
    pub const MALFORMED: &str = "malformed record";
    /// A cell does not parse as its column's type.
    pub const UNPARSEABLE: &str = "unparseable cell";
    /// A number outside its column's declared range.
    pub const OUT_OF_RANGE: &str = "value out of range";
    /// A later timestamp before an earlier one.
    pub const OUT_OF_ORDER: &str = "timestamps out of order";
    /// A timestamp more than a year away from the period.
    pub const IMPLAUSIBLE: &str = "implausible timestamp";
    /// The row's key was already seen.
    pub const DUPLICATE_KEY: &str = "duplicate key";
}

/// Days around the period within which a timestamp is plausible.
pub const PLAUSIBLE_DAYS: i64 = 366;

/// A parsed value, as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// Empty cell.
    Null,
    /// A number (integer or float).
    Number(f64),
    /// A calendar date.
    Date(NaiveDate),
    /// A month (its first day).
    Month(NaiveDate),
    /// An instant, in timestamp units since the epoch (UTC).
    Instant(i64),
    /// Anything else (text, booleans).
    Other,
}

/// A broken rule: why (one of [`reason`]) and the message naming the column.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// One of [`reason`].
    pub reason: &'static str,
    /// The column (index among the checked columns) the message is about.
    pub column: Option<usize>,
    /// What is wrong, with the values.
    pub message: String,
}

/// The period a run assesses and how instants map to local days.
#[derive(Debug, Clone, Copy)]
pub struct PeriodContext {
    /// First day.
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
    /// The evidence's time zone.
    pub tz: Tz,
    /// Timestamp units per second.
    pub units_per_second: i64,
}

impl PeriodContext {
    fn instant_of(&self, day: NaiveDate) -> i64 {
        day.and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp())
            * self.units_per_second
    }
}

/// A table's rules over one period, as a read applies them.
#[derive(Debug, Clone)]
pub struct PeriodRules {
    /// The table's schema (its rules).
    pub table: TableSchema,
    /// First day of the period.
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
    /// Days the centre was closed: never missing.
    pub closed: BTreeSet<NaiveDate>,
}

/// Where the rows of a table fall, for the inventory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Placement {
    /// Accepted rows whose day is outside the period.
    pub outside_period: u64,
    /// Days of the period with no rows, on weekdays the table otherwise
    /// covers (only for tables with `coverage = "daily"`).
    pub days_missing: Vec<NaiveDate>,
}

/// The first and the last of a table's keys while every key rose over the
/// one before (in the order of its cells' texts): keys that rise cannot
/// repeat. [`RisingKeys`] keeps one while it lists keys; a piece checked
/// when joined keeps one instead of sorting its keys' hashes (keys that rise
/// within each piece, and from each piece to the next, need no sorting to
/// tell).
#[derive(Debug, Default, Clone, PartialEq)]
struct RisingRange {
    /// The cells of the first key (empty: no key yet).
    first: Vec<String>,
    /// The cells of the last key.
    last: Vec<String>,
}

impl RisingRange {
    /// Takes the row's key (its cells `text` of the `key` columns) when it
    /// rises over the last; false when it does not.
    fn rises<'t>(&mut self, key: &[usize], text: &impl Fn(usize) -> &'t str) -> bool {
        if self.first.is_empty() {
            self.first = key.iter().map(|&i| text(i).to_owned()).collect();
            self.last.clone_from(&self.first);
            return true;
        }
        let rises = key
            .iter()
            .map(|&i| text(i))
            .cmp(self.last.iter().map(String::as_str))
            .is_gt();
        if rises {
            for (last, &i) in self.last.iter_mut().zip(key) {
                last.clear();
                last.push_str(text(i));
            }
        }
        rises
    }

    /// The range of these keys followed by `later`'s, when they still rise
    /// across (an empty range is no key).
    fn followed_by(self, later: RisingRange) -> Option<RisingRange> {
        if later.first.is_empty() {
            return Some(self);
        }
        if self.first.is_empty() {
            return Some(later);
        }
        (later.first > self.last).then_some(RisingRange {
            first: self.first,
            last: later.last,
        })
    }
}

/// The keys of a table's rows while each is greater than the one before
/// ([`RowRules`] lists them instead of probing a map).
#[derive(Default)]
struct RisingKeys {
    /// Each key's hash and line.
    listed: Vec<(u128, u64)>,
    /// The first and last key listed.
    range: RisingRange,
}

impl RisingKeys {
    /// Lists a row's key (its cells `text` of the `key` columns, its `hash`
    /// and `line`) when it is greater than the last one listed (the first
    /// always is); false, listing nothing, when it is not.
    fn list<'t>(
        &mut self,
        key: &[usize],
        text: &impl Fn(usize) -> &'t str,
        hash: u128,
        line: u64,
    ) -> bool {
        let greater = self.range.rises(key, text);
        if greater {
            self.listed.push((hash, line));
        }
        greater
    }
}

/// The rules of one table over the columns a read resolved.
pub struct RowRules {
    columns: Vec<(String, ColumnType, Option<f64>, Option<f64>)>,
    key: Vec<usize>,
    ordered: Vec<(usize, usize)>,
    period_column: Option<usize>,
    coverage: Option<Coverage>,
    period: PeriodContext,
    plausible: (i64, i64),
    keys_seen: HashMap<u128, u64, BuildHasherDefault<KeyHashes>>,
    /// While every key so far has been greater than the one before (in the
    /// order of its cells' texts), no key can repeat one of them: they are
    /// listed here, with their lines, instead of entered in `keys_seen` (a
    /// random access per row in a map of a million keys). The first key that
    /// is not greater moves them all into the map, which checks the rest,
    /// and leaves `None`.
    rising: Option<RisingKeys>,
    /// This piece's keys, for [`Self::joined_keys_unique`].
    joined_keys: Vec<u128>,
    /// The keys of the pieces joined to this one by [`Self::absorb`], a
    /// list per piece, never joined into one ([`no_key_twice`] checks the
    /// lists as they are: one list grown piece by piece copied every key so
    /// far into new memory at each growth).
    absorbed_keys: Vec<Vec<u128>>,
    /// Set by [`Self::check_keys_when_joined`]: every key goes straight to
    /// `joined_keys`, unchecked, neither listed as rising nor entered in
    /// `keys_seen`.
    keys_checked_when_joined: bool,
    /// While every key checked when joined (of this piece and of those it
    /// absorbed) rose over the one before: their range. `None` otherwise,
    /// and when keys were checked as they were read.
    joined_range: Option<RisingRange>,
    outside_period: u64,
    days_with_rows: BTreeSet<NaiveDate>,
    closed: BTreeSet<NaiveDate>,
    /// Local days of instants in the centre's zone.
    dates: LocalDates,
}

impl RowRules {
    /// The rules of `table` over the columns read, by canonical name in
    /// read order. Rules naming a column that was not read do not apply
    /// (the store reads every rule column the file has).
    pub fn new(table: &TableSchema, read: &[(String, ColumnType)], period: PeriodContext) -> Self {
        let index = |name: &str| read.iter().position(|(n, _)| n == name);
        let columns = read
            .iter()
            .map(|(name, t)| {
                let schema = table.columns.iter().find(|c| c.matches(name));
                (
                    name.clone(),
                    *t,
                    schema.and_then(|c| c.min),
                    schema.and_then(|c| c.max),
                )
            })
            .collect();
        let key: Vec<usize> = table.key.iter().filter_map(|k| index(k)).collect();
        let key = if key.len() == table.key.len() {
            key
        } else {
            Vec::new()
        };
        let ordered = table
            .ordered
            .iter()
            .filter_map(|[a, b]| Some((index(a)?, index(b)?)))
            .collect();
        let day = 86_400 * period.units_per_second;
        let plausible = (
            period.instant_of(period.start) - PLAUSIBLE_DAYS * day,
            period.instant_of(period.end) + (PLAUSIBLE_DAYS + 1) * day,
        );
        RowRules {
            columns,
            key,
            ordered,
            period_column: table.period_column.as_deref().and_then(index),
            coverage: table.coverage,
            period,
            plausible,
            keys_seen: HashMap::default(),
            rising: Some(RisingKeys::default()),
            joined_keys: Vec::new(),
            absorbed_keys: Vec::new(),
            keys_checked_when_joined: false,
            joined_range: None,
            outside_period: 0,
            days_with_rows: BTreeSet::new(),
            closed: BTreeSet::new(),
            dates: LocalDates::new(period.tz),
        }
    }

    /// Days the centre was closed: not counted as missing.
    pub fn with_closed_days(mut self, closed: BTreeSet<NaiveDate>) -> Self {
        self.closed = closed;
        self
    }

    /// Rules for one piece of a body read side by side: no key is checked
    /// as the rows are read; every key is listed, and
    /// [`Self::joined_keys_unique`] checks them all, across and within
    /// pieces, once every piece is joined (a repeat anywhere sends the body
    /// to the reading in file order, which decides which row is the
    /// duplicate). A piece's keys entered a map of keys as soon as one of
    /// them did not rise, a random access per row: a follow-up export with a
    /// few corrected contacts out of id order spent 0.2 s of CPU there at
    /// two million rows.
    /// `rows` is about how many rows the piece holds (room for their keys).
    pub fn check_keys_when_joined(&mut self, rows: usize) {
        self.keys_checked_when_joined = true;
        self.rising = None;
        self.joined_range = Some(RisingRange::default());
        if !self.key.is_empty() {
            self.joined_keys.reserve_exact(rows);
        }
    }

    /// The key columns checked for duplicates (empty when not all were read).
    pub fn key_columns(&self) -> Vec<&str> {
        self.key
            .iter()
            .map(|&i| self.columns[i].0.as_str())
            .collect()
    }

    /// Checks one row: `values` in read order, `text(i)` the raw cell of
    /// column `i` (read only for the key, so no row is copied), `line` the
    /// record's line. An accepted row is tallied.
    pub fn check<'t>(
        &mut self,
        values: &[Value],
        text: impl Fn(usize) -> &'t str,
        line: u64,
    ) -> Result<(), Violation> {
        self.check_ranges(values)?;
        self.check_instants(values)?;
        self.check_order(values)?;
        if !self.key.is_empty() {
            let hash = self.key_hash(&text);
            if self.keys_checked_when_joined {
                if let Some(range) = &mut self.joined_range
                    && !range.rises(&self.key, &text)
                {
                    self.joined_range = None;
                }
                self.joined_keys.push(hash);
                self.place(values);
                return Ok(());
            }
            if let Some(rising) = &mut self.rising
                && rising.list(&self.key, &text, hash, line)
            {
                self.place(values);
                return Ok(());
            }
            if let Some(rising) = self.rising.take() {
                self.keys_seen.reserve(rising.listed.len());
                for (key, first) in rising.listed {
                    self.keys_seen.entry(key).or_insert(first);
                }
            }
            // One probe: the line is recorded when the key is new.
            let first = match self.keys_seen.entry(hash) {
                Entry::Vacant(new) => {
                    new.insert(line);
                    None
                }
                Entry::Occupied(seen) => Some(*seen.get()),
            };
            if let Some(first) = first {
                let shown: Vec<String> = self
                    .key
                    .iter()
                    .map(|&i| format!("{} `{}`", self.columns[i].0, text(i)))
                    .collect();
                return Err(Violation {
                    reason: reason::DUPLICATE_KEY,
                    column: self.key.first().copied(),
                    message: format!("duplicate key {} (first at line {first})", shown.join(", ")),
                });
            }
        }
        self.place(values);
        Ok(())
    }

    fn check_ranges(&self, values: &[Value]) -> Result<(), Violation> {
        for (i, (v, (_, _, min, max))) in values.iter().zip(&self.columns).enumerate() {
            let Value::Number(x) = *v else { continue };
            let below = min.is_some_and(|m| x < m);
            let above = max.is_some_and(|m| x > m);
            if below || above {
                let bound = match (min, max) {
                    (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
                    (Some(lo), None) => format!("at least {lo}"),
                    (None, Some(hi)) => format!("at most {hi}"),
                    (None, None) => String::new(),
                };
                return Err(Violation {
                    reason: reason::OUT_OF_RANGE,
                    column: Some(i),
                    message: format!("must be {bound}, found {x}"),
                });
            }
        }
        Ok(())
    }

    fn check_instants(&self, values: &[Value]) -> Result<(), Violation> {
        for (i, v) in values.iter().enumerate() {
            if let Value::Instant(t) = *v
                && (t < self.plausible.0 || t >= self.plausible.1)
            {
                return Err(Violation {
                    reason: reason::IMPLAUSIBLE,
                    column: Some(i),
                    message: format!(
                        "more than {PLAUSIBLE_DAYS} days away from the period {} to {}",
                        self.period.start, self.period.end
                    ),
                });
            }
        }
        Ok(())
    }

    fn check_order(&self, values: &[Value]) -> Result<(), Violation> {
        for &(a, b) in &self.ordered {
            let before = match (values[a], values[b]) {
                (Value::Instant(x), Value::Instant(y)) => y < x,
                (Value::Date(x), Value::Date(y)) => y < x,
                _ => false,
            };
            if before {
                return Err(Violation {
                    reason: reason::OUT_OF_ORDER,
                    column: Some(b),
                    message: format!("before `{}`", self.columns[a].0),
                });
            }
        }
        Ok(())
    }

    /// Every key accepted so far (listed or in the map), leaving none.
    fn take_keys(&mut self) -> impl Iterator<Item = u128> + use<> {
        let listed = self.rising.as_mut().map(|r| std::mem::take(&mut r.listed));
        let seen = std::mem::take(&mut self.keys_seen);
        listed
            .into_iter()
            .flatten()
            .map(|(key, _)| key)
            .chain(seen.into_keys())
    }

    /// The row's key as 128 bits: a key of one cell of at most
    /// [`PACKED_KEY_BYTES`] bytes (ids such as `C000000001`) packed as it is
    /// ([`packed_key`]: exact, and a quarter of the cost of hashing it),
    /// else a hash of its cells.
    fn key_hash<'t>(&self, text: &impl Fn(usize) -> &'t str) -> u128 {
        if let [i] = self.key[..]
            && let Some(packed) = packed_key(text(i))
        {
            return packed;
        }
        // A 128-bit SipHash in one pass over the key's cells: a false
        // duplicate among millions of keys is out of reach (about 1e-26),
        // against another hash or a packed key alike.
        use siphasher::sip128::Hasher128;
        let mut h = siphasher::sip128::SipHasher13::new();
        for &i in &self.key {
            text(i).hash(&mut h);
        }
        h.finish128().as_u128()
    }

    /// The local day of an instant (the period's first day when out of range).
    fn local_day(&mut self, t: i64) -> NaiveDate {
        self.dates
            .date(t.div_euclid(self.period.units_per_second))
            .unwrap_or(self.period.start)
    }

    fn place(&mut self, values: &[Value]) {
        let Some(i) = self.period_column else { return };
        let (first, last) = match values[i] {
            Value::Date(d) => (d, d),
            Value::Month(m) => (m, last_of_month(m)),
            Value::Instant(t) => {
                let d = self.local_day(t);
                (d, d)
            }
            _ => return,
        };
        if last < self.period.start || first > self.period.end {
            self.outside_period += 1;
        } else if self.coverage.is_some()
            && first == last
            // Rows in time order add to the latest day: not entered again.
            && self.days_with_rows.last() != Some(&first)
        {
            self.days_with_rows.insert(first);
        }
    }

    /// Adds the rows `later` accepted (rows after those these accepted).
    /// Whether one of them repeats a key of these is told by
    /// [`Self::joined_keys_unique`] once every piece is in: the keys are
    /// listed (16 bytes each), not merged into one map, which at two million
    /// rows took 200 MB while it grew.
    pub fn absorb(&mut self, mut later: RowRules) {
        let own: Vec<u128> = self.take_keys().collect();
        let theirs: Vec<u128> = later.take_keys().collect();
        let runs = [own, theirs, std::mem::take(&mut later.joined_keys)];
        self.absorbed_keys
            .extend(runs.into_iter().filter(|r| !r.is_empty()));
        self.absorbed_keys.append(&mut later.absorbed_keys);
        self.joined_range = match (self.joined_range.take(), later.joined_range.take()) {
            (Some(these), Some(those)) => these.followed_by(those),
            _ => None,
        };
        self.outside_period += later.outside_period;
        self.days_with_rows.extend(later.days_with_rows);
    }

    /// False when a key of a piece joined by [`Self::absorb`] repeats
    /// another key of the pieces (a piece either checked its own keys as it
    /// was read, or, under [`Self::check_keys_when_joined`], left them all to
    /// this check), which reading in file order would have refused.
    ///
    /// Pieces that sorted their own keys ([`Self::sort_joined_keys`]) join
    /// as runs already in order, which [`no_key_twice`] checks part by part
    /// without joining them: the work left after the last piece is read is
    /// short, and shared by the cores.
    ///
    /// Keys that rose within every piece and from each piece to the next
    /// (ids in order, as exports mostly are) are unique without a look at
    /// their hashes.
    pub fn joined_keys_unique(&mut self) -> bool {
        if self.joined_range.is_some() {
            return true;
        }
        let mut runs = std::mem::take(&mut self.absorbed_keys);
        runs.insert(0, std::mem::take(&mut self.joined_keys));
        for run in &mut runs {
            if !run.is_sorted() {
                run.sort_unstable();
            }
        }
        no_key_twice(&runs)
    }

    /// Sorts the keys this piece holds for [`Self::joined_keys_unique`],
    /// unless they rose (the join sorts them only if another piece's did
    /// not, or the pieces overlap).
    pub fn sort_joined_keys(&mut self) {
        if self.joined_range.is_none() {
            self.joined_keys.sort_unstable();
        }
    }

    /// Where the accepted rows fell.
    pub fn finish(self) -> Placement {
        let days_missing = match self.coverage {
            Some(Coverage::Daily) if self.period_column.is_some() => {
                missing_days(&self.days_with_rows, self.period.start, self.period.end)
                    .into_iter()
                    .filter(|d| !self.closed.contains(d))
                    .collect()
            }
            _ => Vec::new(),
        };
        Placement {
            outside_period: self.outside_period,
            days_missing,
        }
    }
}

/// The longest key cell [`packed_key`] packs.
const PACKED_KEY_BYTES: usize = 15;

/// A key cell of at most [`PACKED_KEY_BYTES`] bytes as 128 bits that no
/// other such cell has: its bytes, zero-padded, and its length in the last
/// byte (so `a` and `a\0` differ), passed through [`spread`], a bijection
/// that spreads them over every bit as a hash would (the map of keys and
/// [`no_key_twice`] take the bits as they come). `None` for a longer cell.
///
/// Read with a few loads of whole words (overlapping where the cell is
/// short), not copied into a buffer read back at once (a stall on every row).
fn packed_key(cell: &str) -> Option<u128> {
    let b = cell.as_bytes();
    let len = b.len();
    if len > PACKED_KEY_BYTES {
        return None;
    }
    let (head, tail) = b.split_at(len.min(8));
    let low = padded_le(head);
    let high = padded_le(tail) | (len as u64) << 56;
    Some(spread(u128::from(high) << 64 | u128::from(low)))
}

/// Up to eight bytes as a little-endian `u64`, zero-padded above them: at
/// most two loads, overlapping ones when there are fewer than eight (as
/// `cxaudit_metrics::fcr` packs customer ids, big-endian there).
fn padded_le(b: &[u8]) -> u64 {
    let len = b.len();
    match len {
        8.. => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        4..=7 => {
            let first = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let last = u32::from_le_bytes([b[len - 4], b[len - 3], b[len - 2], b[len - 1]]);
            // `last` covers bytes len-4..len; over the first four it repeats them.
            u64::from(first) | u64::from(last) << (8 * (len - 4))
        }
        1..=3 => {
            let at = |i: usize| u64::from(b[i]) << (8 * i);
            at(0) | at(len / 2) | at(len - 1)
        }
        0 => 0,
    }
}

/// The odd multiplier of [`spread`].
const SPREAD_ODD: u128 = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835;

/// A bijection of 128-bit numbers whose top bits, and the xor of its two
/// halves (what the map of keys and [`no_key_twice`] read), depend on every
/// input bit: each step can be undone (an xor of the high half into the
/// low, a product by an odd number modulo 2^128), so distinct keys stay
/// distinct.
fn spread(mut x: u128) -> u128 {
    x ^= x >> 64;
    x = x.wrapping_mul(SPREAD_ODD);
    x ^= x >> 64;
    x.wrapping_mul(SPREAD_ODD)
}

/// The hasher of the map of keys seen: its keys are 128-bit hashes of the
/// key cells, or short cells packed and spread as a hash's bits are
/// ([`RowRules::key_hash`]), so their bits are used as they are instead of
/// being hashed again.
#[derive(Default)]
struct KeyHashes(u64);

impl Hasher for KeyHashes {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u128` keys are hashed; any other input is folded in whole.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u128(&mut self, key: u128) {
        self.0 ^= (key as u64) ^ ((key >> 64) as u64);
    }
}

fn last_of_month(first: NaiveDate) -> NaiveDate {
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).unwrap_or(first)
}

/// Days of `start..=end` without rows, on weekdays that have rows on some
/// day of the period (a weekday with none is taken as a closed day). An
/// empty table misses no day here: it has no rows at all, which the run
/// reports on its own.
pub fn missing_days(
    with_rows: &BTreeSet<NaiveDate>,
    start: NaiveDate,
    end: NaiveDate,
) -> Vec<NaiveDate> {
    if with_rows.is_empty() {
        return Vec::new();
    }
    let mut open = [false; 7];
    for d in with_rows {
        open[weekday_index(d.weekday())] = true;
    }
    start
        .iter_days()
        .take_while(|d| *d <= end)
        .filter(|d| open[weekday_index(d.weekday())] && !with_rows.contains(d))
        .collect()
}

fn weekday_index(w: Weekday) -> usize {
    w.num_days_from_monday() as usize
}

/// Parts of the key space [`no_key_twice`] checks one at a time.
const KEY_PARTS: u32 = 64;

/// Keys below which [`no_key_twice`] keeps to the calling thread.
const KEYS_FOR_THREADS: usize = 1 << 16;

/// Whether no key is in `runs` twice, within a run or across runs; each
/// run is in ascending order. The key space is cut into [`KEY_PARTS`] parts
/// by the keys' top bits (keys are SipHash values or packed keys spread
/// by [`spread`], either way even over them); each part's keys, from every run, are gathered and sorted on their
/// own (a part of two million keys, 30,000 of them, fits in the processor's
/// cache), several parts at a time. Joining the runs into one list to sort
/// copied every key into new memory, on one core, after the last piece.
fn no_key_twice(runs: &[Vec<u128>]) -> bool {
    let total: usize = runs.iter().map(Vec::len).sum();
    let workers = if total < KEYS_FOR_THREADS {
        1
    } else {
        crate::parallel::cores()
    };
    let shift = 128 - KEY_PARTS.trailing_zeros();
    let part_of = |key: &u128| (key >> shift) as u32;
    let parts: Vec<u32> = (0..KEY_PARTS).collect();
    let unique_in_part = |&part: &u32| {
        let mut keys = Vec::new();
        for run in runs {
            let start = run.partition_point(|k| part_of(k) < part);
            let end = start + run[start..].partition_point(|k| part_of(k) == part);
            keys.extend_from_slice(&run[start..end]);
        }
        keys.sort_unstable();
        keys.windows(2).all(|pair| pair[0] != pair[1])
    };
    crate::parallel::map_in_order(&parts, workers, unique_in_part, |_| {})
        .into_iter()
        .all(|unique| unique)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::ColumnSchema;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn col(name: &str, t: ColumnType, min: Option<f64>) -> ColumnSchema {
        ColumnSchema {
            name: name.into(),
            column_type: t,
            nullable: true,
            values: None,
            min,
            max: None,
            low_cardinality: false,
            references: None,
        }
    }

    fn contacts() -> TableSchema {
        TableSchema {
            description: String::new(),
            columns: vec![
                col("contact_id", ColumnType::String, None),
                col("arrived_at", ColumnType::Timestamp, None),
                col("answered_at", ColumnType::Timestamp, None),
                col("talk_seconds", ColumnType::Float, Some(0.0)),
            ],
            key: vec!["contact_id".into()],
            period_column: Some("arrived_at".into()),
            ordered: vec![["arrived_at".into(), "answered_at".into()]],
            coverage: Some(Coverage::Daily),
        }
    }

    fn rules() -> RowRules {
        let read = vec![
            ("contact_id".to_owned(), ColumnType::String),
            ("arrived_at".to_owned(), ColumnType::Timestamp),
            ("answered_at".to_owned(), ColumnType::Timestamp),
            ("talk_seconds".to_owned(), ColumnType::Float),
        ];
        RowRules::new(
            &contacts(),
            &read,
            PeriodContext {
                start: d("2026-03-02"),
                end: d("2026-03-08"),
                tz: chrono_tz::UTC,
                units_per_second: 1,
            },
        )
    }

    fn at(day: &str, h: u32) -> Value {
        Value::Instant(d(day).and_hms_opt(h, 0, 0).unwrap().and_utc().timestamp())
    }

    /// A row that breaks no rule but, maybe, the key's.
    fn valid_row() -> [Value; 4] {
        [
            Value::Other,
            at("2026-03-02", 10),
            at("2026-03-02", 11),
            Value::Number(1.0),
        ]
    }

    #[test]
    fn ranges_order_plausibility_and_duplicates() {
        let mut r = rules();
        let ok = [
            Value::Other,
            at("2026-03-02", 10),
            at("2026-03-02", 11),
            Value::Number(30.0),
        ];
        assert_eq!(r.check(&ok, |i| ["K1", "", "", ""][i], 2), Ok(()));
        // Negative talk time.
        let neg = [
            Value::Other,
            at("2026-03-02", 10),
            Value::Null,
            Value::Number(-1.0),
        ];
        let v = r.check(&neg, |i| ["K2", "", "", ""][i], 3).unwrap_err();
        assert_eq!((v.reason, v.column), (reason::OUT_OF_RANGE, Some(3)));
        assert_eq!(v.message, "must be at least 0, found -1");
        // Answered before it arrived.
        let back = [
            Value::Other,
            at("2026-03-03", 10),
            at("2026-03-03", 9),
            Value::Number(1.0),
        ];
        let v = r.check(&back, |i| ["K3", "", "", ""][i], 4).unwrap_err();
        assert_eq!(v.reason, reason::OUT_OF_ORDER);
        assert_eq!(
            (v.column, v.message.as_str()),
            (Some(2), "before `arrived_at`")
        );
        // Year 9999.
        let far = [
            Value::Other,
            at("9999-01-01", 0),
            Value::Null,
            Value::Number(1.0),
        ];
        assert_eq!(
            r.check(&far, |i| ["K4", "", "", ""][i], 5)
                .unwrap_err()
                .reason,
            reason::IMPLAUSIBLE
        );
        // K1 again: a duplicate naming the first line; rejected rows left no key.
        let v = r.check(&ok, |i| ["K1", "", "", ""][i], 6).unwrap_err();
        assert_eq!(v.reason, reason::DUPLICATE_KEY);
        assert_eq!(v.message, "duplicate key contact_id `K1` (first at line 2)");
        assert_eq!(
            r.check(
                &neg.map(|x| if x == Value::Number(-1.0) {
                    Value::Number(0.0)
                } else {
                    x
                }),
                |i| ["K2", "", "", ""][i],
                7
            ),
            Ok(())
        );
    }

    /// Checks a valid row whose key is `key` at `line`, against the keys
    /// checked before by the same checker: the violation's message.
    fn key_checker() -> impl FnMut(&'static str, u64) -> Result<(), String> {
        let (row, mut r) = (valid_row(), rules());
        move |key, line| {
            r.check(&row, |i| [key, "", "", ""][i], line)
                .map_err(|v| v.message)
        }
    }

    #[test]
    fn duplicates_are_found_before_and_after_the_keys_stop_rising() {
        let row = valid_row();
        let mut check = key_checker();
        // Rising keys are listed, not probed; the first key that does not
        // rise (K2 again) meets every earlier key, with its line.
        for (line, key) in [(2, "K1"), (3, "K2"), (4, "K3")] {
            assert_eq!(check(key, line), Ok(()));
        }
        assert_eq!(
            check("K2", 5),
            Err("duplicate key contact_id `K2` (first at line 3)".into())
        );
        assert_eq!(check("K0", 6), Ok(()));
        assert_eq!(
            check("K3", 7),
            Err("duplicate key contact_id `K3` (first at line 4)".into())
        );
        assert_eq!(
            check("K0", 8),
            Err("duplicate key contact_id `K0` (first at line 6)".into())
        );
        assert_eq!(check("K9", 9), Ok(()));

        // Pieces read apart: a rising piece and a later one repeating its
        // last key are not unique once joined; distinct pieces are.
        let piece = |keys: &[&'static str]| {
            let mut r = rules();
            for (line, key) in keys.iter().enumerate() {
                assert_eq!(
                    r.check(&row, |i| [*key, "", "", ""][i], line as u64 + 2),
                    Ok(())
                );
            }
            r
        };
        let mut joined = piece(&["K1", "K2", "K3"]);
        joined.absorb(piece(&["K3", "K4"]));
        assert!(!joined.joined_keys_unique());
        let mut joined = piece(&["K1", "K2", "K3"]);
        joined.absorb(piece(&["K5", "K4"]));
        assert!(joined.joined_keys_unique());
    }

    #[test]
    fn packed_and_hashed_keys_find_the_same_duplicates() {
        // Keys out of order (probed in the map): 15-byte ids packed, 16-byte
        // ids hashed, a key and the same with a NUL byte apart.
        let mut check = key_checker();
        let (packed, hashed) = ("C00000000000002", "C000000000000002");
        for (line, key) in [(2, packed), (3, hashed), (4, "C1"), (5, "C1\0"), (6, "C0")] {
            assert_eq!(check(key, line), Ok(()), "{key:?}");
        }
        assert_eq!(
            check(packed, 7),
            Err(format!(
                "duplicate key contact_id `{packed}` (first at line 2)"
            ))
        );
        assert_eq!(
            check(hashed, 8),
            Err(format!(
                "duplicate key contact_id `{hashed}` (first at line 3)"
            ))
        );
        assert_eq!(
            check("C1\0", 9),
            Err("duplicate key contact_id `C1\0` (first at line 5)".into())
        );
    }

    #[test]
    fn pieces_leaving_their_keys_to_the_join_are_checked_across_and_within() {
        // Keys that do not rise in text order (`K10` before `K2`): the
        // hashes tell.
        let keys = |from: usize, to: usize| (from..to).map(|k| format!("K{k}")).collect::<Vec<_>>();
        let joined = joined_unique;
        // Enough keys for the check to share its parts among threads.
        let (a, b, c) = (keys(0, 40_000), keys(40_000, 80_000), keys(80_000, 90_000));
        assert!(joined(&[a.clone(), b.clone(), c.clone()]));
        let mut c_again = c.clone();
        c_again.push("K39999".into());
        assert!(!joined(&[a.clone(), b.clone(), c_again]), "across pieces");
        let mut b_twice = b.clone();
        b_twice.push("K50000".into());
        assert!(!joined(&[a, b_twice, c]), "within a piece");
    }

    /// Pieces read apart with their keys left to the join, as
    /// `read_side_by_side` reads them, and their verdict.
    fn joined_unique(pieces: &[Vec<String>]) -> bool {
        let row = valid_row();
        let piece = |keys: &[String]| {
            let mut r = rules();
            r.check_keys_when_joined(keys.len());
            for (line, key) in keys.iter().enumerate() {
                let checked = r.check(&row, |i| [key.as_str(), "", "", ""][i], line as u64 + 2);
                assert_eq!(checked, Ok(()), "a piece checks no key as it reads");
            }
            r.sort_joined_keys();
            r
        };
        let mut first = piece(&pieces[0]);
        for later in &pieces[1..] {
            first.absorb(piece(later));
        }
        first.joined_keys_unique()
    }

    #[test]
    fn keys_rising_through_the_pieces_are_unique_without_sorting() {
        let keys = |ks: &[&str]| ks.iter().map(|k| k.to_string()).collect::<Vec<_>>();
        // A rising piece keeps its keys' hashes in reading order: nothing
        // sorted them.
        let mut r = rules();
        r.check_keys_when_joined(3);
        for (line, key) in ["K1", "K2", "K3"].into_iter().enumerate() {
            assert_eq!(
                r.check(&valid_row(), |i| [key, "", "", ""][i], line as u64),
                Ok(())
            );
        }
        let hashes = r.joined_keys.clone();
        r.sort_joined_keys();
        assert_eq!(r.joined_keys, hashes);
        assert_eq!(
            r.joined_range,
            Some(RisingRange {
                first: keys(&["K1"]),
                last: keys(&["K3"])
            })
        );
        // Rising within and across pieces (an empty one among them).
        assert!(joined_unique(&[
            keys(&["K1", "K2"]),
            vec![],
            keys(&["K3", "K4"])
        ]));
        // Rising within each, overlapping across: told by the hashes.
        assert!(!joined_unique(&[
            keys(&["K1", "K2", "K3"]),
            keys(&["K3", "K4"])
        ]));
        assert!(joined_unique(&[keys(&["K1", "K5"]), keys(&["K3", "K4"])]));
        // A later piece that does not rise, repeating a key of a rising one.
        assert!(!joined_unique(&[keys(&["K1", "K2"]), keys(&["K4", "K2"])]));
        assert!(joined_unique(&[keys(&["K1", "K2"]), keys(&["K4", "K3"])]));
        // A repeat right after itself does not rise.
        assert!(!joined_unique(&[keys(&["K1", "K1"])]));
    }

    proptest::proptest! {
        /// Pieces' keys left to the join are unique exactly when no key is
        /// in them twice, whether they rise (sorted pieces, mostly) or not.
        #[test]
        fn joined_keys_are_unique_exactly_when_no_key_repeats(
            pieces in proptest::collection::vec(
                (proptest::collection::vec(0u32..40, 0..8), proptest::bool::ANY), 1..5),
        ) {
            let pieces: Vec<Vec<String>> = pieces
                .into_iter()
                .map(|(mut keys, sorted)| {
                    if sorted {
                        keys.sort_unstable();
                    }
                    keys.into_iter().map(|k| format!("K{k:02}")).collect()
                })
                .collect();
            let mut all: Vec<&String> = pieces.iter().flatten().collect();
            let total = all.len();
            all.sort_unstable();
            all.dedup();
            proptest::prop_assert_eq!(joined_unique(&pieces), all.len() == total);
        }

        /// The check by parts agrees with sorting every key together, with
        /// keys crowded at the edges of the parts (the top six bits) and
        /// repeats within and across runs.
        #[test]
        fn no_key_twice_agrees_with_one_sort(
            runs in proptest::collection::vec(
                proptest::collection::vec((0u32..4, 0u128..6), 0..30), 1..5),
            many in proptest::bool::ANY,
        ) {
            // Parts 0, 1, 62 and 63, each at its first and last keys.
            let key = |(part, low): (u32, u128)| {
                let top = u128::from([0u32, 1, 62, 63][part as usize]) << 122;
                if low < 3 { top | low } else { top | ((1u128 << 122) - 1 - (low - 3)) }
            };
            let mut runs: Vec<Vec<u128>> = runs
                .into_iter()
                .map(|run| run.into_iter().map(key).collect())
                .collect();
            if many {
                // Past the size at which the parts go to threads.
                runs.push((0..KEYS_FOR_THREADS as u128).map(|k| (k + 7) << 64).collect());
            }
            for run in &mut runs {
                run.sort_unstable();
            }
            let mut all: Vec<u128> = runs.concat();
            all.sort_unstable();
            let expected = all.windows(2).all(|pair| pair[0] != pair[1]);
            proptest::prop_assert_eq!(no_key_twice(&runs), expected);
        }
    }

    #[test]
    fn placement_counts_outside_rows_and_missing_days() {
        let mut r = rules();
        // Rows on 03-02, 03-04 and 03-08 (Mon, Wed, Sun) and one on 03-10.
        for (i, day) in ["2026-03-02", "2026-03-04", "2026-03-08", "2026-03-10"]
            .iter()
            .enumerate()
        {
            let row = [Value::Other, at(day, 12), Value::Null, Value::Number(1.0)];
            let id = format!("K{i}");
            r.check(&row, |i| [id.as_str(), "", "", ""][i], i as u64 + 2)
                .unwrap();
        }
        let p = r.finish();
        assert_eq!(p.outside_period, 1);
        // Open weekdays: Mon, Wed, Sun (each has rows); every day of the
        // period on those weekdays has rows, so none is missing; Tue, Thu,
        // Fri, Sat have none at all: closed.
        assert!(p.days_missing.is_empty());
    }

    #[test]
    fn a_day_without_rows_on_an_open_weekday_is_missing() {
        // Two weeks, open every day, 03-10 (a Tuesday) without rows.
        let with: BTreeSet<NaiveDate> = d("2026-03-02")
            .iter_days()
            .take(14)
            .filter(|x| *x != d("2026-03-10"))
            .collect();
        assert_eq!(
            missing_days(&with, d("2026-03-02"), d("2026-03-15")),
            [d("2026-03-10")]
        );
        assert!(missing_days(&BTreeSet::new(), d("2026-03-02"), d("2026-03-15")).is_empty());
    }

    #[test]
    fn local_days_follow_the_time_zone() {
        let mut r = rules();
        r.period.tz = chrono_tz::America::New_York;
        r.dates = LocalDates::new(r.period.tz);
        // 03:00 UTC on 03-03 is 22:00 on 03-02 in New York (UTC-5).
        let t = d("2026-03-03")
            .and_hms_opt(3, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        assert_eq!(r.local_day(t), d("2026-03-02"));
        assert_eq!(r.local_day(t + 1800), d("2026-03-02"));
        assert_eq!(r.local_day(t + 5 * 3600), d("2026-03-03"));
    }

    #[test]
    fn millisecond_instants_map_to_local_days_and_the_plausibility_window() {
        // The host's timestamps are UTC milliseconds.
        let mut r = rules();
        r.period.units_per_second = 1000;
        r.period.tz = chrono_tz::America::New_York;
        r.dates = LocalDates::new(r.period.tz);
        let ms = |day: &str, h: u32, m: u32, s: u32, milli: i64| {
            d(day)
                .and_hms_opt(h, m, s)
                .unwrap()
                .and_utc()
                .timestamp_millis()
                + milli
        };
        // 04:59:59.999 UTC on 03-03 is 23:59:59.999 on 03-02 in New York;
        // one millisecond later is midnight of 03-03.
        assert_eq!(
            r.local_day(ms("2026-03-03", 4, 59, 59, 999)),
            d("2026-03-02")
        );
        assert_eq!(r.local_day(ms("2026-03-03", 5, 0, 0, 0)), d("2026-03-03"));
        // Before the epoch: the day still rounds down (not toward zero).
        assert_eq!(r.local_day(-1), d("1969-12-31"));

        // The 366-day window, in milliseconds, built by `new`.
        let mut r = RowRules::new(
            &contacts(),
            &[
                ("contact_id".to_owned(), ColumnType::String),
                ("arrived_at".to_owned(), ColumnType::Timestamp),
            ],
            PeriodContext {
                start: d("2026-03-02"),
                end: d("2026-03-08"),
                tz: chrono_tz::UTC,
                units_per_second: 1000,
            },
        );
        let earliest = ms("2026-03-02", 0, 0, 0, 0) - PLAUSIBLE_DAYS * 86_400_000;
        let after_last = ms("2026-03-09", 0, 0, 0, 0) + PLAUSIBLE_DAYS * 86_400_000;
        assert_eq!(r.plausible, (earliest, after_last));
        let row = |t: i64| [Value::Other, Value::Instant(t)];
        assert_eq!(r.check(&row(earliest), |i| ["K1", ""][i], 2), Ok(()));
        assert_eq!(r.check(&row(after_last - 1), |i| ["K2", ""][i], 3), Ok(()));
        for (i, t) in [earliest - 1, after_last].into_iter().enumerate() {
            let id = format!("K{}", i + 3);
            let v = r
                .check(&row(t), |i| [id.as_str(), ""][i], i as u64 + 4)
                .unwrap_err();
            assert_eq!((v.reason, v.column), (reason::IMPLAUSIBLE, Some(1)));
        }
        // The two plausible rows at the edges of the window are outside the
        // period; a millisecond instant inside it counts on its local day.
        assert_eq!(r.outside_period, 2);
        assert_eq!(
            r.check(&row(ms("2026-03-04", 12, 0, 0, 500)), |i| ["K9", ""][i], 9),
            Ok(())
        );
        assert_eq!(r.outside_period, 2);
        assert!(r.days_with_rows.contains(&d("2026-03-04")));
        // The last millisecond of the period is inside it, the next one not.
        r.check(
            &row(ms("2026-03-08", 23, 59, 59, 999)),
            |i| ["K10", ""][i],
            10,
        )
        .unwrap();
        assert_eq!(r.outside_period, 2);
        r.check(&row(ms("2026-03-09", 0, 0, 0, 0)), |i| ["K11", ""][i], 11)
            .unwrap();
        assert_eq!(r.outside_period, 3);
    }

    /// [`spread`] undone, step by step.
    fn unspread(mut x: u128) -> u128 {
        // The inverse of an odd number modulo 2^128, by Newton's iteration.
        let mut inverse: u128 = SPREAD_ODD;
        for _ in 0..7 {
            inverse = inverse.wrapping_mul(2u128.wrapping_sub(SPREAD_ODD.wrapping_mul(inverse)));
        }
        assert_eq!(SPREAD_ODD.wrapping_mul(inverse), 1);
        x = x.wrapping_mul(inverse);
        x ^= x >> 64;
        x = x.wrapping_mul(inverse);
        x ^ (x >> 64)
    }

    #[test]
    fn sequential_ids_packed_spread_over_the_parts_of_the_key_space() {
        // A million ids that differ in their last digits only: each of the
        // 64 parts no_key_twice checks on its own gets close to its share.
        let shift = 128 - KEY_PARTS.trailing_zeros();
        let mut parts = vec![0u32; KEY_PARTS as usize];
        for n in 0..1_000_000u32 {
            let key = packed_key(&format!("C{n:09}")).unwrap();
            parts[(key >> shift) as usize] += 1;
        }
        let share = 1_000_000 / KEY_PARTS;
        assert!(
            parts
                .iter()
                .all(|&p| p > share * 9 / 10 && p < share * 11 / 10),
            "{parts:?}"
        );
    }

    proptest::proptest! {
        /// A packed key is the cell's bytes, zero-padded, and its length in
        /// the last byte, spread by a bijection: two cells share one only
        /// when they are the same. Longer cells are hashed instead.
        #[test]
        fn packed_keys_are_the_cells_bytes_and_length_spread(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..=18),
        ) {
            let cell = String::from_utf8_lossy(&bytes).into_owned();
            let b = cell.as_bytes();
            let expected = (b.len() <= PACKED_KEY_BYTES).then(|| {
                let mut packed = [0u8; 16];
                packed[..b.len()].copy_from_slice(b);
                packed[15] = b.len() as u8;
                u128::from_le_bytes(packed)
            });
            proptest::prop_assert_eq!(packed_key(&cell).map(unspread), expected);
        }
    }
}
