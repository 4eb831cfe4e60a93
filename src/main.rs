fn main() -> std::process::ExitCode {
    difyx::cli::run()
}
