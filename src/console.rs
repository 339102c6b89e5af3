//! The one place commands write to the terminal.
//!
//! - A closed pipe (`manual check | head`) ends the output quietly: the
//!   command goes on and exits with the status it would have had, and a
//!   build still publishes. Rust's `println!` would panic instead.
//! - Colour goes through anstream, which drops it when the stream is not a
//!   terminal, when `NO_COLOR` is set or `--color never` was given, and keeps
//!   it with `CLICOLOR_FORCE` or `--color always`.
//! - `-q` keeps only errors; `-v` adds what each stage took.
//!
//! The command line sets these once, before any stage runs; the stages
//! themselves never print.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

/// How much the commands say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only.
    Quiet = 0,
    Normal = 1,
    /// Also what each stage took.
    Verbose = 2,
}

static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

pub fn set_verbosity(verbosity: Verbosity) {
    VERBOSITY.store(verbosity as u8, Ordering::Relaxed);
}

pub fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        1 => Verbosity::Normal,
        _ => Verbosity::Verbose,
    }
}

/// `--color`: `Auto` leaves it to the terminal and the environment.
pub fn set_color(choice: anstream::ColorChoice) {
    choice.write_global();
}

/// Whether standard error is a terminal a person is watching (for
/// progress bars).
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// Writes a line to standard output; a closed pipe is not an error.
pub fn out(args: fmt::Arguments<'_>) {
    let _ = writeln!(anstream::stdout().lock(), "{args}");
}

/// Writes bytes as they are to standard output (a completion script); a
/// closed pipe is not an error.
pub fn write_out(bytes: &[u8]) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(bytes);
}

/// Writes a line to standard error; a closed pipe is not an error.
pub fn err(args: fmt::Arguments<'_>) {
    let _ = writeln!(anstream::stderr().lock(), "{args}");
}

/// Writes a line to standard error unless `-q` was given.
pub fn note(args: fmt::Arguments<'_>) {
    if verbosity() >= Verbosity::Normal {
        err(args);
    }
}

/// Writes a line to standard error only with `-v`.
pub fn detail(args: fmt::Arguments<'_>) {
    if verbosity() >= Verbosity::Verbose {
        err(args);
    }
}

/// `println!` to standard output, quiet on a closed pipe.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => { $crate::console::out(format_args!($($arg)*)) };
}

/// `eprintln!` to standard error, quiet on a closed pipe.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => { $crate::console::err(format_args!($($arg)*)) };
}

/// A line to standard error that `-q` leaves out.
#[macro_export]
macro_rules! noteln {
    ($($arg:tt)*) => { $crate::console::note(format_args!($($arg)*)) };
}

/// A line to standard error that only `-v` shows.
#[macro_export]
macro_rules! detailln {
    ($($arg:tt)*) => { $crate::console::detail(format_args!($($arg)*)) };
}
