//! The `difyx` binary: the library's [`difyx::cli::run`], and the process's
//! allocator.
//!
//! On Linux with glibc the binary enters at C's `main` rather than through
//! std's runtime (`#![no_main]`). That runtime's start-up reads
//! `/proc/self/maps` to find the main thread's stack guard and installs a
//! stack-overflow handler on an alternate signal stack: ~40 µs of a ~2 ms
//! render on the CI machines (`docs/performance.md`, round ten), for a
//! message on a stack overflow that difyx's depth limits rule out. The
//! two things of that runtime a command-line tool relies on are done here
//! instead: descriptors 0–2 are kept open (a closed stdout must not be
//! taken by the first file difyx opens), and `SIGPIPE` is ignored, so that
//! writing to a closed pipe is an error difyx handles (`difyx template |
//! head` exits quietly) instead of a signal. Arguments and environment
//! reach `std::env` the same way either way (glibc hands them to std's
//! initialiser, which is why musl keeps std's runtime); stdout is flushed
//! by `cli::run` itself.

#![cfg_attr(all(target_os = "linux", target_env = "gnu"), no_main)]

/// Small blocks by size class (see `difyx::alloc`): a render is thousands of
/// short-lived small allocations.
#[global_allocator]
static ALLOCATOR: difyx::alloc::SizeClasses = difyx::alloc::SizeClasses;

/// The process's entry on Linux, called by the C runtime.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[unsafe(no_mangle)]
extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    difyx::process::init();
    if difyx::cli::run() == std::process::ExitCode::SUCCESS {
        0
    } else {
        1
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn main() -> std::process::ExitCode {
    difyx::cli::run()
}
