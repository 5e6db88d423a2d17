//! Row-by-row iterators over one column of a table's batches. Each batch is
//! read in place (its values and its validity bits; a dictionary batch's
//! values are read out once), so a pass over millions of rows pays a bounds
//! and a null check per cell rather than an iterator adapter per batch.

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, DictionaryArray, StringArray};
use arrow_buffer::{BooleanBuffer, NullBuffer};

/// The values of one batch of a column, by row.
pub(crate) trait Chunk {
    /// A cell's value (never read for an empty cell).
    type Value;
    /// Rows in the batch.
    fn rows(&self) -> usize;
    /// The value at `row` (`row < rows()`).
    fn value(&self, row: usize) -> Self::Value;
}

impl<N: Copy> Chunk for &[N] {
    type Value = N;

    #[inline]
    fn rows(&self) -> usize {
        self.len()
    }

    #[inline]
    fn value(&self, row: usize) -> N {
        self[row]
    }
}

impl Chunk for &BooleanBuffer {
    type Value = bool;

    #[inline]
    fn rows(&self) -> usize {
        self.len()
    }

    #[inline]
    fn value(&self, row: usize) -> bool {
        (*self).value(row)
    }
}

impl<'a> Chunk for &'a StringArray {
    type Value = &'a str;

    #[inline]
    fn rows(&self) -> usize {
        Array::len(*self)
    }

    #[inline]
    fn value(&self, row: usize) -> &'a str {
        (*self).value(row)
    }
}

/// The cells of a column, row by row (`None` for an empty cell), over its
/// batches in order.
pub(crate) struct Cells<'a, C> {
    rest: std::vec::IntoIter<(C, Option<&'a NullBuffer>)>,
    current: Option<(C, Option<&'a NullBuffer>)>,
    next: usize,
    left: usize,
}

impl<'a, C: Chunk> Cells<'a, C> {
    /// The cells of the batches `chunks` (values and validity), in order.
    pub(crate) fn new(chunks: Vec<(C, Option<&'a NullBuffer>)>) -> Self {
        let left = chunks.iter().map(|(c, _)| c.rows()).sum();
        Cells {
            rest: chunks.into_iter(),
            current: None,
            next: 0,
            left,
        }
    }
}

impl<C: Chunk> Iterator for Cells<'_, C> {
    type Item = Option<C::Value>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((chunk, nulls)) = &self.current
                && self.next < chunk.rows()
            {
                let row = self.next;
                self.next += 1;
                self.left -= 1;
                let empty = nulls.is_some_and(|n| n.is_null(row));
                return Some((!empty).then(|| chunk.value(row)));
            }
            self.current = Some(self.rest.next()?);
            self.next = 0;
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

/// The cells of a string column, plain `Utf8` or dictionary-encoded (Int32
/// indexes into each batch's values), row by row.
pub(crate) enum StrColumn<'a> {
    /// Plain text.
    Plain(Cells<'a, &'a StringArray>),
    /// Indexes, each looked up in its batch's values.
    Coded(Cells<'a, CodedChunk<'a>>),
}

/// One batch of a dictionary-encoded string column, its values read out
/// once (a cell is then one index into them, rather than a bounds, a
/// validity and an offsets lookup in the values array).
pub(crate) struct CodedChunk<'a> {
    keys: &'a [i32],
    /// The batch's values (`None`: an empty value).
    values: Vec<Option<&'a str>>,
}

impl<'a> CodedChunk<'a> {
    /// The indexes and values of one batch.
    fn of(batch: &'a DictionaryArray<Int32Type>) -> Self {
        let values = batch.values().as_string::<i32>();
        CodedChunk {
            keys: batch.keys().values(),
            values: (0..values.len())
                .map(|i| values.is_valid(i).then(|| values.value(i)))
                .collect(),
        }
    }
}

impl<'a> Chunk for CodedChunk<'a> {
    type Value = Option<&'a str>;

    #[inline]
    fn rows(&self) -> usize {
        self.keys.len()
    }

    /// An index outside the values (never written by the host) is an empty
    /// cell.
    #[inline]
    fn value(&self, row: usize) -> Option<&'a str> {
        let k = usize::try_from(self.keys[row]).ok()?;
        self.values.get(k).copied().flatten()
    }
}

impl<'a> StrColumn<'a> {
    /// The cells of `arrays`, all `Utf8` or all `Dictionary(Int32, Utf8)`
    /// (the caller checked the column's type, which every batch shares).
    pub(crate) fn of(arrays: Vec<&'a dyn Array>, coded: bool) -> Self {
        if coded {
            StrColumn::Coded(Cells::new(
                arrays
                    .into_iter()
                    .filter_map(|a| a.as_dictionary_opt::<Int32Type>())
                    .map(|d| (CodedChunk::of(d), d.keys().nulls()))
                    .collect(),
            ))
        } else {
            StrColumn::Plain(Cells::new(
                arrays
                    .into_iter()
                    .map(|a| (a.as_string::<i32>(), a.nulls()))
                    .collect(),
            ))
        }
    }
}

impl<'a> Iterator for StrColumn<'a> {
    type Item = Option<&'a str>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            StrColumn::Plain(cells) => cells.next(),
            StrColumn::Coded(cells) => cells.next().map(Option::flatten),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            StrColumn::Plain(cells) => cells.size_hint(),
            StrColumn::Coded(cells) => cells.size_hint(),
        }
    }
}
