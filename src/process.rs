//! What std's runtime does for a process before `main`, for the binary's
//! own entry point (`src/main.rs` explains why it has one on Linux).

/// Keeps descriptors 0–2 open, on `/dev/null` if they were closed, and
/// ignores `SIGPIPE`: the two parts of std's start-up a command-line tool
/// relies on. Call it first in `main`, before any file is opened.
#[cfg(target_os = "linux")]
pub fn init() {
    // SAFETY: poll, fcntl, open and signal are called with valid arguments
    // (a local array of three pollfds, a NUL-terminated path) before any
    // other thread exists.
    unsafe {
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        });
        let closed: [bool; 3] = loop {
            if libc::poll(fds.as_mut_ptr(), 3, 0) != -1 {
                break fds.map(|p| p.revents & libc::POLLNVAL != 0);
            }
            match *libc::__errno_location() {
                libc::EINTR => continue,
                // As std: without poll (a sandbox may forbid it), ask each descriptor.
                _ => break [0, 1, 2].map(|fd| libc::fcntl(fd, libc::F_GETFD) == -1),
            }
        };
        for (fd, closed) in closed.into_iter().enumerate() {
            // open takes the lowest free descriptor: the closed one.
            if closed && libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) != fd as libc::c_int {
                libc::abort(); // as std does: writing into a file taken for stdout is worse
            }
        }
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}
