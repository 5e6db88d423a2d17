//! Row-by-row iterators over one column of a table's batches. Each batch is
//! read in place (its values and its validity bits; a dictionary batch's
//! values are read out once when the reader reaches it), so a pass over
//! millions of rows pays a bounds and a null check per cell rather than an
//! iterator adapter per batch.

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, DictionaryArray, StringArray};
use arrow_buffer::{BooleanBuffer, NullBuffer};

/// The values of one batch of a column, by row.
pub(crate) trait Chunk: Copy {
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
    Coded(CodedCells<'a>),
}

/// The cells of a dictionary-encoded string column: each batch's values are
/// read out once when the batch is reached, so a cell is one index into
/// them (rather than a bounds, a validity and an offsets lookup in the
/// values array per cell).
pub(crate) struct CodedCells<'a> {
    rest: std::vec::IntoIter<&'a DictionaryArray<Int32Type>>,
    /// The current batch's indexes and their validity.
    keys: &'a [i32],
    nulls: Option<&'a NullBuffer>,
    /// The current batch's values (`None`: an empty value).
    values: Vec<Option<&'a str>>,
    next: usize,
    left: usize,
}

impl<'a> CodedCells<'a> {
    /// The cells of the batches `batches`, in order.
    fn new(batches: Vec<&'a DictionaryArray<Int32Type>>) -> Self {
        let left = batches.iter().map(|d| d.len()).sum();
        CodedCells {
            rest: batches.into_iter(),
            keys: &[],
            nulls: None,
            values: Vec::new(),
            next: 0,
            left,
        }
    }

    /// Moves to the next batch; `None` when there is none.
    fn next_batch(&mut self) -> Option<()> {
        let batch = self.rest.next()?;
        self.keys = batch.keys().values();
        self.nulls = batch.keys().nulls();
        self.next = 0;
        let values = batch.values().as_string::<i32>();
        self.values.clear();
        self.values
            .extend((0..values.len()).map(|i| values.is_valid(i).then(|| values.value(i))));
        Some(())
    }
}

impl<'a> Iterator for CodedCells<'a> {
    type Item = Option<&'a str>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(&key) = self.keys.get(self.next) {
                let row = self.next;
                self.next += 1;
                self.left -= 1;
                if self.nulls.is_some_and(|n| n.is_null(row)) {
                    return Some(None);
                }
                // An index outside the values (never written by the host) is an empty cell.
                let value = usize::try_from(key).ok().and_then(|k| self.values.get(k));
                return Some(value.copied().flatten());
            }
            self.next_batch()?;
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<'a> StrColumn<'a> {
    /// The cells of `arrays`, all `Utf8` or all `Dictionary(Int32, Utf8)`
    /// (the caller checked the column's type, which every batch shares).
    pub(crate) fn of(arrays: Vec<&'a dyn Array>, coded: bool) -> Self {
        if coded {
            StrColumn::Coded(CodedCells::new(
                arrays
                    .into_iter()
                    .filter_map(|a| a.as_dictionary_opt::<Int32Type>())
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
            StrColumn::Coded(cells) => cells.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            StrColumn::Plain(cells) => cells.size_hint(),
            StrColumn::Coded(cells) => cells.size_hint(),
        }
    }
}
