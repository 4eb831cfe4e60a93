//! The sliver of Go's `text/template` that ESO's template engine v2 needs to
//! evaluate the `target.template.data` values this chart emits.
//!
//! ESO (`pkg/template/v2`) parses each value with
//! `template.New(key).Option("missingkey=error").Funcs(sprig…).Parse(value)`
//! and executes it over the fetched data as a `map[string]string`. Supported
//! here, with Go's exact semantics:
//!
//! * literal text, copied as is (a lone `}}` is text, as in Go);
//! * `{{ .KEY }}`: the fetched value of `KEY`; a key that was not fetched is an
//!   error (`map has no entry for key`), because of `missingkey=error`;
//! * `{{ index . "key-with-dash" }}`: the fetched value of that key; the
//!   string is a Go interpreted (`"…"` with Go's escapes) or raw (`` `…` ``)
//!   literal. Go's `index` ignores `missingkey=error`: a key that was not
//!   fetched gives the empty string, and [`Rendered::absent`] says so;
//! * spaces, tabs and newlines between the tokens of an action, and the trim
//!   markers `{{- ` and ` -}}` (a dash and one space-class character), which
//!   remove the space characters (` \t\r\n`) before or after the action.
//!
//! Anything else (pipes, functions, comments, variables, field chains,
//! `{{ . }}`) is refused with an error that quotes the action: difyx never
//! guesses at a value ESO would compute differently.

use std::collections::BTreeMap;

/// Go's space characters, for trim markers and token separation.
const SPACES: &[char] = &[' ', '\t', '\r', '\n'];

/// One piece of a parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    Text(String),
    /// `{{ .KEY }}`
    Field(String),
    /// `{{ index . "key" }}`
    Index(String),
}

/// A parsed template value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    nodes: Vec<Node>,
}

/// A template value that difyx cannot evaluate exactly as ESO would.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// A template that parsed but cannot run over the fetched data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    /// `{{ .KEY }}` with no fetched `KEY` (ESO: `map has no entry for key`).
    #[error("{{{{ .{0} }}}} reads {0}, which no spec.data entry fetches (ESO: map has no entry for key \"{0}\")")]
    MissingKey(String),
}

/// The output of one template, and the keys `index` read that were not fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    /// Keys read with `index . "key"` that the data does not hold (each gave "").
    pub absent: Vec<String>,
}

/// Parses a template value.
pub fn parse(src: &str) -> Result<Template, ParseError> {
    let mut nodes = Vec::new();
    let mut rest = src;
    let mut trim_leading = false;
    loop {
        let Some(open) = rest.find("{{") else {
            push_text(&mut nodes, rest, trim_leading, false);
            break;
        };
        let after = &rest[open + 2..];
        let left_trim = after.starts_with('-') && after[1..].starts_with(SPACES);
        push_text(&mut nodes, &rest[..open], trim_leading, left_trim);
        let body = if left_trim { &after[1..] } else { after };
        let action = lex_action(body).map_err(|why| unsupported(&rest[open..], &why))?;
        nodes.push(node_of(&action.tokens).map_err(|why| unsupported(&rest[open..], &why))?);
        trim_leading = action.right_trim;
        rest = &body[action.len..];
    }
    Ok(Template { nodes })
}

fn push_text(nodes: &mut Vec<Node>, text: &str, trim_start: bool, trim_end: bool) {
    let mut text = text;
    if trim_start {
        text = text.trim_start_matches(SPACES);
    }
    if trim_end {
        text = text.trim_end_matches(SPACES);
    }
    if !text.is_empty() {
        nodes.push(Node::Text(text.to_owned()));
    }
}

/// The error for the action starting at `from` (which begins with `{{`).
fn unsupported(from: &str, why: &str) -> ParseError {
    let shown = match from.find("}}") {
        Some(end) => &from[..end + 2],
        None => from,
    };
    let shown: String = if shown.chars().count() > 80 {
        shown.chars().take(77).collect::<String>() + "..."
    } else {
        shown.to_owned()
    };
    ParseError(format!(
        "unsupported template action {shown:?} ({why}); difyx resolve evaluates only literal text, \
         {{{{ .KEY }}}} and {{{{ index . \"key\" }}}}"
    ))
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    /// `.`
    Dot,
    /// `.Name`
    Field(String),
    /// A bare word: `index`, `upper`, `true`, ...
    Word(String),
    /// A string literal, unquoted.
    Str(String),
}

struct Action {
    tokens: Vec<Token>,
    /// Bytes of the body consumed, through the closing `}}`.
    len: usize,
    right_trim: bool,
}

/// Lexes the inside of an action, `body` starting just after `{{` (and a
/// left trim marker), through the closing `}}`.
fn lex_action(body: &str) -> Result<Action, String> {
    let mut tokens = Vec::new();
    let mut pos = 0;
    // Whether the token just read needs a separator before the next one.
    let mut need_separator = false;
    loop {
        let rest = &body[pos..];
        let spaced = rest.starts_with(SPACES);
        let trimmed = rest.trim_start_matches(SPACES);
        // ` -}}` closes with a right trim marker only after a space: the
        // marker is the space before the dash plus the dash.
        if spaced {
            let space_len = rest.len() - trimmed.len();
            let last_space = pos + space_len - 1;
            if body[last_space..].len() >= 4 && body[last_space + 1..].starts_with("-}}") {
                return Ok(Action {
                    tokens,
                    len: last_space + 4,
                    right_trim: true,
                });
            }
        }
        pos += rest.len() - trimmed.len();
        let rest = trimmed;
        if rest.is_empty() {
            return Err("unclosed action".into());
        }
        if rest.starts_with("}}") {
            return Ok(Action {
                tokens,
                len: pos + 2,
                right_trim: false,
            });
        }
        let chained = rest.starts_with('.') && matches!(tokens.last(), Some(Token::Field(_)));
        if need_separator && !spaced && !chained {
            return Err(format!(
                "unexpected {:?} right after the previous token",
                first_char(rest)
            ));
        }
        let c = first_char(rest);
        let (token, len) = match c {
            '.' => {
                let name: &str = take_ident(&rest[1..]);
                if name.is_empty() {
                    match rest[1..].chars().next() {
                        Some(n) if n.is_ascii_digit() => return Err("a number".into()),
                        _ => (Token::Dot, 1),
                    }
                } else {
                    (Token::Field(name.to_owned()), 1 + name.len())
                }
            }
            '"' => {
                let (value, len) = interpreted_string(rest)?;
                (Token::Str(value), len)
            }
            '`' => {
                let Some(end) = rest[1..].find('`') else {
                    return Err("unterminated raw string".into());
                };
                // Go drops carriage returns from raw strings.
                (Token::Str(rest[1..1 + end].replace('\r', "")), end + 2)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let word = take_ident(rest);
                (Token::Word(word.to_owned()), word.len())
            }
            '/' if rest.starts_with("/*") => return Err("a comment".into()),
            '|' => return Err("a pipe".into()),
            '$' => return Err("a variable".into()),
            '(' | ')' => return Err("parentheses".into()),
            c => return Err(format!("unexpected {c:?}")),
        };
        tokens.push(token);
        pos += len;
        need_separator = true;
    }
}

fn first_char(s: &str) -> char {
    s.chars().next().unwrap_or('\0')
}

/// The longest prefix of `s` that is an ASCII identifier (`[A-Za-z0-9_]`, not
/// starting with a digit). Secret keys are ASCII, so non-ASCII names are left
/// to the "unexpected character" error rather than to Unicode tables.
fn take_ident(s: &str) -> &str {
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return "";
    }
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// A Go interpreted string literal at the start of `s` (which starts with
/// `"`): its value and its length in bytes, with `strconv.Unquote`'s escapes.
fn interpreted_string(s: &str) -> Result<(String, usize), String> {
    let mut bytes = Vec::new();
    let mut chars = s.char_indices().skip(1);
    let hex =
        |chars: &mut std::iter::Skip<std::str::CharIndices>, n: usize| -> Result<u32, String> {
            let mut v = 0u32;
            for _ in 0..n {
                let d = chars
                    .next()
                    .and_then(|(_, c)| c.to_digit(16))
                    .ok_or("invalid escape in string")?;
                v = v * 16 + d;
            }
            Ok(v)
        };
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let value = String::from_utf8(bytes)
                    .map_err(|_| "the string is not valid UTF-8".to_owned())?;
                return Ok((value, i + 1));
            }
            '\n' => return Err("unterminated string".into()),
            '\\' => {
                let Some((_, e)) = chars.next() else {
                    return Err("unterminated string".into());
                };
                let simple = match e {
                    'a' => Some(0x07u8),
                    'b' => Some(0x08),
                    'f' => Some(0x0c),
                    'n' => Some(b'\n'),
                    'r' => Some(b'\r'),
                    't' => Some(b'\t'),
                    'v' => Some(0x0b),
                    '\\' => Some(b'\\'),
                    '"' => Some(b'"'),
                    _ => None,
                };
                if let Some(b) = simple {
                    bytes.push(b);
                    continue;
                }
                match e {
                    '0'..='7' => {
                        let mut v = e.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            let d = chars
                                .next()
                                .and_then(|(_, c)| c.to_digit(8))
                                .ok_or("invalid octal escape")?;
                            v = v * 8 + d;
                        }
                        let b =
                            u8::try_from(v).map_err(|_| "octal escape above \\377".to_owned())?;
                        bytes.push(b);
                    }
                    'x' => bytes.push(hex(&mut chars, 2)? as u8),
                    'u' | 'U' => {
                        let v = hex(&mut chars, if e == 'u' { 4 } else { 8 })?;
                        let c = char::from_u32(v).ok_or("invalid Unicode escape")?;
                        bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                    }
                    other => return Err(format!("invalid escape \\{other} in string")),
                }
            }
            c => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    Err("unterminated string".into())
}

/// The node an action's tokens make, if it is one difyx supports.
fn node_of(tokens: &[Token]) -> Result<Node, String> {
    match tokens {
        [Token::Field(name)] => Ok(Node::Field(name.clone())),
        [Token::Word(w), Token::Dot, Token::Str(key)] if w == "index" => {
            Ok(Node::Index(key.clone()))
        }
        [] => Err("an empty action".into()),
        [Token::Dot] => Err("the whole data map".into()),
        [Token::Field(_), Token::Field(_), ..] => Err("a field chain".into()),
        [Token::Word(w), ..] if w == "index" => {
            Err("index takes exactly `.` and one string here".into())
        }
        [Token::Word(w), ..] => Err(format!("the function or keyword {w:?}")),
        _ => Err("an expression difyx does not evaluate".into()),
    }
}

impl Template {
    /// Executes the template over the fetched data.
    pub fn execute(&self, data: &BTreeMap<String, String>) -> Result<Rendered, ExecError> {
        let mut text = String::new();
        let mut absent = Vec::new();
        for node in &self.nodes {
            match node {
                Node::Text(t) => text.push_str(t),
                Node::Field(name) => match data.get(name) {
                    Some(v) => text.push_str(v),
                    None => return Err(ExecError::MissingKey(name.clone())),
                },
                Node::Index(key) => match data.get(key) {
                    Some(v) => text.push_str(v),
                    None => absent.push(key.clone()),
                },
            }
        }
        Ok(Rendered { text, absent })
    }

    /// The data keys the template reads, in order.
    pub fn references(&self) -> Vec<&str> {
        self.nodes
            .iter()
            .filter_map(|n| match n {
                Node::Field(k) | Node::Index(k) => Some(k.as_str()),
                Node::Text(_) => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn run(src: &str, pairs: &[(&str, &str)]) -> String {
        parse(src).unwrap().execute(&data(pairs)).unwrap().text
    }

    #[test]
    fn the_chart_s_two_shapes() {
        let d = [("SECRET_KEY", "s3cr3t"), ("postgres-password", "pg")];
        assert_eq!(run("{{ .SECRET_KEY }}", &d), "s3cr3t");
        assert_eq!(run("{{ index . \"postgres-password\" }}", &d), "pg");
    }

    #[test]
    fn text_and_spacing_as_go() {
        let d = [("A", "1"), ("B", "2")];
        assert_eq!(run("", &d), "");
        assert_eq!(run("plain }} text", &d), "plain }} text");
        assert_eq!(run("x{{.A}}y{{ .B }}z", &d), "x1y2z");
        assert_eq!(run("{{\t.A\n}}", &d), "1");
        assert_eq!(run("{{index . \"A\"}}", &d), "1");
        assert_eq!(run("{{  index\n.\t`B`  }}", &d), "2");
        assert_eq!(
            run("redis://:{{ .A }}@host:6379/1", &d),
            "redis://:1@host:6379/1"
        );
    }

    #[test]
    fn trim_markers() {
        let d = [("A", "1")];
        assert_eq!(run("a \n\t{{- .A -}} \r\n b", &d), "a1b");
        assert_eq!(run("a {{- .A }} b", &d), "a1 b");
        assert_eq!(run("a {{ .A -}} b", &d), "a 1b");
        assert_eq!(run("a {{-\n.A\t-}}\nb", &d), "a1b");
        // A dash not followed (or preceded) by a space is not a trim marker.
        assert!(parse("{{-.A}}").is_err());
        assert!(parse("{{ .A-}}").is_err());
        // Only Go's four space characters are trimmed.
        assert_eq!(run("a\u{a0}{{- .A }}", &d), "a\u{a0}1");
    }

    #[test]
    fn go_string_escapes_in_index() {
        let d = [
            ("a\"b", "q"),
            ("t\tb", "tab"),
            ("é", "e"),
            ("\\", "bs"),
            ("a\rb", "raw"),
        ];
        assert_eq!(run(r#"{{ index . "a\"b" }}"#, &d), "q");
        assert_eq!(run(r#"{{ index . "t\tb" }}"#, &d), "tab");
        assert_eq!(run(r#"{{ index . "t\x09b" }}"#, &d), "tab");
        assert_eq!(run(r#"{{ index . "t\011b" }}"#, &d), "tab");
        assert_eq!(run(r#"{{ index . "\u00e9" }}"#, &d), "e");
        assert_eq!(run(r#"{{ index . "\U000000E9" }}"#, &d), "e");
        assert_eq!(run(r#"{{ index . "\xc3\xa9" }}"#, &d), "e");
        assert_eq!(run(r#"{{ index . "\\" }}"#, &d), "bs");
        assert_eq!(run("{{ index . \"}}\" }}", &[("}}", "braces")]), "braces");
        // Raw strings keep backslashes and drop carriage returns.
        assert_eq!(run("{{ index . `a\r\rb` }}", &[("ab", "raw")]), "raw");
        assert_eq!(run(r"{{ index . `\\` }}", &[("\\\\", "two")]), "two");
        for bad in [
            r#"{{ index . "\'" }}"#,
            r#"{{ index . "\q" }}"#,
            r#"{{ index . "\400" }}"#,
            r#"{{ index . "\xff" }}"#,
            r#"{{ index . "\ud800" }}"#,
            "{{ index . \"a\nb\" }}",
            r#"{{ index . "open }}"#,
            "{{ index . `open }}",
        ] {
            assert!(parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn missing_keys_as_eso() {
        let t = parse("{{ .NOPE }}").unwrap();
        assert_eq!(
            t.execute(&data(&[])),
            Err(ExecError::MissingKey("NOPE".into()))
        );
        let msg = t.execute(&data(&[])).unwrap_err().to_string();
        assert!(msg.contains("map has no entry for key \"NOPE\""), "{msg}");
        // Go's index ignores missingkey=error: the zero value, "".
        let t = parse("<{{ index . \"no-pe\" }}>").unwrap();
        assert_eq!(
            t.execute(&data(&[])).unwrap(),
            Rendered {
                text: "<>".into(),
                absent: vec!["no-pe".into()]
            }
        );
    }

    #[test]
    fn everything_else_is_refused_with_the_action_quoted() {
        for (src, why) in [
            ("{{ .A | upper }}", "a pipe"),
            ("{{ upper .A }}", "\"upper\""),
            ("{{ . }}", "whole data map"),
            ("{{ }}", "empty action"),
            ("{{ .A.B }}", "field chain"),
            ("{{/* c */}}", "comment"),
            ("{{ $x := .A }}", "variable"),
            ("{{ (.A) }}", "parentheses"),
            ("{{ index . \"a\" \"b\" }}", "exactly"),
            ("{{ index .A \"b\" }}", "exactly"),
            ("{{ index . }}", "exactly"),
            ("{{ .A", "unclosed"),
            ("{{ .1 }}", "number"),
            ("{{ 1 }}", "unexpected"),
            ("{{ index .\"k\" }}", "right after"),
            ("{{ .é }}", "unexpected"),
            ("{{ if .A }}x{{ end }}", "\"if\""),
        ] {
            let err = parse(src).unwrap_err().to_string();
            assert!(err.contains(why), "{src}: {err}");
            assert!(err.contains("{{"), "{src}: {err}");
            assert!(err.contains("difyx resolve evaluates only"), "{src}: {err}");
        }
    }

    #[test]
    fn references_in_order() {
        let t = parse("{{ .B }}-{{ index . \"a-b\" }}").unwrap();
        assert_eq!(t.references(), ["B", "a-b"]);
    }
}
