//! A fast hasher for the maps that count evidence rows by id or name.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Small multiply-rotate hasher (FxHash-style, with a murmur3 finaliser) for maps keyed by
/// ids and names of evidence rows: faster than SipHash on short keys; not DoS-resistant
/// (fine for evidence files). Iteration order is not an output order: sort what is shown.
#[derive(Default)]
pub struct FxHasher(u64);

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // murmur3 fmix64 finaliser: spreads entropy into the low bits used for buckets
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}

/// A hash map with [`FxHasher`].
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A hash set with [`FxHasher`].
pub type FxSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// The ids of the strings last looked up, by where they are: a string met
/// again at the same address (with the same length) is known without being
/// hashed or compared. The strings of a dictionary-coded column share one
/// address per value within a batch, so a map keyed by agent, queue or
/// channel finds almost every row here. The `'a` borrow keeps each string
/// alive and unchanged while it is remembered, so an address and a length
/// always stand for the same text.
#[derive(Debug, Clone)]
pub struct RecentStrs<'a> {
    /// (address, length, id); address 0 (no string has it) marks a free slot.
    /// On the heap: a map of maps (CX1's counts by channel, then agent)
    /// holds one in each value, and values are built on the stack and
    /// moved; 24 KB inline made every call of [`StrMap::entry`] set up and
    /// probe a 48 KB stack frame.
    slots: Box<[(usize, usize, u32); RECENT_SLOTS]>,
    strs: std::marker::PhantomData<&'a str>,
}

impl Default for RecentStrs<'_> {
    fn default() -> Self {
        RecentStrs {
            slots: Box::new([(0, 0, 0); RECENT_SLOTS]),
            strs: std::marker::PhantomData,
        }
    }
}

/// How many strings [`RecentStrs`] remembers (a power of two: the slot is
/// the top ten bits of a hash of the address). Enough for the agents of a
/// large centre (hundreds of names in each batch's dictionary) to stay
/// remembered while a pass goes through the batch's rows; 24 KB, in cache.
const RECENT_SLOTS: usize = 1024;

impl<'a> RecentStrs<'a> {
    #[inline]
    fn slot(s: &str) -> usize {
        // Fibonacci hashing of the address: its top bits pick the slot.
        let bits = (s.as_ptr() as usize as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (bits >> (64 - RECENT_SLOTS.trailing_zeros())) as usize
    }

    /// The id remembered for `s` at its address, if any.
    #[inline]
    pub fn get(&self, s: &'a str) -> Option<u32> {
        let (at, len, id) = self.slots[Self::slot(s)];
        (at == s.as_ptr() as usize && len == s.len()).then_some(id)
    }

    /// Remembers `id` for `s` at its address (forgetting the string that
    /// shared its slot).
    #[inline]
    pub fn put(&mut self, s: &'a str, id: u32) {
        self.slots[Self::slot(s)] = (s.as_ptr() as usize, s.len(), id);
    }
}

/// Values by borrowed string, in first-seen order, each string looked up by
/// its address first ([`RecentStrs`]): counting rows of a dictionary-coded
/// column by agent, queue, channel or reason probes the map once per name
/// and batch, not once per row.
#[derive(Debug, Clone)]
pub struct StrMap<'a, V> {
    index: FxMap<&'a str, u32>,
    recent: RecentStrs<'a>,
    entries: Vec<(&'a str, V)>,
}

impl<V> Default for StrMap<'_, V> {
    fn default() -> Self {
        StrMap {
            index: FxMap::default(),
            recent: RecentStrs::default(),
            entries: Vec::new(),
        }
    }
}

impl<'a, V: Default> StrMap<'a, V> {
    /// The value of `key`, a default one when `key` is new.
    #[inline]
    pub fn entry(&mut self, key: &'a str) -> &mut V {
        let i = match self.recent.get(key) {
            Some(i) => i,
            None => {
                let next = self.entries.len() as u32;
                let i = *self.index.entry(key).or_insert(next);
                if i == next {
                    self.entries.push((key, V::default()));
                }
                self.recent.put(key, i);
                i
            }
        };
        &mut self.entries[i as usize].1
    }

    /// The value of `key`, if it has one.
    pub fn get(&self, key: &str) -> Option<&V> {
        let i = *self.index.get(key)?;
        Some(&self.entries[i as usize].1)
    }

    /// Whether no key has a value.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The keys and their values, in the order the keys were first met.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &V)> {
        self.entries.iter().map(|(k, v)| (*k, v))
    }

    /// The keys and their values, in the order the keys were first met.
    pub fn into_entries(self) -> Vec<(&'a str, V)> {
        self.entries
    }

    /// The keys and their values in key order: counts made by address on
    /// every row, put in order once.
    pub fn into_ordered(self) -> std::collections::BTreeMap<&'a str, V> {
        self.entries.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{RecentStrs, StrMap};

    #[test]
    fn a_str_map_keeps_first_seen_order_and_one_value_per_text() {
        let text = String::from("b a b");
        let (b1, a, b2) = (&text[0..1], &text[2..3], &text[4..5]);
        let mut map: StrMap<'_, u32> = StrMap::default();
        for key in [b1, a, b1, b2, b2] {
            *map.entry(key) += 1;
        }
        // `b` at two addresses is one key.
        assert_eq!(map.into_entries(), vec![("b", 4), ("a", 1)]);
    }

    #[test]
    fn a_string_is_known_at_its_own_address_only() {
        let text = String::from("voicevoice chat");
        let (first, second, chat) = (&text[0..5], &text[5..10], &text[11..15]);
        let mut recent = RecentStrs::default();
        assert_eq!(recent.get(first), None);
        recent.put(first, 7);
        recent.put(chat, 2);
        assert_eq!(recent.get(first), Some(7));
        assert_eq!(recent.get(chat), Some(2));
        // The same text elsewhere is not known; a shorter string at the same address neither.
        assert_eq!(recent.get(second), None);
        assert_eq!(recent.get(&text[0..4]), None);
    }
}
