//! Text kept LZ4-packed in memory. A site's pages are held whole while it
//! is built (every page's HTML, for the pages, the print page and
//! `serve`'s copy of the site), and HTML packs to about a third, so the
//! memory a build needs grows by a third as much with the site. Packing
//! and unpacking a page takes microseconds.

use std::sync::Arc;

#[derive(Clone, Default)]
pub struct Packed {
    packed: Arc<[u8]>,
    /// The length unpacked.
    len: usize,
}

impl Packed {
    pub fn new(bytes: &[u8]) -> Packed {
        Packed {
            packed: lz4_flex::compress_prepend_size(bytes).into(),
            len: bytes.len(),
        }
    }

    /// The bytes, unpacked.
    pub fn bytes(&self) -> Vec<u8> {
        if self.len == 0 {
            return Vec::new();
        }
        lz4_flex::decompress_size_prepended(&self.packed).expect("packed by Packed::new")
    }

    /// The text, unpacked (for a `Packed` made from text).
    pub fn text(&self) -> String {
        String::from_utf8(self.bytes()).expect("packed from text")
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Packed({} bytes in {})", self.len, self.packed.len())
    }
}

#[cfg(test)]
mod tests {
    use super::Packed;

    #[test]
    fn what_is_packed_comes_back_whole() {
        for text in ["", "a", &"<p>same words, again and again</p>\n".repeat(500)] {
            let packed = Packed::new(text.as_bytes());
            assert_eq!(packed.text(), text);
            assert_eq!(packed.len(), text.len());
        }
        let html = "<pre><code><span class=\"c1\">x</span></code></pre>\n".repeat(200);
        assert!(Packed::new(html.as_bytes()).packed.len() * 3 < html.len());
    }
}
