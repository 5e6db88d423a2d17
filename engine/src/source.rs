//! Where in a file a problem is: file, line, column and key, for messages
//! that let a person go straight to the mistake.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in a text file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as the user named it.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The key or column name concerned, when there is one.
    pub key: Option<String>,
    /// For a table that is not text (a workbook, a Parquet file): what
    /// `line` and `column` count. `None`: a text file's line and column.
    /// (Boxed: a location travels in every evidence error.)
    pub grid: Option<Box<Grid>>,
}

/// What `line` and `column` of a [`Location`] count in a table file that is
/// not text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grid {
    /// A workbook's sheet: `line` is the row and `column` the column as the
    /// spreadsheet shows them (1-based, the header row included; column 1
    /// is `A`).
    Sheet(String),
    /// A file of records (Parquet): `line` is the record, 1-based, and
    /// `column` the column's position, 1-based.
    Records,
}

/// A spreadsheet's name of a 1-based column: 1 is `A`, 27 is `AA`.
pub fn column_letters(column: usize) -> String {
    let mut n = column;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

impl Location {
    /// The whole file.
    pub fn file(file: &Path) -> Self {
        Location {
            file: file.to_path_buf(),
            line: None,
            column: None,
            key: None,
            grid: None,
        }
    }

    /// A byte offset in `text`, turned into line and column.
    pub fn at_offset(file: &Path, text: &str, offset: usize) -> Self {
        let (line, column) = line_column(text, offset);
        Location {
            file: file.to_path_buf(),
            line: Some(line),
            column: Some(column),
            key: None,
            grid: None,
        }
    }

    /// The same place, naming a key.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        match &self.grid {
            None => {}
            Some(grid) => {
                if let Grid::Sheet(sheet) = grid.as_ref() {
                    write!(f, ", sheet `{sheet}`")?;
                }
                if let Some(row) = self.line {
                    write!(f, ", row {row}")?;
                }
                match (grid.as_ref(), self.column) {
                    (Grid::Sheet(_), Some(c)) => write!(f, ", column {}", column_letters(c))?,
                    (Grid::Records, Some(c)) => write!(f, ", column {c}")?,
                    (_, None) => {}
                }
                if let Some(key) = &self.key {
                    write!(f, ": `{key}`")?;
                }
                return Ok(());
            }
        }
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(key) = &self.key {
            write!(f, ": `{key}`")?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Parses TOML text into `T`, reporting a failure with its file, line,
/// column and message.
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &Path,
    text: &str,
) -> Result<T, (Location, String)> {
    toml::from_str(text).map_err(|e| {
        let location = match e.span() {
            Some(span) => Location::at_offset(file, text, span.start),
            None => Location::file(file),
        };
        (location, e.message().trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_columns() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 9), (2, 4));
    }

    #[test]
    fn sheet_and_record_places_read_as_a_person_sees_them() {
        assert_eq!(column_letters(1), "A");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(column_letters(703), "AAA");
        let mut at = Location::file(Path::new("x/calls.xlsx")).key("talk_seconds");
        at.line = Some(5);
        at.column = Some(28);
        at.grid = Some(Box::new(Grid::Sheet("Calls".into())));
        assert_eq!(
            at.to_string(),
            "x/calls.xlsx, sheet `Calls`, row 5, column AB: `talk_seconds`"
        );
        at.grid = Some(Box::new(Grid::Records));
        assert_eq!(
            at.to_string(),
            "x/calls.xlsx, row 5, column 28: `talk_seconds`"
        );
    }

    #[test]
    fn toml_errors_name_line_and_column() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            points: u32,
        }
        let (loc, msg) = parse_toml::<T>(Path::new("p.toml"), "\npoints = \"many\"\n").unwrap_err();
        assert_eq!(loc.line, Some(2));
        assert!(msg.contains("expected u32"), "{msg}");
    }
}
