//! A key of the user's own, kept outside every project, that seals what
//! `manual` keeps between runs in a project's cache folder and must trust
//! (which outputs a build may reuse). The cache folder is inside the
//! project, so a pull request can commit files into it; it cannot commit a
//! seal made with a key it has never seen. What can be checked by looking
//! (highlighted code, see `highlight::disk`) needs no seal.
//!
//! The key is 32 random bytes in `$XDG_CACHE_HOME/manual/key` (or
//! `~/.cache/manual/key`), made on first use, readable by its owner only. A
//! seal is BLAKE3's keyed hash of the sealed text.

use std::io::{Read, Write};
use std::path::PathBuf;

pub struct Key([u8; 32]);

/// Where the key is kept: the user's cache folder, never a project's.
fn key_path() -> Option<PathBuf> {
    Some(crate::user_cache::folder()?.join("key"))
}

impl Key {
    /// The user's key, made when there is none yet. `Err` says why there is
    /// none, for a note.
    pub fn load() -> Result<Key, String> {
        let path = key_path().ok_or("neither XDG_CACHE_HOME nor HOME is set")?;
        let shown = path.display();
        match read_key(&path) {
            Ok(key) => return Ok(key),
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("the key {shown} cannot be read ({e})"));
            }
            Err(_) => {}
        }
        let made = || -> std::io::Result<()> {
            let folder = path.parent().expect("the key's path has a folder");
            std::fs::create_dir_all(folder)?;
            let mut bytes = [0u8; 32];
            std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
            // Written whole under another name and linked into place, so two
            // first runs at once agree on one key and neither reads half.
            let mut file = tempfile::NamedTempFile::new_in(folder)?;
            file.write_all(&bytes)?;
            file.as_file().sync_all()?;
            match file.persist_noclobber(&path) {
                Ok(_) => Ok(()),
                Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                Err(e) => Err(e.error),
            }
        };
        made().map_err(|e| format!("the key {shown} cannot be made ({e})"))?;
        read_key(&path).map_err(|e| format!("the key {shown} cannot be read ({e})"))
    }

    /// The seal of `text`, as 64 hex digits.
    pub fn seal(&self, text: &[u8]) -> String {
        blake3::keyed_hash(&self.0, text).to_hex().to_string()
    }

    /// `sealed` is a seal, a newline and the text it seals: the text, if
    /// the seal is right.
    pub fn open<'a>(&self, sealed: &'a [u8]) -> Option<&'a [u8]> {
        let newline = sealed.iter().position(|&b| b == b'\n')?;
        let (seal, text) = (&sealed[..newline], &sealed[newline + 1..]);
        let seal = blake3::Hash::from_hex(seal).ok()?;
        // `Hash`'s equality takes the same time wherever the first
        // difference is.
        (seal == blake3::keyed_hash(&self.0, text)).then_some(text)
    }

    /// `text` with its seal before it, for `open`.
    pub fn sealed(&self, text: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 65);
        out.extend_from_slice(self.seal(text).as_bytes());
        out.push(b'\n');
        out.extend_from_slice(text);
        out
    }
}

fn read_key(path: &std::path::Path) -> std::io::Result<Key> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() || metadata.len() != 32 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it is not a 32-byte file",
        ));
    }
    let mut bytes = [0u8; 32];
    file.read_exact(&mut bytes)?;
    Ok(Key(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_opens_only_its_own_text_under_its_own_key() {
        let key = Key([7; 32]);
        let other = Key([8; 32]);
        let sealed = key.sealed(b"outputs");
        assert_eq!(key.open(&sealed), Some(&b"outputs"[..]));
        assert_eq!(other.open(&sealed), None);
        let mut changed = sealed.clone();
        *changed.last_mut().unwrap() = b'S';
        assert_eq!(key.open(&changed), None);
        assert_eq!(key.open(b"not a seal\noutputs"), None);
        assert_eq!(key.open(b""), None);
    }
}
