//! A CSV file read a block of rows at a time, each block a table of its own
//! (`columnar.rs`'s columns): what `predict` and `evaluate` stream, so their
//! memory is a block's whatever the file's size. A block's rows are numbered
//! from 0 within it (its first row is row [`TableChunks::first_row`] of the
//! file); its places ("line 7") are the file's.

use std::io::Read;
use std::path::{Path, PathBuf};

use ::csv::StringRecord;

use super::columnar::{open, read_header, take_record, Builder, ColumnTable};
use crate::error::Error;

/// A CSV file's rows, a block at a time.
pub(crate) struct TableChunks {
    path: PathBuf,
    reader: ::csv::Reader<Box<dyn Read>>,
    header: Vec<String>,
    keeps_text: Vec<bool>,
    record: StringRecord,
    /// Rows read so far.
    read: usize,
    /// The first row of the block last given.
    first: usize,
}

impl TableChunks {
    /// Opens `path` and reads its header; `keeps_text` says, from the
    /// header, which columns keep every cell as text (as `read_columns`).
    pub(crate) fn open(
        path: &Path,
        keeps_text: &dyn Fn(&[String]) -> Vec<bool>,
    ) -> Result<TableChunks, Error> {
        let (file, _) = open(path)?;
        let file: Box<dyn Read> = Box::new(file);
        let mut reader = ::csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let header = read_header(path, &mut reader)?;
        Ok(TableChunks {
            path: path.to_path_buf(),
            keeps_text: keeps_text(&header),
            header,
            reader,
            record: StringRecord::new(),
            read: 0,
            first: 0,
        })
    }

    /// The header's names, trimmed.
    pub(crate) fn header(&self) -> &[String] {
        &self.header
    }

    /// The file row (from 0) of the last block's row 0.
    pub(crate) fn first_row(&self) -> usize {
        self.first
    }

    /// The next block of at most `rows` rows (at least 1), or `None` at the
    /// end of the file.
    pub(crate) fn next_block(&mut self, rows: usize) -> Result<Option<ColumnTable>, Error> {
        let mut columns: Vec<Builder> = self.keeps_text.iter().map(|&k| Builder::new(k)).collect();
        let (mut taken, mut lines) = (0usize, Vec::new());
        self.first = self.read;
        while taken < rows.max(1) {
            if self.read % 4096 == 0 {
                crate::stop::check(&format!("loading {}", self.path.display()))?;
            }
            let fallback = self.read + 2;
            let more = (self.reader.read_record(&mut self.record))
                .map_err(|e| Error::format(&self.path, format!("line {fallback}: {e}")))?;
            if !more {
                break;
            }
            let (path, names, at) = (&self.path, self.header.len(), (taken, fallback));
            take_record(path, &self.record, at, names, &mut lines, &mut columns)?;
            taken += 1;
            self.read += 1;
        }
        Ok((taken > 0).then(|| ColumnTable {
            path: self.path.clone(),
            header: self.header.clone(),
            columns: columns.into_iter().map(Builder::finish).collect(),
            rows: taken,
            lines,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::cells::Table;

    /// Blocks of any size hold the rows of the whole table, in order, with
    /// the whole table's places (a quoted cell over two lines included).
    #[test]
    fn blocks_are_the_whole_tables_rows() {
        let dir = std::env::temp_dir().join(format!("chunks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        let text = "a,label\n1,x\n\"two\nlines\",y\n3,x\nNA,\"z\"\n5,y\n";
        std::fs::write(&path, text).unwrap();
        let keep = |h: &[String]| h.iter().map(|n| n == "label").collect();
        let whole = super::super::columnar::read_columns(&path, &keep).unwrap();
        for size in [1, 2, 3, 7] {
            let mut chunks = TableChunks::open(&path, &keep).unwrap();
            assert_eq!(chunks.header(), ["a", "label"]);
            let mut row = 0;
            while let Some(block) = chunks.next_block(size).unwrap() {
                assert_eq!(chunks.first_row(), row);
                assert!(block.rows() <= size);
                for r in 0..block.rows() {
                    for c in 0..2 {
                        assert_eq!(block.cell(r, c), whole.cell(row + r, c), "{size}");
                    }
                    assert_eq!(block.place(r), whole.place(row + r), "{size}");
                }
                row += block.rows();
            }
            assert_eq!(row, whole.rows());
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
