//! The one place commands write to the terminal. A closed pipe
//! (`manual check | head`) ends the output quietly: the command goes on and
//! exits with the status it would have had, and a build still publishes.
//! Rust's `println!` would panic instead.

use std::fmt;
use std::io::Write;

/// Writes a line to standard output; a closed pipe is not an error.
pub fn out(args: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stdout().lock(), "{args}");
}

/// Writes a line to standard error; a closed pipe is not an error.
pub fn err(args: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{args}");
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
