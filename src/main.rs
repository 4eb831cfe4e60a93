/// Small blocks by size class (see `difyx::alloc`): a render is thousands of
/// short-lived small allocations.
#[global_allocator]
static ALLOCATOR: difyx::alloc::SizeClasses = difyx::alloc::SizeClasses;

fn main() -> std::process::ExitCode {
    difyx::cli::run()
}
