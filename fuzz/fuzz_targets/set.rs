//! The --set family parser: never panics, whatever the argument.
#![no_main]

use difyx::values::strvals::{parse_into, SetKind};
use difyx::values::Map;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(arg) = std::str::from_utf8(rest) else { return };
    // --set-file would read the fuzzer's paths from disk: not fuzzed here.
    let kind = match selector % 4 {
        0 => SetKind::Set,
        1 => SetKind::String,
        2 => SetKind::Json,
        _ => SetKind::Literal,
    };
    let mut dest = Map::new();
    let _ = parse_into(arg, &mut dest, kind);
});
