//! Ctrl-C during `build`: the build stops at the next page, deletes its
//! staging folder and leaves the published site as it was.
//!
//! A signal reaches the whole process, so the flag it sets is process-wide
//! (the one global in the crate). The default action, ending the process at
//! once, would leave the staging folder behind and could fall between the
//! two renames of publishing, with no site in place; so the first Ctrl-C
//! only asks the build to stop, and publishing, once begun, finishes. A
//! second Ctrl-C ends the process at once.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The exit status of a process stopped by SIGINT, by shell convention.
pub const EXIT_STATUS: u8 = 130;

/// Catches Ctrl-C (and SIGTERM) from now on.
pub fn catch() {
    let _ = ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_STATUS));
        }
    });
}

pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
