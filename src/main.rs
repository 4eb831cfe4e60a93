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

/// A byte of the read-only data's block, for `difyx_entry` to find it.
#[cfg(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64"))]
static RODATA: u8 = 0;

// The ELF entry point on x86-64 Linux with glibc (`build.rs` links with
// `--entry=difyx_entry`): one `madvise(MADV_HUGEPAGE)` over the binary's
// read-only data and code, then glibc's `_start` with the registers as the
// kernel left them.
//
// Why: a render reads ~1 MiB of code, which `build/hot-text.ld` places at
// the start of a 2 MiB-aligned block, and read-only data the script puts in
// a 2 MiB block of its own. Mapped page by page, they took ~45 page faults,
// each mapping 64 KiB (~3 µs apiece on the CI machines). With the advice,
// the first run after the binary enters the page cache reads each block as
// one huge folio, and every run after maps it with a single fault, advice
// or not (`docs/performance.md`, round eleven). The advice must come before
// any of a block is read: pages already cached in small folios stay so
// until evicted. Hence an entry of its own, before glibc's start-up reads
// its code and data, in a section the script places after all other code.
// A kernel without transparent huge pages refuses the advice, and nothing
// changes.
//
// Registers at entry: `rsp` points at `argc`, `rdx` holds a function for
// `atexit` (or 0); both reach `_start` unchanged. `syscall` clobbers
// `rax`, `rcx` and `r11`; `r12` keeps `rdx` meanwhile (`_start` reads
// neither). The range runs from the start of the read-only data's block
// (the one holding `RODATA`) to the end of the code (`etext`); the ELF
// headers before it are left alone: the kernel has read them already, and
// advice there would have the first fault read the data's block in small
// pages around them.
#[cfg(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64"))]
std::arch::global_asm!(
    ".pushsection .text.entry, \"ax\", @progbits",
    ".globl difyx_entry",
    ".type difyx_entry, @function",
    "difyx_entry:",
    "mov r12, rdx",
    "lea rdi, [rip + {rodata}]",
    "and rdi, -0x200000",
    "lea rsi, [rip + etext]",
    "sub rsi, rdi",
    "mov edx, {madv_hugepage}",
    "mov eax, {sys_madvise}",
    "syscall",
    "mov rdx, r12",
    "jmp _start",
    ".size difyx_entry, . - difyx_entry",
    ".popsection",
    rodata = sym RODATA,
    madv_hugepage = const libc::MADV_HUGEPAGE,
    sys_madvise = const libc::SYS_madvise,
);

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
