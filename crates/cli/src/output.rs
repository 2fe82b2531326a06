//! Standard output for commands whose output may be piped into another program.
//!
//! `println!` panics when the reader has gone away (`xinwen source list | head`); Unix tools
//! stop quietly instead, and so does [`outln!`].

use std::io::Write;

/// Like `println!`, but a closed pipe ends the program quietly (status 0): the reader has
/// what it wanted. Any other write error is reported and ends it with status 1.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

pub fn line(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("xinwen: error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}
