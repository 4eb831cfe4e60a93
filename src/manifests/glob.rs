//! Go's `path/filepath.Match` on a Unix system, which `--show-only` uses.
//!
//! `*` matches any run of characters but `/`, `?` one character but `/`,
//! `[a-z]` / `[^a-z]` a class, `\` escapes the next character. A malformed
//! pattern matches nothing (Helm ignores the error and reports the template
//! as not found).

/// Whether `name` matches `pattern`.
pub fn matches(pattern: &str, name: &str) -> bool {
    match_pattern(pattern, name).unwrap_or(false)
}

struct BadPattern;

fn match_pattern(mut pattern: &str, mut name: &str) -> Result<bool, BadPattern> {
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains('/'));
        }
        let attempt = match_chunk(chunk, name);
        if let Ok(Some(t)) = attempt {
            if t.is_empty() || !pattern.is_empty() {
                name = t;
                continue;
            }
        }
        attempt?;
        if star {
            for (i, c) in name.char_indices() {
                if c == '/' {
                    break;
                }
                let next = &name[i + c.len_utf8()..];
                if let Some(t) = match_chunk(chunk, next)? {
                    if pattern.is_empty() && !t.is_empty() {
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
            }
        }
        // Report a malformed remainder as an error, as Go does.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, "")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits off leading stars and the chunk up to the next star outside a class.
fn scan_chunk(pattern: &str) -> (bool, &str, &str) {
    let trimmed = pattern.trim_start_matches('*');
    let star = trimmed.len() != pattern.len();
    let bytes = trimmed.as_bytes();
    let mut in_range = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 < bytes.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &trimmed[..i], &trimmed[i..])
}

/// Matches one chunk at the start of `s`; the rest of `s` on success.
fn match_chunk<'a>(mut chunk: &str, mut s: &'a str) -> Result<Option<&'a str>, BadPattern> {
    let mut failed = false;
    while let Some(c) = chunk.chars().next() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match c {
            '[' => {
                let mut r = '\0';
                if !failed {
                    r = s.chars().next().unwrap_or('\0');
                    s = &s[r.len_utf8()..];
                }
                chunk = &chunk[1..];
                let negated = chunk.starts_with('^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.starts_with(']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_escaped(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.starts_with('-') {
                        let (h, rest) = get_escaped(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    ranges += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    let r = s.chars().next().unwrap_or('\0');
                    if r == '/' {
                        failed = true;
                    }
                    s = &s[r.len_utf8()..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                let literal = if c == '\\' {
                    chunk = &chunk[1..];
                    chunk.chars().next().ok_or(BadPattern)?
                } else {
                    c
                };
                if !failed {
                    let r = s.chars().next().unwrap_or('\0');
                    if r != literal {
                        failed = true;
                    }
                    s = &s[r.len_utf8().min(s.len())..];
                }
                chunk = &chunk[literal.len_utf8()..];
            }
        }
    }
    Ok(if failed { None } else { Some(s) })
}

/// One possibly escaped character of a class; the class must go on after it.
fn get_escaped(chunk: &str) -> Result<(char, &str), BadPattern> {
    let mut chunk = chunk;
    match chunk.chars().next() {
        None | Some('-') | Some(']') => return Err(BadPattern),
        Some('\\') => chunk = &chunk[1..],
        _ => {}
    }
    let r = chunk.chars().next().ok_or(BadPattern)?;
    let rest = &chunk[r.len_utf8()..];
    if rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((r, rest))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn go_filepath_match_semantics() {
        // Vectors from Go's own path/filepath match tests.
        let cases: &[(&str, &str, bool)] = &[
            ("abc", "abc", true),
            ("*", "abc", true),
            ("*c", "abc", true),
            ("a*", "a", true),
            ("a*", "abc", true),
            ("a*", "ab/c", false),
            ("a*/b", "abc/b", true),
            ("a*/b", "a/c/b", false),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", true),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false),
            ("a*b?c*x", "abxbbxdbxebxczzx", true),
            ("a*b?c*x", "abxbbxdbxebxczzy", false),
            ("ab[c]", "abc", true),
            ("ab[b-d]", "abc", true),
            ("ab[e-g]", "abc", false),
            ("ab[^c]", "abc", false),
            ("ab[^b-d]", "abc", false),
            ("ab[^e-g]", "abc", true),
            ("a\\*b", "a*b", true),
            ("a\\*b", "ab", false),
            ("a?b", "a☺b", true),
            ("a[^a]b", "a☺b", true),
            ("a???b", "a☺b", false),
            ("a[^a][^a][^a]b", "a☺b", false),
            ("[a-ζ]*", "α", true),
            ("*[a-ζ]", "A", false),
            ("a?b", "a/b", false),
            ("a*b", "a/b", false),
            ("[\\]a]", "]", true),
            ("[\\-]", "-", true),
            ("[x\\-]", "x", true),
            ("[x\\-]", "-", true),
            ("[x\\-]", "z", false),
            ("[\\-x]", "x", true),
            ("[]a]", "]", false),
            ("[-]", "-", false),
            ("[x-]", "x", false),
            ("[a-b-c]", "a", false),
            ("[", "a", false),
            ("[^", "a", false),
            ("[^bc", "a", false),
            ("a[", "a", false),
            ("a[", "ab", false),
            ("*x", "xxx", true),
            ("templates/*-secret.yaml", "templates/api-secret.yaml", true),
            (
                "templates/*-secret.yaml",
                "templates/api-externalsecret.yaml",
                false,
            ),
            ("templates/*", "templates/sub/x.yaml", false),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(
                matches(pattern, name),
                *want,
                "Match({pattern:?}, {name:?})"
            );
        }
    }
}
