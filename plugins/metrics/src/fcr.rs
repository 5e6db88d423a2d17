//! First contact resolution (FCR) from repeat contacts.
//!
//! A contact is a *repeat-generator* if the same customer has another contact (any,
//! abandoned included) arriving in `(ended_at, ended_at + window]`.
//! `FCR = 1 - repeat_generators / eligible`.
//!
//! Every contact falls in exactly one class, checked in this order:
//! 1. no customer id (`None` or empty string) -> `excluded_no_customer`;
//! 2. abandoned -> `excluded_abandoned`;
//! 3. no `ended_at` -> `excluded_no_end`;
//! 4. window end `ended_at + window` after the data end -> `censored` (right-censoring);
//! 5. otherwise eligible, and a repeat-generator or resolved.
//!
//! The data end is the latest `arrived_at` over all rows unless given explicitly.
//! Complexity O(n log n): customer ids are interned to u32, then compact
//! `(customer, arrival, row)` keys are sorted; the result does not depend on row order.

use crate::hash::StrMap;

use crate::MetricError;

/// Seconds per day used to convert the window.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// Default repeat window in days.
pub const DEFAULT_WINDOW_DAYS: u32 = 7;

/// One contact for FCR, borrowing its identifiers (no copies for large inputs).
/// Times are ticks of one clock: Unix seconds, or Unix milliseconds with
/// [`FcrParams::ticks_per_second`] = 1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FcrContact<'a> {
    /// Customer identifier; `None` or empty means unknown.
    pub customer_id: Option<&'a str>,
    /// Arrival time.
    pub arrived_at: i64,
    /// End of the contact (after wrap); `None` if not known.
    pub ended_at: Option<i64>,
    /// Handling agent, if any.
    pub agent_id: Option<&'a str>,
    /// Queue the contact arrived on.
    pub queue: &'a str,
    /// The contact was abandoned.
    pub abandoned: bool,
}

/// What classification reads of a contact: its customer, when it arrived
/// and how it ended. [`FcrContact`] carries agent and queue besides, for
/// [`report_from_classes`]; [`FcrVisit`] holds only this, packed.
pub trait FcrRow {
    /// Customer identifier; `None` or empty means unknown.
    fn customer_id(&self) -> Option<&str>;
    /// Arrival time.
    fn arrived_at(&self) -> i64;
    /// How it ended, as classification sorts it: [`END_ABANDONED`],
    /// [`END_MISSING`], or the end time (clamped above the two).
    fn end_code(&self) -> i64;
}

/// The end code of a contact abandoned before an answer.
pub const END_ABANDONED: i64 = i64::MIN;
/// The end code of a contact, not abandoned, without an end time.
pub const END_MISSING: i64 = i64::MIN + 1;

/// The end code of a contact (see [`FcrRow::end_code`]).
fn end_code(abandoned: bool, ended_at: Option<i64>) -> i64 {
    // (real end times are clamped above the two sentinels)
    match (abandoned, ended_at) {
        (true, _) => END_ABANDONED,
        (false, None) => END_MISSING,
        (false, Some(e)) => e.max(END_MISSING + 1),
    }
}

impl FcrRow for FcrContact<'_> {
    fn customer_id(&self) -> Option<&str> {
        self.customer_id
    }

    fn arrived_at(&self) -> i64 {
        self.arrived_at
    }

    fn end_code(&self) -> i64 {
        end_code(self.abandoned, self.ended_at)
    }
}

/// One contact as classification reads it and nothing more (32 bytes, where
/// an [`FcrContact`] takes 80): for callers classifying millions of contacts
/// without drilling down by agent or queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FcrVisit<'a> {
    customer_id: Option<&'a str>,
    arrived_at: i64,
    end: i64,
}

impl<'a> FcrVisit<'a> {
    /// The visit of a contact: its customer (`None` or empty: unknown), its
    /// arrival, its end and whether it was abandoned.
    pub fn new(
        customer_id: Option<&'a str>,
        arrived_at: i64,
        ended_at: Option<i64>,
        abandoned: bool,
    ) -> Self {
        FcrVisit {
            customer_id,
            arrived_at,
            end: end_code(abandoned, ended_at),
        }
    }
}

impl FcrVisit<'_> {
    /// Whether the contact was abandoned before an answer.
    pub fn abandoned(&self) -> bool {
        self.end == END_ABANDONED
    }
}

impl FcrRow for FcrVisit<'_> {
    fn customer_id(&self) -> Option<&str> {
        self.customer_id
    }

    fn arrived_at(&self) -> i64 {
        self.arrived_at
    }

    fn end_code(&self) -> i64 {
        self.end
    }
}

/// FCR parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FcrParams {
    /// Repeat window in days (default 7).
    pub window_days: u32,
    /// Explicit end of the data (on the contacts' clock); default = latest
    /// `arrived_at` in the rows.
    pub data_end: Option<i64>,
    /// Ticks of the contacts' clock per second: 1 for Unix seconds (the
    /// default), 1000 for Unix milliseconds.
    pub ticks_per_second: i64,
}

impl Default for FcrParams {
    fn default() -> Self {
        Self {
            window_days: DEFAULT_WINDOW_DAYS,
            data_end: None,
            ticks_per_second: 1,
        }
    }
}

impl FcrParams {
    /// The repeat window in ticks of the contacts' clock.
    pub fn window_ticks(&self) -> i64 {
        (i64::from(self.window_days) * SECONDS_PER_DAY).saturating_mul(self.ticks_per_second)
    }
}

/// Class of one contact in the FCR computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FcrClass {
    /// Eligible and the customer did not come back within the window.
    Resolved,
    /// Eligible and the customer came back within the window.
    RepeatGenerator,
    /// No customer id.
    NoCustomer,
    /// Abandoned (never eligible, but counts as a repeat for earlier contacts).
    Abandoned,
    /// Not abandoned but without an end time.
    NoEnd,
    /// Window runs past the data end.
    Censored,
}

/// FCR counts for one group (overall, one agent or one queue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FcrCounts {
    /// All contacts in the group.
    pub contacts: u64,
    /// Eligible contacts (denominator).
    pub eligible: u64,
    /// Eligible contacts followed by a repeat within the window.
    pub repeat_generators: u64,
    /// Contacts without a customer id.
    pub excluded_no_customer: u64,
    /// Abandoned contacts.
    pub excluded_abandoned: u64,
    /// Non-abandoned contacts without an end time.
    pub excluded_no_end: u64,
    /// Contacts whose window runs past the data end.
    pub censored: u64,
}

impl FcrCounts {
    /// `FCR = 1 - repeat_generators / eligible`; `None` if nothing is eligible.
    pub fn fcr(&self) -> Option<f64> {
        (self.eligible > 0).then(|| 1.0 - self.repeat_generators as f64 / self.eligible as f64)
    }

    /// Adds one classified contact.
    pub fn add(&mut self, class: FcrClass) {
        self.contacts += 1;
        match class {
            FcrClass::Resolved => self.eligible += 1,
            FcrClass::RepeatGenerator => {
                self.eligible += 1;
                self.repeat_generators += 1;
            }
            FcrClass::NoCustomer => self.excluded_no_customer += 1,
            FcrClass::Abandoned => self.excluded_abandoned += 1,
            FcrClass::NoEnd => self.excluded_no_end += 1,
            FcrClass::Censored => self.censored += 1,
        }
    }
}

/// FCR overall and drilled down by agent and by queue (groups sorted by key; the
/// agent key `None` collects contacts without an agent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FcrReport<'a> {
    /// The data end used for censoring (on the contacts' clock).
    pub data_end: Option<i64>,
    /// Window in seconds.
    pub window_seconds: i64,
    /// All contacts.
    pub overall: FcrCounts,
    /// Per agent, sorted by agent id (`None` first).
    pub by_agent: Vec<(Option<&'a str>, FcrCounts)>,
    /// Per queue, sorted by queue name.
    pub by_queue: Vec<(&'a str, FcrCounts)>,
}

/// Compact per-contact key, in its customer's bucket: arrival, row, end code.
#[derive(Clone, Copy)]
struct Key {
    arrived_at: i64,
    row: u32,
    end: i64,
}

/// The hash customer ids are sorted by (any well-mixed 64-bit hash: equal ids
/// are compared anyway).
fn id_hash(id: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<crate::hash::FxHasher>::default().hash_one(id)
}

fn customer(c: &impl FcrRow) -> Option<&str> {
    c.customer_id().filter(|s| !s.is_empty())
}

/// The longest id [`CustomerCodes`] sorts by its own bytes.
const INLINE_ID_BYTES: usize = 11;

/// An id of at most [`INLINE_ID_BYTES`] bytes as the top 96 bits of a
/// `u128`: its bytes (big-endian, the first the highest), then its length
/// at byte 11 (so `a` and `a\0` differ); the low 32 bits are left for the
/// row.
///
/// Read with a few loads of whole words (overlapping where the id is
/// short), not copied into a 16-byte buffer read back at once: that read
/// cannot be forwarded from the copy's narrower stores, a stall on every
/// contact (78% of this function's samples).
fn inline_key(id: &str) -> Option<u128> {
    let b = id.as_bytes();
    let len = b.len();
    if len > INLINE_ID_BYTES {
        return None;
    }
    let head = left_aligned(&b[..len.min(8)]);
    let tail = left_aligned(&b[len.min(8)..]);
    Some(u128::from(head) << 64 | u128::from(tail) | (len as u128) << 32)
}

/// Up to eight bytes as the high bytes of a big-endian `u64` (the first the
/// highest), the rest zero: at most two loads, overlapping ones when there
/// are fewer than eight. (The engine packs table keys the same way, in its
/// own little-endian order: `evidence::rules::padded_le`.)
fn left_aligned(b: &[u8]) -> u64 {
    let len = b.len();
    match len {
        8.. => u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        4..=7 => {
            let first = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
            let last = u32::from_be_bytes([b[len - 4], b[len - 3], b[len - 2], b[len - 1]]);
            // `last` ends at byte `len - 1`; over the first four it repeats them.
            u64::from(first) << 32 | u64::from(last) << (8 * (8 - len))
        }
        1..=3 => {
            let at = |i: usize| u64::from(b[i]) << (56 - 8 * i);
            at(0) | at(len / 2) | at(len - 1)
        }
        0 => 0,
    }
}

/// The customer of each contact as a dense code, hashed once: [`classify_coded`]
/// classifies these contacts, or any subset of them with [`CustomerCodes::keep`],
/// without hashing the ids again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerCodes {
    /// Per contact, its customer's code; [`CustomerCodes::NONE`] without a customer.
    codes: Vec<u32>,
    /// Distinct customers (codes are `0..customers`).
    customers: usize,
}

impl CustomerCodes {
    /// The code of a contact without a customer id.
    pub const NONE: u32 = u32::MAX;

    /// Interns the customer ids of `contacts` (equality only: the codes carry no
    /// order). `Err(TooManyRows)` above `u32::MAX - 1` contacts.
    ///
    /// The rows are sorted by their id (up to [`INLINE_ID_BYTES`] bytes) or by its
    /// hash (longer ids) rather than looked up in a map of ids: equal ids become
    /// neighbours in a sort that walks memory in order, where a map of a million
    /// ids misses the cache on every probe. Longer ids are then compared within
    /// each run of equal hashes, so ids sharing a hash still get codes of their
    /// own.
    pub fn of(contacts: &[impl FcrRow]) -> Result<Self, MetricError> {
        Self::coded_by(contacts, id_hash)
    }

    /// [`Self::of`] with the longer ids sorted by `hash` (tests make ids
    /// collide with it).
    ///
    /// An id of at most [`INLINE_ID_BYTES`] bytes (most customer ids) is
    /// sorted by its bytes and length themselves, packed with its row into
    /// one `u128`: equal keys are equal ids, so no id is hashed, and none is
    /// read again to compare.
    fn coded_by(contacts: &[impl FcrRow], hash: impl Fn(&str) -> u64) -> Result<Self, MetricError> {
        if contacts.len() >= u32::MAX as usize {
            return Err(MetricError::TooManyRows);
        }
        let mut inline: Vec<u128> = Vec::with_capacity(contacts.len());
        let mut by_hash: Vec<(u64, u32)> = Vec::new();
        for (row, c) in contacts.iter().enumerate() {
            let Some(id) = customer(c) else { continue };
            match inline_key(id) {
                Some(key) => inline.push(key | row as u128),
                None => by_hash.push((hash(id), row as u32)),
            }
        }
        inline.sort_unstable();
        let mut codes = vec![Self::NONE; contacts.len()];
        let mut customers = 0u32;
        for run in inline.chunk_by(|a, b| a >> 32 == b >> 32) {
            for &key in run {
                codes[key as u32 as usize] = customers;
            }
            customers += 1;
        }
        by_hash.sort_unstable();
        let id_of = |row: u32| customer(&contacts[row as usize]);
        for run in by_hash.chunk_by(|a, b| a.0 == b.0) {
            // Each later row's id against the first's (a lone row, the most
            // common customer, reads no id at all).
            let one_customer = run.len() == 1 || {
                let first = id_of(run[0].1);
                run[1..].iter().all(|&(_, row)| id_of(row) == first)
            };
            if one_customer {
                for &(_, row) in run {
                    codes[row as usize] = customers;
                }
                customers += 1;
                continue;
            }
            // Ids sharing a hash (rare): each id's rows coded on a pass over what is
            // left.
            let mut rest: Vec<u32> = run.iter().map(|&(_, row)| row).collect();
            while let Some(&first) = rest.first() {
                let id = id_of(first);
                rest.retain(|&row| {
                    let same = id_of(row) == id;
                    if same {
                        codes[row as usize] = customers;
                    }
                    !same
                });
                customers += 1;
            }
        }
        Ok(CustomerCodes {
            codes,
            customers: customers as usize,
        })
    }

    /// The same codes with the contacts `drop` names left without a customer: they
    /// are classified [`FcrClass::NoCustomer`] and are no repeat of anyone, and
    /// every other contact is classified as with [`Self::keep`] of the rest (given
    /// the same [`FcrParams::data_end`]), without a copy of the rows.
    pub fn without(&self, mut drop: impl FnMut(usize) -> bool) -> Self {
        CustomerCodes {
            codes: self
                .codes
                .iter()
                .enumerate()
                .map(|(i, &code)| if drop(i) { Self::NONE } else { code })
                .collect(),
            customers: self.customers,
        }
    }

    /// The codes of the contacts `keep` keeps, in order (for the same subset of the
    /// contacts).
    pub fn keep(&self, mut keep: impl FnMut(usize) -> bool) -> Self {
        CustomerCodes {
            codes: (0..self.codes.len())
                .filter(|&i| keep(i))
                .map(|i| self.codes[i])
                .collect(),
            customers: self.customers,
        }
    }
}

/// Classifies every contact (same order as the input). See the module doc for the
/// rules. `Err(TooManyRows)` above `u32::MAX - 1` rows.
pub fn classify(
    contacts: &[impl FcrRow],
    params: &FcrParams,
) -> Result<Vec<FcrClass>, MetricError> {
    classify_coded(contacts, &CustomerCodes::of(contacts)?, params)
}

/// [`classify`] with the customers split by the hash of their id into
/// `parts` ([`FcrParts`]), each part classified on a thread of its own: the
/// same classes.
pub fn classify_in_parts<C: FcrRow + Copy + Send + Sync>(
    contacts: &[C],
    params: &FcrParams,
    parts: usize,
) -> Result<Vec<FcrClass>, MetricError> {
    if parts <= 1 {
        return classify(contacts, params);
    }
    let mut split = FcrParts::new(parts, contacts.len());
    for c in contacts {
        split.push(*c)?;
    }
    split.classify(params)
}

/// Contacts to classify, split as they are given into parts by the hash of
/// their customer id, so that each part is classified on a thread of its
/// own ([`FcrParts::classify`]) with the classes of [`classify`] over them
/// all: a contact's class rests only on its own customer's contacts and on
/// the end of the data, which is taken over every contact. Each part holds
/// its rows and where they stand among all.
pub struct FcrParts<C> {
    parts: Vec<(Vec<u32>, Vec<C>)>,
    rows: u32,
    last_arrival: Option<i64>,
}

impl<C: FcrRow + Send + Sync> FcrParts<C> {
    /// No contact yet, to be split into `parts` (at least one; one part is
    /// [`classify`] on one thread, with no hashing to place the contacts),
    /// with room for about `expected` contacts (a part's share, and a
    /// sixteenth more: the hash shares them out evenly).
    pub fn new(parts: usize, expected: usize) -> Self {
        let parts = parts.max(1);
        let room = match parts {
            1 => expected,
            _ => expected / parts + expected / (parts * 16),
        };
        let rows = if parts == 1 { 0 } else { room };
        FcrParts {
            parts: (0..parts)
                .map(|_| (Vec::with_capacity(rows), Vec::with_capacity(room)))
                .collect(),
            rows: 0,
            last_arrival: None,
        }
    }

    /// Adds the next contact; `Err(TooManyRows)` past `u32::MAX - 1`.
    pub fn push(&mut self, c: C) -> Result<(), MetricError> {
        if self.rows == u32::MAX - 1 {
            return Err(MetricError::TooManyRows);
        }
        self.last_arrival = self.last_arrival.max(Some(c.arrived_at()));
        let parts = self.parts.len();
        if parts == 1 {
            // One part: the contacts in order, nothing to place.
            self.parts[0].1.push(c);
        } else {
            // Bits of the hash the coding's sort does not begin with.
            let part = customer(&c).map_or(0, |id| (id_hash(id) >> 7) as usize % parts);
            let (rows, contacts) = &mut self.parts[part];
            rows.push(self.rows);
            contacts.push(c);
        }
        self.rows += 1;
        Ok(())
    }

    /// The class of every contact, in the order they were added.
    pub fn classify(self, params: &FcrParams) -> Result<Vec<FcrClass>, MetricError> {
        self.classify_keeping_codes(params)
            .map(|(classes, _)| classes)
    }

    /// [`Self::classify`], with the customers' codes of the contacts when
    /// they were classified in one part (`None` in several: each part codes
    /// its own), so that a subset of them can be classified again
    /// ([`CustomerCodes::without`], [`classify_coded`]) without coding the
    /// ids anew.
    pub fn classify_keeping_codes(
        self,
        params: &FcrParams,
    ) -> Result<(Vec<FcrClass>, Option<CustomerCodes>), MetricError> {
        let params = FcrParams {
            data_end: params.data_end.or(self.last_arrival),
            ..*params
        };
        if let [(_, contacts)] = self.parts.as_slice() {
            let codes = CustomerCodes::of(contacts)?;
            let classes = classify_coded(contacts, &codes, &params)?;
            return Ok((classes, Some(codes)));
        }
        // Parts are the host's (`cxaudit kpis`, whose panic hook prints where
        // a panic happened); an evaluator classifies in one, on its thread.
        let classes_of_parts: Vec<_> = std::thread::scope(|scope| {
            let mut parts = self.parts.iter();
            let first = parts.next();
            let others: Vec<_> = parts
                .map(|(_, contacts)| scope.spawn(|| classify(contacts, &params)))
                .collect();
            first
                .map(|(_, contacts)| classify(contacts, &params))
                .into_iter()
                .chain(others.into_iter().map(|thread| {
                    thread
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                }))
                .collect()
        });
        let mut classes = vec![FcrClass::NoCustomer; self.rows as usize];
        for ((rows, _), part) in self.parts.iter().zip(classes_of_parts) {
            for (&row, class) in rows.iter().zip(part?) {
                classes[row as usize] = class;
            }
        }
        Ok((classes, None))
    }
}

/// [`classify`] with the customers already coded (`codes` of these contacts, in
/// order); `Err(LengthMismatch)` when they are not as many.
pub fn classify_coded(
    contacts: &[impl FcrRow],
    codes: &CustomerCodes,
    params: &FcrParams,
) -> Result<Vec<FcrClass>, MetricError> {
    if codes.codes.len() != contacts.len() {
        return Err(MetricError::LengthMismatch {
            left: contacts.len(),
            right: codes.codes.len(),
        });
    }
    let mut classes = vec![FcrClass::NoCustomer; contacts.len()];
    let (keys, ends) = bucketed(contacts, |row| codes.codes[row], codes.customers);
    let data_end = data_end(contacts, params);
    classify_buckets(keys, &ends, params.window_ticks(), data_end, &mut classes);
    Ok(classes)
}

/// The classes [`classify_coded`] gives with the contacts `drop` names left
/// without a customer (`codes.without(drop)`, the same `params`), from
/// `classes`, those it gave these contacts with `codes`: only the customers
/// of dropped contacts are classified again (dropping a contact changes
/// nothing for another customer's), where classifying afresh buckets every
/// contact again. `Err(LengthMismatch)` when the codes or classes are not
/// as many as the contacts.
///
/// The caller's promise: `classes` are `classify_coded(contacts, codes,
/// params)`'s (the same window, clock and data end; with no data end given,
/// both take the last arrival of all the contacts, the dropped included).
/// Classes of other contacts or parameters give other classes, unchecked.
pub fn classify_coded_without(
    contacts: &[impl FcrRow],
    codes: &CustomerCodes,
    classes: &[FcrClass],
    params: &FcrParams,
    mut drop: impl FnMut(usize) -> bool,
) -> Result<Vec<FcrClass>, MetricError> {
    for len in [codes.codes.len(), classes.len()] {
        if len != contacts.len() {
            return Err(MetricError::LengthMismatch {
                left: contacts.len(),
                right: len,
            });
        }
    }
    let dropped: Vec<bool> = (0..contacts.len()).map(&mut drop).collect();
    // The customers of dropped contacts, each given a bucket of its own.
    let mut bucket_of_customer = vec![CustomerCodes::NONE; codes.customers];
    let mut buckets = 0u32;
    for (&code, _) in codes.codes.iter().zip(&dropped).filter(|(_, d)| **d) {
        if code != CustomerCodes::NONE && bucket_of_customer[code as usize] == CustomerCodes::NONE {
            bucket_of_customer[code as usize] = buckets;
            buckets += 1;
        }
    }
    let mut out = classes.to_vec();
    for (class, _) in out.iter_mut().zip(&dropped).filter(|(_, d)| **d) {
        *class = FcrClass::NoCustomer;
    }
    let bucket = |row: usize| match codes.codes[row] {
        code if code == CustomerCodes::NONE || dropped[row] => CustomerCodes::NONE,
        code => bucket_of_customer[code as usize],
    };
    let (keys, ends) = bucketed(contacts, bucket, buckets as usize);
    let data_end = data_end(contacts, params);
    classify_buckets(keys, &ends, params.window_ticks(), data_end, &mut out);
    Ok(out)
}

/// The end of the data: the one given, else the last arrival of all the
/// contacts.
fn data_end(contacts: &[impl FcrRow], params: &FcrParams) -> Option<i64> {
    params
        .data_end
        .or_else(|| contacts.iter().map(FcrRow::arrived_at).max())
}

/// The keys of the contacts in `buckets` buckets (`bucket(row)`, or
/// [`CustomerCodes::NONE`] for a contact in none), bucket after bucket, and
/// where each bucket ends: a counting sort (O(n)). Keys carry what
/// classification needs, so there is no random access to the rows afterwards.
fn bucketed(
    contacts: &[impl FcrRow],
    bucket: impl Fn(usize) -> u32,
    buckets: usize,
) -> (Vec<Key>, Vec<u32>) {
    let mut counts: Vec<u32> = vec![0; buckets];
    for row in 0..contacts.len() {
        let b = bucket(row);
        if b != CustomerCodes::NONE {
            counts[b as usize] += 1;
        }
    }
    // prefix sums: counts[k] becomes the start offset of bucket k
    let mut total = 0u32;
    for c in counts.iter_mut() {
        let n = *c;
        *c = total;
        total += n;
    }
    let placeholder = Key {
        arrived_at: 0,
        row: 0,
        end: 0,
    };
    let mut keys: Vec<Key> = vec![placeholder; total as usize];
    for (i, c) in contacts.iter().enumerate() {
        let b = bucket(i);
        if b == CustomerCodes::NONE {
            continue;
        }
        let slot = &mut counts[b as usize];
        keys[*slot as usize] = Key {
            arrived_at: c.arrived_at(),
            row: i as u32,
            end: c.end_code(),
        };
        *slot += 1;
    }
    // Each bucket's slot now stands at its end: the buckets are read off in
    // turn, with no search for where one ends.
    (keys, counts)
}

/// Classifies the contacts of each bucket ([`bucketed`]) into `classes`
/// (by row): each customer's keys sorted by (arrival, row), then each
/// contact by the rules of the module.
fn classify_buckets(
    mut keys: Vec<Key>,
    ends: &[u32],
    window: i64,
    data_end: Option<i64>,
    classes: &mut [FcrClass],
) {
    let mut start = 0;
    for end in ends.iter().map(|&e| e as usize) {
        if end == start {
            continue;
        }
        // Rows mostly come in order of arrival, and keys in order of rows:
        // most customers' keys are in order already.
        let group = &mut keys[start..end];
        if !group.is_sorted_by_key(|k| (k.arrived_at, k.row)) {
            group.sort_unstable_by_key(|k| (k.arrived_at, k.row));
        }
        let group = &*group;
        for k in group {
            classes[k.row as usize] = match k.end {
                END_ABANDONED => FcrClass::Abandoned,
                END_MISSING => FcrClass::NoEnd,
                ended => {
                    let window_end = ended.saturating_add(window);
                    if data_end.is_none_or(|d| window_end > d) {
                        FcrClass::Censored
                    } else if has_repeat(group, k.row, ended, window_end) {
                        FcrClass::RepeatGenerator
                    } else {
                        FcrClass::Resolved
                    }
                }
            };
        }
        start = end;
    }
}

/// Is there a contact other than row `self_row` in `group` (one customer's keys,
/// sorted by arrival) arriving in `(ended, window_end]`?
fn has_repeat(group: &[Key], self_row: u32, ended: i64, window_end: i64) -> bool {
    let first = group.partition_point(|k| k.arrived_at <= ended);
    group[first..]
        .iter()
        .take_while(|k| k.arrived_at <= window_end)
        .any(|k| k.row != self_row)
}

/// FCR from repeat contacts: classifies every row (see [`classify`]) and aggregates
/// overall, per agent and per queue.
pub fn fcr_from_repeats<'a>(
    contacts: &[FcrContact<'a>],
    params: &FcrParams,
) -> Result<FcrReport<'a>, MetricError> {
    let classes = classify(contacts, params)?;
    Ok(report_from_classes(contacts, &classes, params))
}

/// Aggregates contacts already classified by [`classify`] (same order)
/// overall, per agent and per queue, so a caller that also needs the
/// classes for another grouping classifies only once.
pub fn report_from_classes<'a>(
    contacts: &[FcrContact<'a>],
    classes: &[FcrClass],
    params: &FcrParams,
) -> FcrReport<'a> {
    report_from_groups(
        classes,
        contacts.iter().map(|c| (c.agent_id, c.queue)),
        contacts.iter().map(|c| c.arrived_at).max(),
        params,
    )
}

/// [`report_from_classes`] for callers that keep no [`FcrContact`] rows:
/// the agent and queue of each classified contact, in the same order, and
/// the last arrival (the end of the data when `params` sets none).
pub fn report_from_groups<'a>(
    classes: &[FcrClass],
    agents_and_queues: impl IntoIterator<Item = (Option<&'a str>, &'a str)>,
    last_arrival: Option<i64>,
    params: &FcrParams,
) -> FcrReport<'a> {
    let mut overall = FcrCounts::default();
    let mut by_agent: StrMap<'a, FcrCounts> = StrMap::default();
    let mut no_agent: Option<FcrCounts> = None;
    let mut by_queue: StrMap<'a, FcrCounts> = StrMap::default();
    for (&class, (agent, queue)) in classes.iter().zip(agents_and_queues) {
        overall.add(class);
        match agent {
            Some(agent) => by_agent.entry(agent).add(class),
            None => no_agent.get_or_insert_default().add(class),
        }
        by_queue.entry(queue).add(class);
    }
    let mut by_agent: Vec<_> = no_agent
        .map(|counts| (None, counts))
        .into_iter()
        .chain(
            by_agent
                .into_entries()
                .into_iter()
                .map(|(a, c)| (Some(a), c)),
        )
        .collect();
    by_agent.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut by_queue = by_queue.into_entries();
    by_queue.sort_unstable_by(|a, b| a.0.cmp(b.0));
    FcrReport {
        data_end: params.data_end.or(last_arrival),
        window_seconds: i64::from(params.window_days) * SECONDS_PER_DAY,
        overall,
        by_agent,
        by_queue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = SECONDS_PER_DAY;

    fn c<'a>(
        cust: Option<&'a str>,
        arrived: i64,
        ended: Option<i64>,
        agent: &'a str,
        abandoned: bool,
    ) -> FcrContact<'a> {
        FcrContact {
            customer_id: cust,
            arrived_at: arrived,
            ended_at: ended,
            agent_id: Some(agent),
            queue: "q1",
            abandoned,
        }
    }

    #[test]
    fn repeat_rules() {
        let rows = vec![
            // customer A: contact at day 0, again at day 3 -> repeat-generator
            c(Some("A"), 0, Some(600), "ag1", false),
            c(Some("A"), 3 * DAY, Some(3 * DAY + 600), "ag2", false),
            // customer B: contact at day 0, abandoned call at day 7 (within window end)
            c(Some("B"), 0, Some(100), "ag1", false),
            c(Some("B"), 7 * DAY + 100, None, "ag1", true),
            // customer C: contact at day 1, back at day 9 (outside) -> resolved
            c(Some("C"), DAY, Some(DAY + 60), "ag2", false),
            c(Some("C"), 9 * DAY, Some(9 * DAY + 60), "ag2", false),
            // no customer id, and empty id
            c(None, 2 * DAY, Some(2 * DAY + 60), "ag1", false),
            c(Some(""), 2 * DAY, Some(2 * DAY + 60), "ag1", false),
            // not abandoned but no end
            c(Some("D"), 2 * DAY, None, "ag1", false),
            // data end: 20 days
            c(Some("E"), 20 * DAY, Some(20 * DAY + 60), "ag3", false),
        ];
        let classes = classify(&rows, &FcrParams::default()).unwrap();
        use FcrClass::*;
        assert_eq!(
            classes,
            [
                RepeatGenerator,
                Resolved,
                RepeatGenerator,
                Abandoned,
                Resolved,
                Resolved,
                NoCustomer,
                NoCustomer,
                NoEnd,
                Censored
            ]
        );
        let r = fcr_from_repeats(&rows, &FcrParams::default()).unwrap();
        assert_eq!(r.data_end, Some(20 * DAY));
        let o = r.overall;
        assert_eq!(
            (
                o.contacts,
                o.eligible,
                o.repeat_generators,
                o.excluded_no_customer,
                o.excluded_abandoned,
                o.excluded_no_end,
                o.censored
            ),
            (10, 5, 2, 2, 1, 1, 1)
        );
        assert_eq!(o.fcr(), Some(0.6));
        assert_eq!(r.by_agent.len(), 3);
        let ag2 = r
            .by_agent
            .iter()
            .find(|(a, _)| *a == Some("ag2"))
            .unwrap()
            .1;
        assert_eq!((ag2.eligible, ag2.repeat_generators), (3, 0));
        assert_eq!(ag2.fcr(), Some(1.0));
        assert_eq!(r.by_queue, vec![("q1", o)]);
    }

    #[test]
    fn window_boundaries_and_data_end() {
        // repeat exactly at ended + window counts; at ended exactly does not
        let rows = vec![
            c(Some("A"), 0, Some(100), "x", false),
            c(Some("A"), 100 + 7 * DAY, Some(200 + 7 * DAY), "x", false),
            c(Some("B"), 0, Some(100), "x", false),
            c(Some("B"), 100, Some(150), "x", false),
        ];
        let p = FcrParams {
            window_days: 7,
            data_end: Some(100 + 7 * DAY),
            ..FcrParams::default()
        };
        let cl = classify(&rows, &p).unwrap();
        assert_eq!(cl[0], FcrClass::RepeatGenerator);
        assert_eq!(cl[1], FcrClass::Censored);
        // B's second contact arrives at 100 = ended, not after it: not a repeat.
        // B's second contact's window (150 + 7 days) passes the data end.
        assert_eq!(cl[2], FcrClass::Resolved);
        assert_eq!(cl[3], FcrClass::Censored);
        // one day earlier data end: first contact censored
        let p = FcrParams {
            window_days: 7,
            data_end: Some(99 + 7 * DAY),
            ..FcrParams::default()
        };
        assert_eq!(classify(&rows, &p).unwrap()[0], FcrClass::Censored);
        // window 0 days: only contacts arriving in (ended, ended] -> none
        let p = FcrParams {
            window_days: 0,
            data_end: None,
            ..FcrParams::default()
        };
        assert_eq!(classify(&rows, &p).unwrap()[0], FcrClass::Resolved);
    }

    #[test]
    fn bad_end_before_arrival_does_not_count_itself() {
        let rows = vec![
            c(Some("A"), 500, Some(100), "x", false),
            c(Some("Z"), 10 * DAY, None, "x", true),
        ];
        assert_eq!(
            classify(&rows, &FcrParams::default()).unwrap()[0],
            FcrClass::Resolved
        );
    }

    #[test]
    fn empty_input() {
        let r = fcr_from_repeats(&[], &FcrParams::default()).unwrap();
        assert_eq!(r.overall, FcrCounts::default());
        assert_eq!(r.overall.fcr(), None);
        assert_eq!(r.data_end, None);
    }

    #[test]
    fn millisecond_clocks_order_and_window_exactly() {
        const MS_DAY: i64 = DAY * 1_000;
        let ms = FcrParams {
            ticks_per_second: 1_000,
            ..FcrParams::default()
        };
        assert_eq!(ms.window_ticks(), 7 * MS_DAY);
        let rows = vec![
            // A: ends at 0.300 s, comes back at 0.800 s of the same second -> a repeat
            // (whole seconds would put both at 0 and miss it).
            c(Some("A"), 0, Some(300), "x", false),
            c(Some("A"), 800, Some(60_000), "x", false),
            // B: ends at 1.000 s, back 7 days and 1 ms later -> outside the window.
            c(Some("B"), 0, Some(1_000), "x", false),
            c(Some("B"), 7 * MS_DAY + 1_001, None, "x", true),
            // data end: 20 days
            c(
                Some("E"),
                20 * MS_DAY,
                Some(20 * MS_DAY + 60_000),
                "x",
                false,
            ),
        ];
        use FcrClass::*;
        assert_eq!(
            classify(&rows, &ms).unwrap(),
            [RepeatGenerator, Resolved, Resolved, Abandoned, Censored]
        );
    }

    /// Whether two contacts share a code exactly when they share a customer
    /// id, contacts without one have none, and the codes are dense.
    fn codes_are_by_id(codes: &CustomerCodes, contacts: &[FcrContact<'_>]) -> bool {
        let ids: Vec<Option<&str>> = contacts.iter().map(customer).collect();
        let dense = codes
            .codes
            .iter()
            .all(|&c| c == CustomerCodes::NONE || (c as usize) < codes.customers);
        let none_without_id = ids
            .iter()
            .zip(&codes.codes)
            .all(|(id, &c)| id.is_none() == (c == CustomerCodes::NONE));
        let by_id = (0..ids.len()).all(|i| {
            (0..ids.len()).all(|j| {
                ids[i].is_none()
                    || ids[j].is_none()
                    || (ids[i] == ids[j]) == (codes.codes[i] == codes.codes[j])
            })
        });
        dense && none_without_id && by_id
    }

    #[test]
    fn ids_sorted_by_their_bytes_and_by_hash_get_one_code_each() {
        // At the inline limit and past it, ids equal but for a trailing NUL or
        // their last byte, and the same id on rows far apart.
        let ids = [
            "a",
            "a\0",
            "U0093726001",
            "U0093726002",
            "U00937260012",
            "U00937260013",
            "",
            "a",
            "U00937260012",
            "U0093726001",
            "a\0",
        ];
        let contacts: Vec<FcrContact<'_>> = ids
            .iter()
            .map(|&id| c(Some(id), 0, Some(DAY), "x", false))
            .collect();
        let codes = CustomerCodes::of(&contacts).unwrap();
        assert!(codes_are_by_id(&codes, &contacts));
        assert_eq!(codes.customers, 6, "six distinct ids besides the empty one");
        assert_eq!(codes.codes[6], CustomerCodes::NONE);
    }

    proptest::proptest! {
        /// An id's key is its bytes, zero-padded, with its length at byte 11,
        /// as a big-endian `u128` (what copying it into a buffer gives).
        #[test]
        fn inline_keys_are_the_ids_bytes_then_their_length(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..=14),
        ) {
            let id = String::from_utf8_lossy(&bytes).into_owned();
            let b = id.as_bytes();
            let expected = (b.len() <= INLINE_ID_BYTES).then(|| {
                let mut key = [0u8; 16];
                key[..b.len()].copy_from_slice(b);
                key[INLINE_ID_BYTES] = b.len() as u8;
                u128::from_be_bytes(key)
            });
            proptest::prop_assert_eq!(inline_key(&id), expected);
        }

        /// Codes kept for a subset classify it as hashing its ids afresh does, and
        /// codes of other rows are refused.
        #[test]
        fn kept_codes_classify_a_subset_as_its_own_codes(
            rows in proptest::collection::vec(
                (0u8..6, 0i64..30, proptest::option::of(0i64..3), proptest::bool::ANY),
                0..60,
            ),
            keep in proptest::collection::vec(proptest::bool::ANY, 60),
        ) {
            // Short ids, sorted by their bytes, and long ones (sharing their first
            // bytes), sorted by hash.
            let names = ["", "A", "B", "C", "customer-00000D", "customer-00000E"];
            let contacts: Vec<FcrContact<'_>> = rows
                .iter()
                .map(|&(k, day, len, abandoned)| {
                    let cust = (k > 0).then_some(names[k as usize]);
                    c(cust, day * DAY, len.map(|l| day * DAY + l * DAY), "x", abandoned)
                })
                .collect();
            let params = FcrParams::default();
            let codes = CustomerCodes::of(&contacts).unwrap();
            let expected = classify(&contacts, &params).unwrap();
            proptest::prop_assert_eq!(
                &classify_coded(&contacts, &codes, &params).unwrap(),
                &expected
            );
            // Ids that share a hash (all of them, or those of one length) still get
            // codes of their own.
            proptest::prop_assert!(codes_are_by_id(&codes, &contacts));
            for parts in 1..4 {
                proptest::prop_assert_eq!(
                    &classify_in_parts(&contacts, &params, parts).unwrap(),
                    &expected
                );
                // The codes kept by one part are those of the contacts, in order.
                let mut split = FcrParts::new(parts, contacts.len());
                for row in &contacts {
                    split.push(*row).unwrap();
                }
                let (classes, kept) = split.classify_keeping_codes(&params).unwrap();
                proptest::prop_assert_eq!(&classes, &expected);
                proptest::prop_assert_eq!(kept, (parts == 1).then(|| codes.clone()));
            }
            for collide in [|_: &str| 0, |s: &str| s.len() as u64, |s: &str| u64::from(s < "C")] {
                let collided = CustomerCodes::coded_by(&contacts, collide).unwrap();
                proptest::prop_assert!(codes_are_by_id(&collided, &contacts));
                proptest::prop_assert_eq!(collided.customers, codes.customers);
                proptest::prop_assert_eq!(
                    &classify_coded(&contacts, &collided, &params).unwrap(),
                    &expected
                );
            }
            let subset: Vec<FcrContact<'_>> = contacts
                .iter()
                .enumerate()
                .filter(|(i, _)| keep[*i])
                .map(|(_, r)| *r)
                .collect();
            let kept = codes.keep(|i| keep[i]);
            proptest::prop_assert_eq!(
                classify_coded(&subset, &kept, &params).unwrap(),
                classify(&subset, &params).unwrap()
            );
            // Left without a customer instead of left out: the others' classes are
            // the subset's, and the dropped are NoCustomer (the data's end given, as
            // it would otherwise be the last arrival of other rows).
            let ended = FcrParams {
                data_end: contacts.iter().map(|c| c.arrived_at).max(),
                ..params
            };
            let dropped = classify_coded(&contacts, &codes.without(|i| !keep[i]), &ended).unwrap();
            let mut of_subset = classify(&subset, &ended).unwrap().into_iter();
            for (i, class) in dropped.iter().enumerate() {
                if keep[i] {
                    proptest::prop_assert_eq!(Some(*class), of_subset.next());
                } else {
                    proptest::prop_assert_eq!(*class, FcrClass::NoCustomer);
                }
            }
            // The same from the classes of all, classifying again only the
            // customers of the dropped; and with the data end left to the
            // contacts, dropping the kept ones, then the abandoned ones.
            let all = classify_coded(&contacts, &codes, &ended).unwrap();
            proptest::prop_assert_eq!(
                &classify_coded_without(&contacts, &codes, &all, &ended, |i| !keep[i]).unwrap(),
                &dropped
            );
            let all = classify_coded(&contacts, &codes, &params).unwrap();
            let abandoned = |i: usize| contacts[i].abandoned;
            for drop in [&(|i: usize| keep[i]) as &dyn Fn(usize) -> bool, &abandoned] {
                proptest::prop_assert_eq!(
                    classify_coded_without(&contacts, &codes, &all, &params, drop).unwrap(),
                    classify_coded(&contacts, &codes.without(drop), &params).unwrap()
                );
            }
            if !contacts.is_empty() {
                let short = &all[1..];
                let refused = matches!(
                    classify_coded_without(&contacts, &codes, short, &params, |_| false),
                    Err(MetricError::LengthMismatch { .. })
                );
                proptest::prop_assert!(refused);
            }
            if subset.len() != contacts.len() {
                let refused = matches!(
                    classify_coded_without(&subset, &codes, &all, &ended, |_| false),
                    Err(MetricError::LengthMismatch { .. })
                );
                proptest::prop_assert!(refused);
                let refused = matches!(
                    classify_coded(&subset, &codes, &params),
                    Err(MetricError::LengthMismatch { .. })
                );
                proptest::prop_assert!(refused);
            }
        }
    }
}
