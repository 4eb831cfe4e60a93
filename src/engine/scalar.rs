//! Pure helpers for the text the templates emit: YAML string scalars, Go
//! durations, Kubernetes names, and Helm's byte truncation.

use crate::values::yaml::reads_back_as_plain_string;

/// Writes `s` as a YAML string scalar that every YAML reader (1.1 or 1.2)
/// reads back as exactly `s`: plain when that is unambiguous, double-quoted
/// with escapes otherwise. Plain output matches Helm's for well-formed values
/// (`dify/api`, `15m`, `secret_key`), so golden files made by Helm still diff
/// clean; anything else (`a: b`, `vault #c`, `007`, `yes`, a newline, `---`)
/// is quoted and cannot break out of its field (SPEC §7 A1, D1).
pub fn yaml_string(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_owned()
    } else {
        double_quoted(s)
    }
}

/// Writes `s` as the value of a block mapping entry (`key: <here>`) the way
/// Helm's templates paste it — raw — whenever the raw text reads back as
/// exactly `s` to Go's YAML reader (goyaml.v2 through sigs.k8s.io/yaml, as
/// Helm and Kubernetes tooling read manifests), and double-quoted otherwise.
/// So for well-formed values difyx prints Helm's bytes (`store,with,commas`,
/// `dify/api`, `api#1`), while a value that would change type (`yes`,
/// `0123`, `1e3`, `~`), break the document (`a: b`, a newline, a leading
/// `*`) or lose text (`vault #c`, trailing spaces) is quoted and cannot
/// break out of its field (SPEC §7.0 D1). The text `<no value>`, which Helm
/// erases (§7 A4), is quoted too.
pub fn yaml_value(s: &str) -> String {
    if reads_back_plain(s) {
        s.to_owned()
    } else {
        double_quoted(s)
    }
}

/// Whether goyaml.v2 reads `key: <s>` as the string `s`: decided by
/// difyx's YAML reader itself ([`crate::values::yaml`], goyaml.v2's rules),
/// so the printer and the reader cannot disagree. Only one-line values
/// qualify (a line break or another control character could carry the
/// value out of its field), and never one holding `<no value>`, which
/// Helm erases (§7 A4).
pub fn reads_back_plain(s: &str) -> bool {
    if s.is_empty() || s.contains("<no value>") {
        return false;
    }
    // Non-ASCII white space (U+00A0, U+3000…) is text to goyaml.v2, but
    // `trim` (minijinja's, as Go's strings.TrimSpace) takes it: a value at
    // the end of a trimmed template would lose it. Quoted.
    if s.chars().any(|c| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{2028}' | '\u{2029}')
            || (!c.is_ascii() && c.is_whitespace())
    }) {
        return false;
    }
    reads_back_as_plain_string(s)
}

/// A YAML double-quoted scalar, escaping `\`, `"` and every character that a
/// YAML reader would not keep as is (controls, DEL, C1, NEL, line and
/// paragraph separators, BOM).
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02X}", c as u32))
            }
            '\u{2028}' | '\u{2029}' | '\u{FEFF}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `s` may be written plain: only `[A-Za-z0-9._/-]`, starting with a
/// letter or digit, holding a letter, and not a word or number that YAML 1.1
/// or 1.2 resolves to another type (`yes`, `null`, `0x1F`, `1e3`).
fn is_plain_safe(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(first) = bytes.first() else {
        return false;
    };
    if !first.is_ascii_alphanumeric() {
        return false;
    }
    if !bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-'))
    {
        return false;
    }
    // Strings without letters (`123`, `1.6.0`, `2001-12-14`) may be numbers,
    // versions or timestamps to some reader: always quote them.
    if !bytes.iter().any(u8::is_ascii_alphabetic) {
        return false;
    }
    const WORDS: &[&str] = &[
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "nan", "inf",
    ];
    if WORDS.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        return false;
    }
    // goyaml.v2 reads a number with every `_` dropped (`0_b0` is 0).
    if first.is_ascii_digit() && bytes.contains(&b'_') {
        return !looks_numeric(&s.replace('_', ""));
    }
    !looks_numeric(s)
}

/// Numbers that contain letters: `0x1F`, `0o17`, `0b101`, `1e3`, `1.5E-3`.
/// Letters are compared without case, in place: this runs for every string
/// a template writes.
fn looks_numeric(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() > 2
        && bytes[0] == b'0'
        && matches!(bytes[1].to_ascii_lowercase(), b'x' | b'o' | b'b')
    {
        return true;
    }
    if let Some(e) = bytes.iter().position(|b| b.eq_ignore_ascii_case(&b'e')) {
        let (mantissa, exp) = (&bytes[..e], &bytes[e + 1..]);
        let mantissa_ok = !mantissa.is_empty()
            && mantissa
                .iter()
                .all(|b| b.is_ascii_digit() || *b == b'.' || *b == b'_')
            && mantissa.iter().any(u8::is_ascii_digit);
        let exp = exp
            .strip_prefix(b"+")
            .or(exp.strip_prefix(b"-"))
            .unwrap_or(exp);
        // goyaml.v2 drops every `_` before reading a number: `1e3_` is 1000.
        let exp_ok = exp.iter().any(u8::is_ascii_digit)
            && exp.iter().all(|b| b.is_ascii_digit() || *b == b'_');
        return mantissa_ok && exp_ok;
    }
    false
}

/// Why a string is not a Go duration, or `Ok(())`: exactly the strings that
/// Go's `time.ParseDuration` accepts (SPEC §7.0 D3), overflow included.
pub fn check_go_duration(s: &str) -> Result<(), &'static str> {
    const INVALID: &str = "not a Go duration";
    let mut rest = s.as_bytes();
    let mut neg = false;
    if let Some((&c, tail)) = rest.split_first() {
        if c == b'-' || c == b'+' {
            neg = c == b'-';
            rest = tail;
        }
    }
    if rest == b"0" {
        return Ok(());
    }
    if rest.is_empty() {
        return Err(INVALID);
    }
    const LIMIT: u64 = 1 << 63;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        if !(rest[0] == b'.' || rest[0].is_ascii_digit()) {
            return Err(INVALID);
        }
        // Integer part.
        let mut v: u64 = 0;
        let mut i = 0;
        while i < rest.len() && rest[i].is_ascii_digit() {
            if v > LIMIT / 10 {
                return Err("out of range");
            }
            v = v * 10 + u64::from(rest[i] - b'0');
            if v > LIMIT {
                return Err("out of range");
            }
            i += 1;
        }
        let pre = i > 0;
        rest = &rest[i..];
        // Fraction.
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if rest.first() == Some(&b'.') {
            rest = &rest[1..];
            let mut i = 0;
            let mut overflow = false;
            while i < rest.len() && rest[i].is_ascii_digit() {
                if !overflow {
                    if f > (LIMIT - 1) / 10 {
                        overflow = true;
                    } else {
                        let y = f * 10 + u64::from(rest[i] - b'0');
                        if y > LIMIT {
                            overflow = true;
                        } else {
                            f = y;
                            scale *= 10.0;
                        }
                    }
                }
                i += 1;
            }
            post = i > 0;
            rest = &rest[i..];
        }
        if !pre && !post {
            return Err(INVALID);
        }
        // Unit: everything up to the next digit or '.'.
        let end = rest
            .iter()
            .position(|b| *b == b'.' || b.is_ascii_digit())
            .unwrap_or(rest.len());
        if end == 0 {
            return Err("missing a unit (ns, us, ms, s, m, h)");
        }
        let unit: u64 = match std::str::from_utf8(&rest[..end]) {
            Ok("ns") => 1,
            Ok("us" | "µs" | "μs") => 1_000,
            Ok("ms") => 1_000_000,
            Ok("s") => 1_000_000_000,
            Ok("m") => 60_000_000_000,
            Ok("h") => 3_600_000_000_000,
            _ => return Err("unknown unit (use ns, us, ms, s, m or h)"),
        };
        rest = &rest[end..];
        if v > LIMIT / unit {
            return Err("out of range");
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err("out of range");
            }
        }
        total += v;
        if total > LIMIT {
            return Err("out of range");
        }
    }
    if !neg && total > LIMIT - 1 {
        return Err("out of range");
    }
    Ok(())
}

/// A DNS-1123 label: at most 63 of `[a-z0-9-]`, alphanumeric at both ends.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// A DNS-1123 subdomain (a Kubernetes object name): at most 253 characters,
/// dot-separated labels of `[a-z0-9-]` that start and end alphanumeric.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            let b = part.as_bytes();
            !b.is_empty()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        })
}

/// A Kubernetes label value: empty, or at most 63 of `[A-Za-z0-9._-]` that
/// start and end alphanumeric.
pub fn is_label_value(s: &str) -> bool {
    let b = s.as_bytes();
    b.is_empty()
        || (b.len() <= 63
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric())
}

/// Helm's `trunc`: the first `n` bytes — but never half a character: the cut
/// moves back to a character boundary (SPEC §7 A5).
pub fn truncate_bytes(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `looks_numeric` as first written, on a lower-cased copy.
    fn looks_numeric_lowercased(s: &str) -> bool {
        let lower = s.to_ascii_lowercase();
        if lower.len() > 2
            && lower.starts_with('0')
            && matches!(lower.as_bytes()[1], b'x' | b'o' | b'b')
        {
            return true;
        }
        if let Some((mantissa, exp)) = lower.split_once('e') {
            let mantissa_ok = !mantissa.is_empty()
                && mantissa
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b'_')
                && mantissa.bytes().any(|b| b.is_ascii_digit());
            let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            let exp_ok = exp.bytes().any(|b| b.is_ascii_digit())
                && exp.bytes().all(|b| b.is_ascii_digit() || b == b'_');
            return mantissa_ok && exp_ok;
        }
        false
    }

    #[test]
    fn looks_numeric_ignores_case_in_place_as_on_a_lowercased_copy() {
        // Every string of up to five characters over the characters that
        // decide the answer.
        let alphabet = [
            '0', '1', 'e', 'E', 'x', 'X', 'o', 'B', '.', '_', '+', '-', 'a',
        ];
        let mut strings = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = strings
                .iter()
                .filter(|s| s.len() == strings.last().map_or(0, String::len))
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(longer);
        }
        assert!(strings.len() > 400_000);
        for s in &strings {
            assert_eq!(looks_numeric(s), looks_numeric_lowercased(s), "{s:?}");
        }
        for word in ["YES", "No", "tRUE", "NULL", "Inf", "NaN", "oFF"] {
            assert_ne!(yaml_string(word), word, "{word}");
        }
    }

    #[test]
    fn plain_when_unambiguous() {
        for s in [
            "dify/api",
            "secret_key",
            "15m",
            "1h30m",
            "vault-backend",
            "SecretStore",
            "dify-0.27.0",
            "a.b",
        ] {
            assert_eq!(yaml_string(s), s, "{s}");
        }
    }

    #[test]
    fn quoted_when_yaml_would_read_something_else() {
        let cases = [
            ("", "\"\""),
            ("yes", "\"yes\""),
            ("No", "\"No\""),
            ("null", "\"null\""),
            ("true", "\"true\""),
            ("007", "\"007\""),
            ("1.6.0", "\"1.6.0\""),
            ("1e3", "\"1e3\""),
            ("1E-5", "\"1E-5\""),
            ("1e3_", "\"1e3_\""),
            ("1_e_3", "\"1_e_3\""),
            ("0x1F", "\"0x1F\""),
            ("2001-12-14", "\"2001-12-14\""),
            ("a: b", "\"a: b\""),
            ("vault #c", "\"vault #c\""),
            ("api #1", "\"api #1\""),
            (" lead", "\" lead\""),
            ("*ref", "\"*ref\""),
            ("<no value>", "\"<no value>\""),
            ("say \"hi\"", "\"say \\\"hi\\\"\""),
            ("back\\slash", "\"back\\\\slash\""),
            ("1h\n---\nkind: ConfigMap", "\"1h\\n---\\nkind: ConfigMap\""),
            ("tab\there", "\"tab\\there\""),
            ("bell\u{7}", "\"bell\\x07\""),
            ("nel\u{85}", "\"nel\\x85\""),
            ("sep\u{2028}", "\"sep\\u2028\""),
            ("{{ .SECRET_KEY }}", "\"{{ .SECRET_KEY }}\""),
            ("ünïcode", "\"ünïcode\""),
        ];
        for (input, want) in cases {
            assert_eq!(yaml_string(input), want, "{input:?}");
        }
    }

    /// Each string with whether Helm 4.3.1 reads `x: <string>` back as that
    /// same string (checked with real Helm: a values file holding the line,
    /// printed with `kindOf` and `toJson`). `yaml_value` must print plain
    /// exactly where Helm does, except for the few it quotes on purpose.
    const HELM_READS_BACK: &[(&str, bool)] = &[
        ("a,b", true),
        ("store,with,commas", true),
        ("yes", false),
        ("Yes", false),
        ("YES", false),
        ("yEs", true),
        ("y", false),
        ("Y", false),
        ("n", false),
        ("N", false),
        ("no", false),
        ("on", false),
        ("On", false),
        ("off", false),
        ("true", false),
        ("True", false),
        ("tRUE", true),
        ("false", false),
        ("null", false),
        ("Null", false),
        ("NULL", false),
        ("nULL", true),
        ("~", false),
        ("~x", true),
        ("x~", true),
        ("2001-12-14", true),
        ("2001-12-14 10:00:00", true),
        ("12:30", true),
        ("1:30:00", true),
        ("<<", true),
        ("=", true),
        ("a\tb", true),
        ("0123", false),
        ("0", false),
        ("00", false),
        ("08", false),
        ("09.5", false),
        ("1_000", false),
        ("_1", true),
        ("1_", false),
        ("0x1F", false),
        ("0x", true),
        ("0xFFFFFFFFFFFFFFFFFFFF", true),
        ("0o17", false),
        ("0O17", false),
        ("0b101", false),
        ("0b2", true),
        ("-0b101", false),
        ("+5", false),
        ("-5", false),
        ("+", true),
        ("-x", true),
        ("?x", true),
        (":x", true),
        ("x:", false),
        ("x:y", true),
        ("a: b", false),
        ("a:\tb", false),
        ("---", true),
        ("...", true),
        ("1e3", false),
        ("1E3", false),
        ("1e999", true),
        ("1e-999", false),
        ("1.", false),
        (".5", false),
        (".5_0", false),
        ("._5", true),
        (".5e999", true),
        (".inf", false),
        (".Inf", false),
        (".iNF", true),
        ("-.inf", false),
        ("+.inf", false),
        (".nan", false),
        (".NaN", false),
        ("1.5.0", true),
        ("1.6.0", true),
        ("1.5", false),
        ("-1.5", false),
        ("+.5", false),
        ("-.5", false),
        (".", true),
        ("..", true),
        ("1e", true),
        ("e1", true),
        ("1e+", true),
        ("1h", true),
        ("15m", true),
        ("-1h", true),
        ("1.5h", true),
        (".5h", true),
        ("0s", true),
        ("1µs", true),
        ("a#b", true),
        ("a #b", false),
        ("a\t#b", false),
        ("#a", false),
        ("foo bar", true),
        ("x ", false),
        (" x", false),
        ("x  y", true),
        ("ü", true),
        ("ünïcode", true),
        ("日本", true),
        ("emoji😀", true),
        ("dify/api", true),
        ("secret_key", true),
        ("api #1", false),
        ("api#1", true),
        ("@x", false),
        ("x@", true),
        ("`x", false),
        ("x`", true),
        ("%x", false),
        ("x%", true),
        ("!x", false),
        ("x!", true),
        ("*x", false),
        ("x*", true),
        ("&x", false),
        ("x&", true),
        ("|x", false),
        ("x|", true),
        (">x", false),
        ("x>", true),
        ("'x", false),
        ("x'", true),
        ("\"x", false),
        ("x\"", true),
        ("[x", false),
        ("x]", true),
        ("{x", false),
        ("x}", true),
        (",x", false),
        ("{{ .X }}", false),
        ("\\x", true),
        ("x\\y", true),
        ("<no value>", true),
        ("a\u{85}b", false),
        ("a\u{a0}b", true),
        ("a\u{2028}b", false),
        ("a\u{feff}b", true),
        ("-", false),
        ("?", false),
        (":", false),
        ("- x", false),
        ("? x", false),
        ("-\tx", false),
        ("0.0", false),
        ("-0", false),
        ("+0", false),
        ("9223372036854775807", false),
        ("9223372036854775808", false),
        ("-9223372036854775808", false),
        ("-9223372036854775809", false),
        ("18446744073709551615", false),
        ("18446744073709551616", false),
        ("0x8000000000000000", false),
        ("-0x8000000000000000", false),
        ("-0x8000000000000001", true),
        ("1_0.5", false),
        ("1__0", false),
        ("0_x1", false),
        ("y_es", true),
        ("Infinity", true),
        ("inf", true),
        ("nan", true),
        ("NaN", true),
        ("-inf", true),
        ("0x1p3", true),
        ("1e1_0", false),
        (".5e1_0", false),
        (". 5", true),
        ("a,", true),
        ("[]", false),
        ("{}", false),
        ("\"\"", false),
        ("''", false),
        ("x,y:z", true),
        ("vault-backend", true),
        ("SecretStore", true),
        ("ClusterSecretStore", true),
    ];

    /// Plain to goyaml.v2 but quoted by difyx on purpose: Helm erases
    /// `<no value>` (§7 A4); `trim` takes non-ASCII white space.
    const QUOTED_ON_PURPOSE: &[&str] = &["<no value>", "a\u{a0}b"];

    #[test]
    fn yaml_value_is_plain_exactly_where_helm_reads_the_raw_text_back() {
        assert!(HELM_READS_BACK.len() > 150);
        for &(s, helm_reads_back) in HELM_READS_BACK {
            let on_purpose = QUOTED_ON_PURPOSE.contains(&s);
            assert_eq!(
                reads_back_plain(s),
                helm_reads_back && !on_purpose,
                "{s:?}: Helm reads it back: {helm_reads_back}"
            );
            let out = yaml_value(s);
            if reads_back_plain(s) {
                assert_eq!(out, s);
            } else {
                assert_eq!(out, double_quoted(s), "{s:?}");
            }
        }
        for s in QUOTED_ON_PURPOSE {
            assert!(
                HELM_READS_BACK.iter().any(|(t, ok)| t == s && *ok),
                "{s:?} is plain to Helm"
            );
        }
    }

    #[test]
    fn yaml_value_never_lets_a_value_break_out() {
        for s in [
            "a\n---\nkind: ConfigMap",
            "x\n  property: evil",
            "a: b",
            "a #b",
            "a\r\nb",
            "a\u{2028}b",
            "- x",
            "{a: b}",
        ] {
            assert!(yaml_value(s).starts_with('"'), "{s:?}");
            assert!(!yaml_value(s).contains('\n'), "{s:?}");
        }
    }

    #[test]
    fn go_durations() {
        for ok in [
            "15m", "1h30m", "1.5h", ".5h", "1.h", "-1h", "+1h", "0", "0s", "2562047h", "1µs",
            "1μs", "300ms", "1h0m0s",
        ] {
            assert_eq!(check_go_duration(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "1d",
            "1H",
            "1h 30m",
            " 15m",
            "00",
            "1e3s",
            "2562048h",
            "h",
            ".h",
            "-",
            "1",
            "15 m",
            "9223372036854775808ns",
        ] {
            assert!(check_go_duration(bad).is_err(), "{bad:?} should fail");
        }
        assert_eq!(check_go_duration("-9223372036854775808ns"), Ok(()));
        assert!(check_go_duration("9223372036854775807ns").is_ok());
    }

    #[test]
    fn kubernetes_names() {
        assert!(is_dns1123_subdomain("dify-api"));
        assert!(is_dns1123_subdomain("a.b-c.d"));
        assert!(!is_dns1123_subdomain("Dify"));
        assert!(!is_dns1123_subdomain("a..b"));
        assert!(!is_dns1123_subdomain("-a"));
        assert!(!is_dns1123_subdomain(&"a".repeat(254)));
        assert!(is_dns1123_label("007"));
        assert!(!is_dns1123_label("a.b"));
        assert!(!is_dns1123_label(&"a".repeat(64)));
        assert!(is_label_value("Dify_app.1"));
        assert!(!is_label_value("foo-"));
        assert!(!is_label_value(&"a".repeat(64)));
    }

    #[test]
    fn truncation_keeps_whole_characters() {
        assert_eq!(truncate_bytes("abcdef", 3), "abc");
        assert_eq!(truncate_bytes("ab", 3), "ab");
        assert_eq!(truncate_bytes("aé", 2), "a");
    }
}

/// What `yaml_string` leaves plain reads back as that very string with
/// Helm's reader (goyaml.v2's resolution, `src/values/yaml.rs`).
#[cfg(test)]
mod reads_back {
    #[test]
    fn plain_strings_read_back_as_strings() {
        let alphabet = ['1', '0', 'e', 'x', 'b', 'o', 'n', 'y', '.', '_', '-'];
        let mut strings = vec![String::new()];
        for _ in 0..4 {
            strings = strings
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .chain(strings.iter().cloned())
                .collect();
            strings.sort();
            strings.dedup();
        }
        for s in strings {
            let written = super::yaml_string(&s);
            let m = crate::values::yaml::parse_values(&format!("k: {written}\n"), "t")
                .unwrap_or_else(|e| panic!("{s:?} as {written}: {e}"));
            assert_eq!(
                m.get("k"),
                Some(&crate::values::Value::String(s.clone())),
                "{s:?} written {written}"
            );
        }
    }
}
