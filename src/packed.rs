//! Text kept LZ4-packed. A site's pages are held whole while it is built
//! (every page's HTML, for the pages, the print page and `serve`'s copy of
//! the site), and HTML packs to about a third. Packing and unpacking a page
//! takes microseconds. A build, which keeps nothing for a next run, holds
//! its pages' bodies in a temporary file instead (`Spill`), so its memory
//! does not grow with their HTML.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// An unnamed temporary file that packed page bodies are appended to
/// while a site is built. The system removes it when it is closed, at the
/// end of the build or if the process is killed; no one else can open it.
pub struct Spill {
    file: File,
    end: AtomicU64,
}

impl Spill {
    /// `None` when no temporary file can be made: bodies stay in memory.
    pub fn new() -> Option<Arc<Spill>> {
        let file = tempfile::tempfile().ok()?;
        Some(Arc::new(Spill {
            file,
            end: AtomicU64::new(0),
        }))
    }

    fn put(&self, bytes: &[u8]) -> io::Result<u64> {
        let at = self.end.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        self.file.write_all_at(bytes, at)?;
        Ok(at)
    }
}

/// A page's HTML body: packed in memory, or in a build's `Spill`.
#[derive(Clone)]
pub enum PageBody {
    Held(Packed),
    Spilled {
        spill: Arc<Spill>,
        at: u64,
        packed_len: usize,
        len: usize,
    },
}

impl Default for PageBody {
    fn default() -> Self {
        PageBody::Held(Packed::default())
    }
}

impl PageBody {
    /// `html`, packed, in `spill` when there is one (and it can be
    /// written), else in memory.
    pub fn new(html: &str, spill: Option<&Arc<Spill>>) -> PageBody {
        let held = PageBody::Held(Packed::new(html.as_bytes()));
        match spill {
            Some(spill) => held.into_spill(spill),
            None => held,
        }
    }

    /// The same body, moved into `spill` (kept in memory if it cannot be
    /// written there).
    pub fn into_spill(self, spill: &Arc<Spill>) -> PageBody {
        match self {
            PageBody::Held(packed) if packed.len > 0 => match spill.put(&packed.packed) {
                Ok(at) => PageBody::Spilled {
                    spill: spill.clone(),
                    at,
                    packed_len: packed.packed.len(),
                    len: packed.len,
                },
                Err(_) => PageBody::Held(packed),
            },
            other => other,
        }
    }

    /// The HTML. Reading back a build's own temporary file fails only when
    /// the system does; the caller reports it as a file it cannot make.
    pub fn text(&self) -> io::Result<String> {
        let bytes = match self {
            PageBody::Held(packed) => packed.bytes(),
            PageBody::Spilled {
                spill,
                at,
                packed_len,
                ..
            } => {
                let mut packed = vec![0; *packed_len];
                spill.file.read_exact_at(&mut packed, *at)?;
                lz4_flex::decompress_size_prepended(&packed)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?
            }
        };
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// The length of the HTML.
    pub fn len(&self) -> usize {
        match self {
            PageBody::Held(packed) => packed.len(),
            PageBody::Spilled { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for PageBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageBody::Held(packed) => packed.fmt(f),
            PageBody::Spilled {
                len, packed_len, ..
            } => {
                write!(f, "Spilled({len} bytes in {packed_len})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Packed, PageBody, Spill};

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

    /// Bodies held in a build's temporary file come back whole, each its
    /// own, however many threads wrote them at once.
    #[test]
    fn spilled_bodies_come_back_whole() {
        let spill = Spill::new().expect("a temporary file");
        let bodies: Vec<(String, PageBody)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|worker| {
                    let spill = &spill;
                    scope.spawn(move || {
                        (0..200)
                            .map(|i| {
                                let html = format!("<p>page {worker}-{i}</p>\n").repeat(i % 7);
                                let body = PageBody::new(&html, Some(spill));
                                (html, body)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect()
        });
        for (html, body) in &bodies {
            assert_eq!(&body.text().unwrap(), html);
            assert_eq!(body.len(), html.len());
            assert_eq!(matches!(body, PageBody::Spilled { .. }), !html.is_empty());
        }
    }
}
