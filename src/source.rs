//! Source files and byte spans: the bottom layer every diagnostic points into.
//!
//! A [`SourceFile`] keeps a file's name and its whole text once (an `Arc<str>`), plus the byte
//! offset of every line start, so that any [`Span`] can be turned into a 1-based line and column
//! without rereading the file, from any thread.

use std::sync::Arc;

/// A half-open byte range `start..end` into a [`SourceFile`]'s text.
///
/// Offsets are in bytes (UTF-8), always on character boundaries when produced by this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes); `end` is clamped to be at least `start`.
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True for an empty (zero-length) span.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        miette::SourceSpan::new(s.start.into(), s.len())
    }
}

/// A 1-based line and column. The column counts Unicode scalar values, not bytes, as editors
/// and AWS's own validators do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column number in characters.
    pub column: usize,
}

/// One input file: its display name (a path as given on the command line, or a label such as
/// `<stdin>`), its text, and a line index.
#[derive(Debug)]
pub struct SourceFile {
    name: String,
    text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Builds a source file and its line index (one pass over the text).
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Arc<Self> {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Arc::new(SourceFile {
            name: name.into(),
            text,
            line_starts,
        })
    }

    /// The display name of the file.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text of the file.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text as a shared pointer, for diagnostics that must own it.
    pub fn shared_text(&self) -> Arc<str> {
        Arc::clone(&self.text)
    }

    /// Line and column (both 1-based) of a byte offset. Offsets past the end map to the end;
    /// an offset inside a multi-byte character maps to that character.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line_idx).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..)
            .map(|rest| {
                rest.char_indices()
                    .take_while(|(i, _)| start + i < offset)
                    .count()
            })
            .unwrap_or(0)
            + 1;
        LineCol {
            line: line_idx + 1,
            column,
        }
    }

    /// Byte offset of a 1-based line and column (columns in characters); clamped to the text.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        self.text
            .get(start..)
            .and_then(|rest| rest.char_indices().nth(column.saturating_sub(1)))
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    /// The text covered by a span, or `""` if the span is out of range.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let f = SourceFile::new("t.json", "{\n  \"é\": 1,\n  \"b\": 2\n}");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(2), LineCol { line: 2, column: 1 });
        // `é` is two bytes; the `:` after `"é"` is the 6th character of line 2.
        let colon = f.text().find(':').unwrap();
        assert_eq!(f.line_col(colon), LineCol { line: 2, column: 6 });
        let b = f.text().find("\"b\"").unwrap();
        assert_eq!(f.line_col(b), LineCol { line: 3, column: 3 });
        assert_eq!(f.line_col(10_000).line, 4);
    }

    #[test]
    fn span_new_never_inverts() {
        let s = Span::new(5, 2);
        assert_eq!(s.len(), 0);
        assert!(s.is_empty());
    }
}
