//! The text ERB writes, with a map back to where each part came from: text
//! copied from a file maps to its own bytes, text a tag wrote maps to the
//! tag. The markdown parser reads the written text; every position it
//! reports goes back through this map to the author's file, line and
//! column.

use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostics::LineIndex;

/// Which file: 0 is the page; others are partials and layouts it used.
pub type FileId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    /// Where it starts in the written text.
    start: usize,
    file: FileId,
    /// Its first byte's offset in `file`, or the tag that wrote it.
    offset: usize,
    /// Copied byte for byte, so offsets within it map one to one.
    copied: bool,
}

/// Written text and where it came from.
#[derive(Debug, Clone, Default)]
pub struct Output {
    pub text: String,
    segments: Vec<Segment>,
}

impl Output {
    /// About how many bytes it holds, for the evaluator's budget.
    pub fn weight(&self) -> usize {
        self.text.len() + self.segments.len() * std::mem::size_of::<Segment>()
    }

    /// Appends text copied from `file` at `offset`.
    pub fn copy(&mut self, text: &str, file: FileId, offset: usize) {
        self.push(text, file, offset, true);
    }

    /// Appends text a tag at `offset` in `file` wrote.
    pub fn write(&mut self, text: &str, file: FileId, offset: usize) {
        self.push(text, file, offset, false);
    }

    fn push(&mut self, text: &str, file: FileId, offset: usize, copied: bool) {
        if text.is_empty() {
            return;
        }
        self.segments.push(Segment {
            start: self.text.len(),
            file,
            offset,
            copied,
        });
        self.text.push_str(text);
    }

    /// Appends another output, keeping its map.
    pub fn append(&mut self, other: Output) {
        let shift = self.text.len();
        self.segments
            .extend(other.segments.into_iter().map(|s| Segment {
                start: s.start + shift,
                ..s
            }));
        self.text.push_str(&other.text);
    }

    /// The file and offset that the written byte at `offset` came from.
    pub fn origin(&self, offset: usize) -> (FileId, usize) {
        let index = self.segments.partition_point(|s| s.start <= offset);
        match index.checked_sub(1).map(|i| self.segments[i]) {
            Some(s) if s.copied => (s.file, s.offset + (offset - s.start)),
            Some(s) => (s.file, s.offset),
            None => (0, 0),
        }
    }
}

/// A file an ERB page read, and where.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Where the page (or a partial) asked for it: (file, offset).
    pub used_at: Option<(FileId, usize)>,
    lines: Arc<LineIndex>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: Arc<str>, used_at: Option<(FileId, usize)>) -> Self {
        let lines = Arc::new(LineIndex::new(&text));
        SourceFile {
            path,
            text,
            used_at,
            lines,
        }
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines.line_col(&self.text, offset.min(self.text.len()))
    }
}

/// Where one byte of written text is, for messages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Place {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

/// The files an output came from, and the way back to them.
#[derive(Debug, Clone)]
pub struct SourceMap {
    pub output: Output,
    pub files: Vec<SourceFile>,
}

impl SourceMap {
    /// The page's line and column for a written byte: its own position
    /// when the page wrote it, else where the page used the partial that
    /// did.
    pub fn page_position(&self, offset: usize) -> (usize, usize) {
        let (mut file, mut at) = self.output.origin(offset);
        while file != 0 {
            match self.files.get(file as usize).and_then(|f| f.used_at) {
                Some((outer, used)) => (file, at) = (outer, used),
                None => break,
            }
        }
        self.files[0].line_col(at)
    }

    /// The exact place of a written byte when it came from a file other
    /// than the page (a partial); `None` for the page's own text.
    pub fn place_outside_page(&self, offset: usize) -> Option<Place> {
        let (file, at) = self.output.origin(offset);
        if file == 0 {
            return None;
        }
        let source = self.files.get(file as usize)?;
        let (line, column) = source.line_col(at);
        Some(Place {
            file: source.path.clone(),
            line,
            column,
        })
    }

    /// The place of an offset in one of the files.
    pub fn place(&self, file: FileId, at: usize) -> Place {
        let source = &self.files[file as usize];
        let (line, column) = source.line_col(at);
        Place {
            file: source.path.clone(),
            line,
            column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copied_text_maps_byte_for_byte_and_written_text_to_its_tag() {
        let mut out = Output::default();
        out.copy("abc", 0, 10);
        out.write("XYZ", 0, 20);
        out.copy("de", 1, 0);
        assert_eq!(out.origin(0), (0, 10));
        assert_eq!(out.origin(2), (0, 12));
        assert_eq!(out.origin(4), (0, 20));
        assert_eq!(out.origin(6), (1, 0));
        assert_eq!(out.origin(7), (1, 1));
        let mut outer = Output::default();
        outer.copy("12", 0, 0);
        outer.append(out);
        assert_eq!(outer.origin(2), (0, 10));
        assert_eq!(outer.origin(9), (1, 1));
    }

    #[test]
    fn partial_text_is_placed_at_its_use_in_the_page() {
        let page: Arc<str> = Arc::from("line one\n<%= partial 'x' %>\n");
        let partial: Arc<str> = Arc::from("[a]: /b\n");
        let mut out = Output::default();
        out.copy("line one\n", 0, 0);
        out.copy(&partial, 1, 0);
        let map = SourceMap {
            output: out,
            files: vec![
                SourceFile::new("page.md.erb".into(), page, None),
                SourceFile::new("_x.erb".into(), partial, Some((0, 9))),
            ],
        };
        assert_eq!(map.page_position(2), (1, 3));
        assert_eq!(map.page_position(10), (2, 1));
        let place = map.place_outside_page(10).unwrap();
        assert_eq!((place.line, place.column), (1, 2));
        assert_eq!(place.file, PathBuf::from("_x.erb"));
        assert!(map.place_outside_page(2).is_none());
    }
}
