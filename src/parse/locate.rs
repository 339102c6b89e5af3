//! Where a byte of a page's body is in the author's files. A plain page's
//! body is its own text; an ERB page's body is what its ERB wrote, mapped
//! back through the source map.

use super::erb::{Place, SourceMap};
use crate::diagnostics::LineIndex;

pub enum Locator<'a> {
    /// The body is `text[body_start..]`.
    Plain {
        text: &'a str,
        lines: LineIndex,
        body_start: usize,
    },
    /// The body is the output of the page's ERB.
    Erb(&'a SourceMap),
}

impl<'a> Locator<'a> {
    pub fn plain(text: &'a str, body_start: usize) -> Self {
        Locator::Plain {
            text,
            lines: LineIndex::new(text),
            body_start,
        }
    }

    /// The page's line and column of a byte of the body. Text a partial
    /// wrote is placed where the page asked for the partial.
    pub fn position(&self, body_offset: usize) -> (usize, usize) {
        match self {
            Locator::Plain {
                text,
                lines,
                body_start,
            } => lines.line_col(text, body_start + body_offset),
            Locator::Erb(map) => map.page_position(body_offset),
        }
    }

    /// The exact place of a byte of the body that came from another file
    /// (a partial); `None` for the page's own text.
    pub fn outside_page(&self, body_offset: usize) -> Option<Place> {
        match self {
            Locator::Plain { .. } => None,
            Locator::Erb(map) => map.place_outside_page(body_offset),
        }
    }
}
