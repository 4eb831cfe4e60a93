//! Reading YAML as Helm does: goyaml.v2 (YAML 1.1), then a JSON round trip.
//!
//! One reader for every YAML text difyx reads — values files, a chart
//! directory's `values.yaml`, rendered manifests — built on the event
//! stream of libyaml 0.2.5 (`unsafe-libyaml`, see [`events`]), the C
//! library goyaml.v2 is itself a Go port of (see `docs/yaml-reader.md`).
//! The events are composed into values here, by goyaml.v2's rules, then
//! converted as `sigs.k8s.io/yaml` converts them to JSON:
//!
//! * a values file is split into parts on `---` lines first, as Helm's
//!   `loader.LoadValues` does with Kubernetes' `YAMLReader`, and only the
//!   first YAML document of each part is read; the parts are deep-merged;
//! * plain scalars resolve as goyaml.v2's `resolve.go`: `y`/`yes`/`on` and
//!   the rest of YAML 1.1's booleans, `~`/`null`/empty, integers through Go's
//!   `strconv.ParseInt(s, 0, 64)` with every `_` removed (`0x1F`, `0o17`,
//!   `0b101`, legacy octal `0123`, `1__0`), floats (`.5`, `1e3`, `.inf`);
//!   timestamps and sexagesimal numbers stay strings;
//! * tags: `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!timestamp`
//!   convert or fail as goyaml.v2 does, `!!binary` is decoded, any other tag
//!   leaves the scalar a string;
//! * anchors and aliases (an alias is the last definition before it), merge
//!   keys `<<` (a map, an alias of one, or a list of those; keys after `<<`
//!   win, in a list the earlier map wins), duplicate keys (the last wins);
//! * JSON: every number becomes a float64; map keys become strings as Go
//!   prints them (ints in full, floats as `FormatFloat(f, 'g', -1, 32)`,
//!   booleans as `true`/`false`); a null or `uint64` key and a non-finite
//!   float are errors — only where they survive into the final tree, as in
//!   Go, where the conversion runs after decoding;
//! * libyaml 0.2.5 and goyaml.v2 differ in a few scanner rules; goyaml.v2's
//!   are kept: no `\/` escape but a `\'` one in double quotes, a `?` ends a
//!   plain scalar in a flow collection, and a `:` before `,[]{}` belongs to
//!   the plain scalar it ends;
//! * nesting deeper than 10,000 collections is an error (goyaml.v2's limit).
//!
//! Composition is iterative; the conversion, merging and dropping of deep
//! trees recurse, which [`crate::stack::with_big_stack`] provides for.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

mod events;

use events::{EventData, Mark, Parser, ScalarStyle};

use super::gofmt::{format_float, format_float32};
use super::merge::merge_maps;
use super::{Map, Value};

/// A YAML text that could not be read as Helm reads it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// One paragraph: `failed to parse FILE:LINE:COL: what`, then the
    /// offending line with a caret under the column when there is one.
    pub message: String,
}

/// goyaml.v2's depth limit (`max_flow_level`, `max_indents`).
pub const MAX_DEPTH: usize = 10_000;

/// Parses the text of a values file into one map, as Helm's
/// `loader.LoadValues` does: split on `---` lines, the first document of
/// each part read and the parts deep-merged in order.
///
/// `source` names the file in messages (`values.yaml`, `<stdin>`).
pub fn parse_values(text: &str, source: &str) -> Result<Map, YamlError> {
    let mut out = Map::new();
    for part in split_parts(text).map_err(|(line, msg)| YamlError {
        message: format!("failed to parse {source}:{line}: {msg}"),
    })? {
        let ctx = Ctx {
            source,
            text: &part.text,
            first_line: part.first_line,
        };
        let Some(ir) = read_first_document(&part.text, &ctx)? else {
            continue;
        };
        match to_json(ir, &ctx)? {
            Value::Null => {}
            Value::Map(m) => out = merge_maps(out, m),
            other => {
                return Err(YamlError {
                    message: format!(
                        "failed to parse {source}:{}: the top level must be a mapping of keys to values, found {}",
                        part.first_line,
                        other.type_name()
                    ),
                })
            }
        }
    }
    Ok(out)
}

/// Whether `k: <s>`, one line of block YAML, reads back as the string `s`.
///
/// A value of letters, digits and `_./+-` that starts with a letter, a
/// digit, `_`, `/` or `.` is one plain scalar to the scanner whatever it
/// holds, so only goyaml.v2's resolution decides (`yes`, `1e3`, `.inf` are
/// not strings); any other value is read in full.
pub fn reads_back_as_plain_string(s: &str) -> bool {
    let b = s.as_bytes();
    let simple = b
        .first()
        .is_some_and(|&c| c.is_ascii_alphanumeric() || b"_/.".contains(&c))
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || b"_./+-".contains(&c));
    if simple {
        return matches!(resolve("", s.to_owned()).1, Ir::Str(_));
    }
    match parse_document(&format!("k: {s}\n"), "a rendered value") {
        Ok(Value::Map(m)) => m.len() == 1 && m.get("k").and_then(Value::as_str) == Some(s),
        _ => false,
    }
}

/// Parses one YAML document of any shape (rendered manifests, golden
/// files): the whole text is one stream, which must hold at most one
/// document; none is null.
pub fn parse_document(text: &str, source: &str) -> Result<Value, YamlError> {
    let ctx = Ctx {
        source,
        text,
        first_line: 1,
    };
    let docs = read_stream(text, &ctx)?;
    match docs.len() {
        0 => Ok(Value::Null),
        1 => to_json(docs.into_iter().next().unwrap_or(Ir::Null), &ctx),
        n => Err(YamlError {
            message: format!("{source}: expected one YAML document, found {n}"),
        }),
    }
}

// ---------------------------------------------------------------------------
// Splitting a values file as Kubernetes' YAMLReader does
// ---------------------------------------------------------------------------

/// One part of a values file: its lines (each ended by `\n`, `\r\n` read as
/// `\n`, as Go's `bufio.Reader.ReadLine` gives them) and the 1-based line
/// number of its first line in the file.
struct Part {
    text: String,
    first_line: usize,
}

/// `k8s.io/apimachinery/pkg/util/yaml.YAMLReader`: a line starting with
/// `---` ends the part before it (and is dropped) when that part is not
/// empty; at the start of a part it is kept. Anything but blanks or a
/// comment after the `---` is an error.
fn split_parts(text: &str) -> Result<Vec<Part>, (usize, String)> {
    let mut parts = Vec::new();
    let mut buf = String::new();
    let mut first_line = 1;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let line = raw
            .strip_suffix('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .unwrap_or(raw);
        if let Some(rest) = line.strip_prefix("---") {
            let rest = rest.trim_matches(|c: char| c.is_whitespace());
            if !rest.is_empty() && !rest.starts_with('#') {
                return Err((
                    i + 1,
                    format!(
                        "invalid YAML document separator: {rest} (only a comment may follow ---)"
                    ),
                ));
            }
            if !buf.is_empty() {
                parts.push(Part {
                    text: std::mem::take(&mut buf),
                    first_line,
                });
                first_line = i + 2;
                continue;
            }
        }
        if buf.is_empty() {
            first_line = i + 1;
        }
        buf.push_str(line);
        buf.push('\n');
    }
    if !buf.is_empty() {
        parts.push(Part {
            text: buf,
            first_line,
        });
    }
    Ok(parts)
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Where a text came from, for messages.
struct Ctx<'a> {
    source: &'a str,
    /// The text the marks index into.
    text: &'a str,
    /// The file's line number of the text's first line.
    first_line: usize,
}

impl Ctx<'_> {
    fn place(&self, mark: Mark) -> String {
        format!(
            "{}:{}:{}",
            self.source,
            mark.line as usize + self.first_line,
            mark.column + 1
        )
    }

    /// `failed to parse FILE:LINE:COL: what`, the line, a caret.
    fn error_at(&self, mark: Mark, what: &str) -> YamlError {
        let mut message = format!("failed to parse {}: {what}", self.place(mark));
        if let Some(line) = self.text.lines().nth(mark.line as usize) {
            if line.len() <= 200 && !line.trim().is_empty() {
                let number = (mark.line as usize + self.first_line).to_string();
                let pad = " ".repeat(number.len());
                let caret = " ".repeat(line.chars().take(mark.column as usize).count());
                let _ = write!(message, "\n{number} | {line}\n{pad} | {caret}^");
            }
        }
        YamlError { message }
    }

    fn error(&self, what: &str) -> YamlError {
        YamlError {
            message: format!("failed to parse {}: {what}", self.source),
        }
    }

    fn syntax(&self, e: &events::Error) -> YamlError {
        let problem = e.problem();
        let context = e.context().filter(|c| !c.is_empty());
        let blank = |m: Mark| {
            self.text
                .lines()
                .nth(m.line as usize)
                .is_none_or(|l| l.trim().is_empty())
        };
        match (e.problem_mark(), context, e.context_mark()) {
            // A problem found only at the end (an unclosed bracket or
            // quote): point at where the construct began.
            (Some(p), Some(context), Some(c)) if blank(p) && !blank(c) => {
                self.error_at(c, &format!("{problem} ({context} that starts here)"))
            }
            (Some(p), Some(context), Some(c)) => {
                self.error_at(p, &format!("{problem} ({context} at {})", self.place(c)))
            }
            (Some(p), _, _) => self.error_at(p, problem),
            (None, _, _) => self.error(problem),
        }
    }
}

// ---------------------------------------------------------------------------
// Composing: events to goyaml.v2's values
// ---------------------------------------------------------------------------

/// A value as goyaml.v2 decodes it into `interface{}`, before the JSON step.
#[derive(Clone, Debug)]
enum Ir {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Ir>),
    Map(IrMap),
}

/// A key of a Go `map[interface{}]interface{}`: equal as Go's `==` is.
#[derive(Clone, Debug)]
enum Key {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        match (self, other) {
            (Key::Null, Key::Null) => true,
            (Key::Bool(a), Key::Bool(b)) => a == b,
            (Key::Int(a), Key::Int(b)) => a == b,
            (Key::Uint(a), Key::Uint(b)) => a == b,
            (Key::Float(a), Key::Float(b)) => a == b,
            (Key::Str(a), Key::Str(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        std::mem::discriminant(self).hash(h);
        match self {
            Key::Null => {}
            Key::Bool(b) => b.hash(h),
            Key::Int(i) => i.hash(h),
            Key::Uint(u) => u.hash(h),
            // -0.0 == 0.0; NaN is never looked up (it equals nothing).
            Key::Float(f) => (if *f == 0.0 { 0.0 } else { *f }).to_bits().hash(h),
            Key::Str(s) => s.hash(h),
        }
    }
}

/// A Go map in insertion order: setting an equal key replaces key and value.
#[derive(Clone, Debug, Default)]
struct IrMap {
    entries: Vec<(Key, Ir)>,
    /// Built once the map is large enough for linear search to cost.
    index: Option<HashMap<Key, usize>>,
}

const INDEX_FROM: usize = 16;

impl IrMap {
    fn set(&mut self, key: Key, value: Ir) {
        let nan = matches!(key, Key::Float(f) if f.is_nan());
        if !nan {
            let found = match &self.index {
                Some(index) => index.get(&key).copied(),
                None => self.entries.iter().position(|(k, _)| *k == key),
            };
            if let Some(i) = found {
                self.entries[i] = (key, value);
                return;
            }
        }
        if let Some(index) = &mut self.index {
            if !nan {
                index.insert(key.clone(), self.entries.len());
            }
        } else if self.entries.len() >= INDEX_FROM {
            let mut index = HashMap::with_capacity(self.entries.len() * 2);
            for (i, (k, _)) in self.entries.iter().enumerate() {
                if !matches!(k, Key::Float(f) if f.is_nan()) {
                    index.insert(k.clone(), i);
                }
            }
            if !nan {
                index.insert(key.clone(), self.entries.len());
            }
            self.index = Some(index);
        }
        self.entries.push((key, value));
    }
}

/// What a completed node is, for merge keys and key checks.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Scalar,
    Seq,
    Map,
}

/// A completed node: its value, what it was, and whether it is a merge key.
struct Node {
    ir: Ir,
    kind: Kind,
    merge_key: bool,
    /// Reached through an alias (a merge takes no list that way).
    alias: bool,
    mark: Mark,
    /// Nodes decoded for it (goyaml.v2's `decodeCount`), aliases expanded.
    size: u64,
}

/// An open collection.
struct Frame {
    anchor: Option<String>,
    mark: Mark,
    flow: bool,
    size: u64,
    body: Body,
}

enum Body {
    Seq(Vec<Ir>),
    Map { map: IrMap, key: Option<Node> },
}

/// An anchored node: its value, kind and size, and whether it is closed.
struct Anchor {
    ir: Ir,
    kind: Kind,
    size: u64,
}

/// Why composing stopped: an error, or a rewrite of the text that makes
/// libyaml 0.2.5 read what goyaml.v2 reads.
enum Stop {
    Error(YamlError),
    Rewrite(String),
    /// A `\'` at this offset: rewrite it and every later one.
    Escapes(usize),
    /// The first unchecked speculative `\x27` is not in double quotes;
    /// nor are the later ones before offset `back`.
    Unchecked {
        back: usize,
    },
}

impl From<YamlError> for Stop {
    fn from(e: YamlError) -> Stop {
        Stop::Error(e)
    }
}

/// Composes documents from `text`: the first only (`first_only`), as
/// goyaml.v2's `Unmarshal` does, or all of them.
struct Composer<'a> {
    ctx: &'a Ctx<'a>,
    text: &'a str,
    stack: Vec<Frame>,
    anchors: HashMap<String, Anchor>,
    /// Anchors of collections still open: an alias to one is a cycle.
    open: Vec<String>,
    decoded: u64,
    aliased: u64,
    /// Speculative `\x27`s to check (see [`compose_with_rewrites`]), and
    /// how many are checked.
    spec: &'a [usize],
    checked: usize,
    /// Whether a `\'` error starts a speculation (or is one rewrite).
    speculate: bool,
}

/// At most this many one-at-a-time rewrites of one text (each is one
/// reparse). The `\'` escapes, rewritten all at once on speculation (see
/// [`compose_with_rewrites`]), do not count.
const MAX_REWRITES: usize = 1000;

#[cfg(test)]
thread_local! {
    /// How many times the reader has run libyaml over a text (tests only).
    static PARSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Rewrite `\'` one at a time, as a reference (tests only).
    static ONE_AT_A_TIME: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn read_first_document(text: &str, ctx: &Ctx<'_>) -> Result<Option<Ir>, YamlError> {
    Ok(compose_with_rewrites(text, ctx, true)?.into_iter().next())
}

fn read_stream(text: &str, ctx: &Ctx<'_>) -> Result<Vec<Ir>, YamlError> {
    compose_with_rewrites(text, ctx, false)
}

/// Composes `text`, rewriting what goyaml.v2 reads but libyaml 0.2.5 does
/// not, and reading it again.
///
/// A `\'` (goyaml.v2's escape, an error to libyaml) is written `\x27`. On
/// the first one, every later `\'` that would be an escape in double
/// quotes (an odd run of backslashes before the `'`) is rewritten too, on
/// speculation, and the composer checks from the events' marks that each
/// lies between the quotes of a double-quoted scalar. Up to the first one
/// that does not, the text is goyaml.v2's; that one is in a comment or a
/// plain, single-quoted or block scalar, and is written back as it was
/// (with the later ones of the same comment, plain or block scalar) before
/// the text is read again. So the escapes cost a few reads however many
/// there are, and every one ends up as one-at-a-time rewrites would leave
/// it. If another rewrite or an error comes while some are unchecked, those
/// are written back and the rest is done one rewrite at a time.
fn compose_with_rewrites(
    text: &str,
    ctx: &Ctx<'_>,
    first_only: bool,
) -> Result<Vec<Ir>, YamlError> {
    let mut text = Cow::Borrowed(text);
    // Unchecked speculative `\x27`s: byte offsets of their backslash.
    let mut spec: Vec<usize> = Vec::new();
    let mut speculate = true;
    #[cfg(test)]
    if ONE_AT_A_TIME.with(std::cell::Cell::get) {
        speculate = false;
    }
    let mut rewrites = 0;
    loop {
        #[cfg(test)]
        PARSES.with(|p| p.set(p.get() + 1));
        let here = Ctx {
            source: ctx.source,
            text: &text,
            first_line: ctx.first_line,
        };
        let mut composer = Composer {
            ctx: &here,
            text: &text,
            stack: Vec::new(),
            anchors: HashMap::new(),
            open: Vec::new(),
            decoded: 0,
            aliased: 0,
            spec: &spec,
            checked: 0,
            speculate,
        };
        let result = composer.run(first_only);
        let checked = composer.checked;
        // Checked ones are goyaml.v2's escapes: they stay.
        spec.drain(..checked);
        match result {
            Ok(docs) => return Ok(docs),
            Err(Stop::Unchecked { back }) => {
                let n = spec.iter().skip(1).take_while(|&&p| p < back).count() + 1;
                let undo: Vec<usize> = spec.drain(..n).collect();
                let (new, _) = edit(&text, &undo, "\\x27", "\\'", &mut spec);
                text = Cow::Owned(new);
            }
            Err(Stop::Escapes(i)) => {
                let at = escapes_from(&text, i);
                let (new, mut done) = edit(&text, &at, "\\'", "\\x27", &mut spec);
                text = Cow::Owned(new);
                spec.append(&mut done);
                spec.sort_unstable();
            }
            Err(Stop::Rewrite(new)) if !spec.is_empty() => {
                // The rewrite stays if every unchecked `\x27` is past it
                // (the text before is goyaml.v2's), moved with the bytes.
                let (a, b) = (text.as_bytes(), new.as_bytes());
                let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
                let room = a.len().min(b.len()) - prefix;
                let suffix = a
                    .iter()
                    .rev()
                    .zip(b.iter().rev())
                    .take(room)
                    .take_while(|(x, y)| x == y)
                    .count();
                if spec[0] < a.len() - suffix {
                    let undo = std::mem::take(&mut spec);
                    let (back, _) = edit(&text, &undo, "\\x27", "\\'", &mut spec);
                    text = Cow::Owned(back);
                    speculate = false;
                    continue;
                }
                rewrites += 1;
                if rewrites > MAX_REWRITES {
                    return Err(ctx.error("too many goyaml.v2-specific constructs to read"));
                }
                for p in &mut spec {
                    *p = *p + b.len() - a.len();
                }
                text = Cow::Owned(new);
            }
            Err(_) if !spec.is_empty() => {
                // An error with unchecked ones: they are written back, the
                // rest is done one rewrite at a time.
                let undo = std::mem::take(&mut spec);
                let (new, _) = edit(&text, &undo, "\\x27", "\\'", &mut spec);
                text = Cow::Owned(new);
                speculate = false;
            }
            Err(Stop::Error(e)) => return Err(e),
            Err(Stop::Rewrite(new)) => {
                rewrites += 1;
                if rewrites > MAX_REWRITES {
                    return Err(ctx.error("too many goyaml.v2-specific constructs to read"));
                }
                text = Cow::Owned(new);
            }
        }
    }
}

/// `text` with `from` at each of the (sorted) byte offsets `at` replaced
/// by `to`; the new offsets of the replacements, and `others` (sorted, none
/// inside a replaced span) moved to where their bytes went.
fn edit(
    text: &str,
    at: &[usize],
    from: &str,
    to: &str,
    others: &mut [usize],
) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len() + at.len() * to.len());
    let mut done = Vec::with_capacity(at.len());
    let mut last = 0;
    for &i in at {
        debug_assert_eq!(text.get(i..i + from.len()), Some(from));
        out.push_str(&text[last..i]);
        done.push(out.len());
        out.push_str(to);
        last = i + from.len();
    }
    out.push_str(&text[last..]);
    let mut k = 0;
    for p in others.iter_mut() {
        while k < at.len() && at[k] < *p {
            k += 1;
        }
        *p = *p + k * to.len() - k * from.len();
    }
    (out, done)
}

/// The offsets of the `\'` from byte `i` on that would be escapes in
/// double quotes: the `\` ends an odd run of backslashes.
fn escapes_from(text: &str, i: usize) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for j in i + 1..b.len() {
        if b[j] == b'\'' && b[j - 1] == b'\\' {
            let run = b[..j].iter().rev().take_while(|&&c| c == b'\\').count();
            if run % 2 == 1 {
                out.push(j - 1);
            }
        }
    }
    out
}

/// The offset of the opening quote of the double-quoted scalar whose event
/// spans bytes `start..end` (after any anchor or tag): the last `"` before
/// the closing one that no odd run of backslashes escapes.
fn double_quote_open(text: &str, start: usize, end: usize) -> Option<usize> {
    let b = text.as_bytes().get(start..end)?;
    if b.last() != Some(&b'"') {
        return None;
    }
    (0..b.len() - 1)
        .rev()
        .find(|&j| {
            b[j] == b'"' && b[..j].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 0
        })
        .map(|j| start + j)
}

impl Composer<'_> {
    fn run(&mut self, first_only: bool) -> Result<Vec<Ir>, Stop> {
        let mut parser = Parser::new(self.text);
        let mut docs = Vec::new();
        let mut root: Option<Ir> = None;
        loop {
            let event = match parser.parse() {
                Ok(e) => e,
                Err(e) => return Err(self.scanner_error(&e)),
            };
            let mark = event.start_mark;
            if self.checked < self.spec.len() {
                self.check_spec(&event)?;
            }
            match event.data {
                EventData::StreamStart => {}
                EventData::StreamEnd => return Ok(docs),
                EventData::DocumentStart => {
                    self.anchors.clear();
                    root = None;
                }
                EventData::DocumentEnd => {
                    docs.push(root.take().unwrap_or(Ir::Null));
                    if first_only {
                        return Ok(docs);
                    }
                }
                EventData::Alias { anchor } => {
                    let node = self.alias(&anchor, mark)?;
                    self.deliver(node, &mut root)?;
                }
                EventData::Scalar {
                    anchor,
                    tag,
                    value,
                    plain_implicit,
                    style,
                    ..
                } => {
                    // In a flow collection libyaml ends a tag at `,` (an
                    // empty tagged node); goyaml.v2's tag goes on.
                    if tag.is_some() && value.is_empty() && style == ScalarStyle::Plain {
                        if let Some(new) = escape_in_tag(self.text, self.offset(event.end_mark)) {
                            return Err(Stop::Rewrite(new));
                        }
                    }
                    self.check_scalar(style, &value, event.start_mark, event.end_mark)?;
                    let merge_key =
                        value == "<<" && (plain_implicit || tag.as_deref() == Some(MERGE_TAG));
                    let ir = resolve_scalar(tag.as_deref(), value, plain_implicit)
                        .map_err(|what| self.ctx.error_at(mark, &what))?;
                    let node = Node {
                        ir,
                        kind: Kind::Scalar,
                        merge_key,
                        alias: false,
                        mark,
                        size: 1,
                    };
                    if let Some(anchor) = anchor {
                        self.define(anchor, &node);
                    }
                    self.deliver(node, &mut root)?;
                }
                EventData::SequenceStart { anchor, flow } => {
                    self.open_frame(anchor, mark, flow, Body::Seq(Vec::new()))?;
                }
                EventData::MappingStart { anchor, flow } => {
                    self.open_frame(
                        anchor,
                        mark,
                        flow,
                        Body::Map {
                            map: IrMap::default(),
                            key: None,
                        },
                    )?;
                }
                EventData::SequenceEnd | EventData::MappingEnd => {
                    let Some(frame) = self.stack.pop() else {
                        return Err(self.ctx.error_at(mark, "unbalanced collection end").into());
                    };
                    let (ir, kind) = match frame.body {
                        Body::Seq(items) => (Ir::Seq(items), Kind::Seq),
                        Body::Map { map, .. } => (Ir::Map(map), Kind::Map),
                    };
                    let node = Node {
                        ir,
                        kind,
                        merge_key: false,
                        alias: false,
                        mark: frame.mark,
                        size: frame.size,
                    };
                    if let Some(anchor) = frame.anchor {
                        if let Some(i) = self.open.iter().rposition(|a| *a == anchor) {
                            self.open.remove(i);
                        }
                        self.define(anchor, &node);
                    }
                    self.deliver(node, &mut root)?;
                }
            }
        }
    }

    /// Checks the speculative `\x27`s before the end of `event`: each must
    /// be between the quotes of a double-quoted scalar.
    fn check_spec(&mut self, event: &events::Event) -> Result<(), Stop> {
        let (start, end) = (self.offset(event.start_mark), self.offset(event.end_mark));
        while let Some(&p) = self.spec.get(self.checked) {
            if p >= end {
                break;
            }
            let style = match &event.data {
                EventData::Scalar { style, .. } => Some(*style),
                _ => None,
            };
            if style == Some(ScalarStyle::DoubleQuoted)
                && double_quote_open(self.text, start, end).is_some_and(|open| open < p)
            {
                self.checked += 1;
                continue;
            }
            // Before the event: a comment, which ends at its line's end.
            // In a plain or block scalar: its end does not move either.
            let back = if p < start {
                start
            } else if matches!(
                style,
                Some(ScalarStyle::Plain | ScalarStyle::Literal | ScalarStyle::Folded)
            ) {
                end
            } else {
                p + 1
            };
            return Err(Stop::Unchecked { back });
        }
        Ok(())
    }

    /// The byte offset in the text of a mark (libyaml does not count a
    /// byte-order mark).
    fn offset(&self, mark: Mark) -> usize {
        let bom = if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        mark.index as usize + bom
    }

    /// A libyaml error, or the rewrite that reads the text as goyaml.v2 does.
    fn scanner_error(&self, e: &events::Error) -> Stop {
        let at = |m: Option<Mark>| m.map(|m| self.offset(m));
        match e.problem() {
            // goyaml.v2 knows `\'` in double quotes: write it as `\x27`.
            "found unknown escape character" => {
                if let Some(i) = at(e.problem_mark()) {
                    if self.text.get(i..i + 2) == Some("\\'") {
                        if self.speculate {
                            return Stop::Escapes(i);
                        }
                        let mut new = String::with_capacity(self.text.len() + 2);
                        new.push_str(&self.text[..i]);
                        new.push_str("\\x27");
                        new.push_str(&self.text[i + 2..]);
                        return Stop::Rewrite(new);
                    }
                }
            }
            // goyaml.v2 keeps a `:` before `,[]{}` in a flow collection in
            // the plain scalar it ends (`[a:]` is the string "a:"): quote it.
            "found unexpected ':'" => {
                if let (Some(start), Some(colon)) = (at(e.context_mark()), at(e.problem_mark())) {
                    if start < colon && self.text.get(colon..colon + 1) == Some(":") {
                        if let Some(scalar) = self.text.get(start..=colon) {
                            let mut new = String::with_capacity(self.text.len() + 8);
                            new.push_str(&self.text[..start]);
                            new.push('\'');
                            new.push_str(&scalar.replace('\'', "''"));
                            new.push('\'');
                            new.push_str(&self.text[colon + 1..]);
                            return Stop::Rewrite(new);
                        }
                    }
                }
            }
            // goyaml.v2's tags take `,`, `[` and `]` (`!a[b] 1` is "1"):
            // write them %-escaped, which libyaml decodes to the same tag.
            "did not find expected whitespace or line break"
                if e.context() == Some("while scanning a tag") =>
            {
                if let Some(i) = at(e.problem_mark()) {
                    if let Some(new) = escape_in_tag(self.text, i) {
                        return Stop::Rewrite(new);
                    }
                }
            }
            _ => {}
        }
        Stop::Error(self.ctx.syntax(e))
    }

    /// goyaml.v2's scanner rules that libyaml 0.2.5 relaxed.
    fn check_scalar(
        &self,
        style: ScalarStyle,
        value: &str,
        start: Mark,
        end: Mark,
    ) -> Result<(), YamlError> {
        let (s, e) = (self.offset(start), self.offset(end));
        let Some(src) = self.text.get(s..e) else {
            return Ok(());
        };
        match style {
            ScalarStyle::DoubleQuoted => {
                // Past any tag or anchor: the scalar is last in the span.
                let Some(open) = src.find('"') else {
                    return Ok(());
                };
                let (s, src) = (s + open, &src.as_bytes()[open..]);
                // Each `\` escapes the byte after it (a `\` is never part
                // of a longer character).
                let mut from = 0;
                while let Some(i) = src.get(from..).and_then(|r| memchr::memchr(b'\\', r)) {
                    let i = from + i;
                    from = i + 2;
                    if src.get(i + 1) == Some(&b'/') {
                        let mark = mark_at(self.text, s + i);
                        return Err(self.ctx.error_at(
                            mark,
                            "found unknown escape character \\/ (while parsing a quoted scalar; Helm's YAML reader has no \\/ escape: write / alone)",
                        ));
                    }
                }
            }
            ScalarStyle::Plain
                if value.contains('?') && self.stack.last().is_some_and(|f| f.flow) =>
            {
                let i = src.rfind('?').unwrap_or(0);
                let mark = mark_at(self.text, s + i);
                return Err(self.ctx.error_at(
                    mark,
                    "did not find expected ',' or the end of the flow collection (a ? ends a plain scalar in a flow collection; quote the value)",
                ));
            }
            _ => {}
        }
        Ok(())
    }

    fn open_frame(
        &mut self,
        anchor: Option<String>,
        mark: Mark,
        flow: bool,
        body: Body,
    ) -> Result<(), Stop> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self
                .ctx
                .error_at(
                    mark,
                    &format!("exceeded max depth of {MAX_DEPTH} (nested collections)"),
                )
                .into());
        }
        if let Some(a) = &anchor {
            self.open.push(a.clone());
            // An alias inside refers to this node (goyaml.v2 registers the
            // anchor when the collection starts): a cycle.
            self.anchors.remove(a);
        }
        self.decoded += 1;
        self.stack.push(Frame {
            anchor,
            mark,
            flow,
            size: 1,
            body,
        });
        Ok(())
    }

    fn define(&mut self, anchor: String, node: &Node) {
        self.anchors.insert(
            anchor,
            Anchor {
                ir: node.ir.clone(),
                kind: node.kind,
                size: node.size,
            },
        );
    }

    fn alias(&mut self, name: &str, mark: Mark) -> Result<Node, Stop> {
        if self.open.iter().any(|a| a == name) && !self.anchors.contains_key(name) {
            return Err(self
                .ctx
                .error_at(mark, &format!("anchor '{name}' value contains itself"))
                .into());
        }
        let Some(anchor) = self.anchors.get(name) else {
            return Err(self
                .ctx
                .error_at(mark, &format!("unknown anchor '{name}' referenced"))
                .into());
        };
        // goyaml.v2's guard against alias bombs (decode.go, allowedAliasRatio).
        self.decoded += anchor.size + 1;
        self.aliased += anchor.size;
        if self.aliased > 100 && self.decoded > 1000 {
            let ratio = self.aliased as f64 / self.decoded as f64;
            if ratio > allowed_alias_ratio(self.decoded) {
                return Err(self
                    .ctx
                    .error_at(mark, "document contains excessive aliasing")
                    .into());
            }
        }
        Ok(Node {
            ir: anchor.ir.clone(),
            kind: anchor.kind,
            merge_key: false,
            alias: true,
            mark,
            size: anchor.size,
        })
    }

    /// Hands a completed node to its parent (or makes it the document).
    fn deliver(&mut self, node: Node, root: &mut Option<Ir>) -> Result<(), Stop> {
        if node.kind == Kind::Scalar {
            self.decoded += 1;
        }
        let Some(frame) = self.stack.last_mut() else {
            *root = Some(node.ir);
            return Ok(());
        };
        frame.size += node.size;
        match &mut frame.body {
            Body::Seq(items) => items.push(node.ir),
            Body::Map {
                key: key @ None, ..
            } => {
                if node.kind != Kind::Scalar && !node.merge_key {
                    return Err(self
                        .ctx
                        .error_at(
                            node.mark,
                            &format!(
                                "error converting YAML to JSON: invalid map key: a {} cannot be a key",
                                if node.kind == Kind::Seq {
                                    "list"
                                } else {
                                    "map"
                                }
                            ),
                        )
                        .into());
                }
                *key = Some(node);
            }
            Body::Map { map, key } => {
                let Some(k) = key.take() else {
                    return Ok(());
                };
                if k.merge_key {
                    merge_into(map, node).map_err(|what| self.ctx.error_at(k.mark, what))?;
                } else {
                    map.set(to_key(k.ir), node.ir);
                }
            }
        }
        Ok(())
    }
}

/// goyaml.v2's `allowedAliasRatio`.
fn allowed_alias_ratio(decoded: u64) -> f64 {
    const LO: f64 = 400_000.0;
    const HI: f64 = 4_000_000.0;
    let d = decoded as f64;
    if d <= LO {
        0.99
    } else if d >= HI {
        0.10
    } else {
        0.99 - 0.89 * ((d - LO) / (HI - LO))
    }
}

/// A key's Go value (collections were refused before).
fn to_key(ir: Ir) -> Key {
    match ir {
        Ir::Null => Key::Null,
        Ir::Bool(b) => Key::Bool(b),
        Ir::Int(i) => Key::Int(i),
        Ir::Uint(u) => Key::Uint(u),
        Ir::Float(f) => Key::Float(f),
        Ir::Str(s) => Key::Str(s),
        Ir::Seq(_) | Ir::Map(_) => Key::Null,
    }
}

const MERGE_FAIL: &str = "map merge requires map or sequence of maps as the value";

/// goyaml.v2's `merge`: a map's entries are set in order; a list's maps
/// (each written in place or an alias of a map) from the last to the
/// first, so the earlier map wins.
fn merge_into(out: &mut IrMap, node: Node) -> Result<(), &'static str> {
    match node.ir {
        Ir::Map(m) => {
            for (k, v) in m.entries {
                out.set(k, v);
            }
            Ok(())
        }
        // A list written in place; goyaml.v2 refuses an alias of one.
        Ir::Seq(items) if node.kind == Kind::Seq && !node.alias => {
            if !items.iter().all(|i| matches!(i, Ir::Map(_))) {
                return Err(MERGE_FAIL);
            }
            for item in items.into_iter().rev() {
                if let Ir::Map(m) = item {
                    for (k, v) in m.entries {
                        out.set(k, v);
                    }
                }
            }
            Ok(())
        }
        _ => Err(MERGE_FAIL),
    }
}

/// `text` with the `,`, `[` or `]` at byte `i` %-escaped (`None` if another).
fn escape_in_tag(text: &str, i: usize) -> Option<String> {
    let escaped = match text.get(i..i + 1)? {
        "," => "%2C",
        "[" => "%5B",
        "]" => "%5D",
        _ => return None,
    };
    Some(format!("{}{escaped}{}", &text[..i], &text[i + 1..]))
}

/// The mark of byte `index` of `text` (line and column counted in chars).
fn mark_at(text: &str, index: usize) -> Mark {
    let before = &text[..index.min(text.len())];
    let line = before.matches('\n').count();
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, l)| l)
        .chars()
        .count();
    Mark {
        index: index as u64,
        line: line as u64,
        column: column as u64,
    }
}

// ---------------------------------------------------------------------------
// Scalars: goyaml.v2's resolve.go and decoder.scalar
// ---------------------------------------------------------------------------

const TAG_PREFIX: &str = "tag:yaml.org,2002:";
const STR_TAG: &str = "tag:yaml.org,2002:str";
const BOOL_TAG: &str = "tag:yaml.org,2002:bool";
const INT_TAG: &str = "tag:yaml.org,2002:int";
const FLOAT_TAG: &str = "tag:yaml.org,2002:float";
const NULL_TAG: &str = "tag:yaml.org,2002:null";
const TIMESTAMP_TAG: &str = "tag:yaml.org,2002:timestamp";
const BINARY_TAG: &str = "tag:yaml.org,2002:binary";
const MERGE_TAG: &str = "tag:yaml.org,2002:merge";

/// What `resolve` found a scalar to be.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Resolved {
    Null,
    Bool,
    Int,
    Float,
    Str,
    Timestamp,
}

/// `!!int` for a message, as goyaml.v2's `shortTag` writes it.
fn short(tag: &str) -> Cow<'_, str> {
    match tag.strip_prefix(TAG_PREFIX) {
        Some(rest) => Cow::Owned(format!("!!{rest}")),
        None => Cow::Borrowed(tag),
    }
}

/// A scalar event as goyaml.v2 decodes it into `interface{}`.
fn resolve_scalar(tag: Option<&str>, value: String, plain_implicit: bool) -> Result<Ir, String> {
    let tag = tag.unwrap_or("");
    // Quoted and untagged: a string, unresolved.
    if tag.is_empty() && !plain_implicit {
        return Ok(Ir::Str(value));
    }
    if tag == BINARY_TAG {
        return decode_binary(&value).map(Ir::Str);
    }
    let resolvable = matches!(
        tag,
        "" | STR_TAG | BOOL_TAG | INT_TAG | FLOAT_TAG | NULL_TAG | TIMESTAMP_TAG
    );
    if !resolvable {
        return Ok(Ir::Str(value));
    }
    if tag.is_empty() {
        // Untagged: whatever it resolves to stands (a timestamp as its text).
        return Ok(resolve(tag, value).1);
    }
    let (kind, ir) = resolve(tag, value.clone());
    let fail = || {
        Err(format!(
            "cannot decode {} `{value}` as a {}",
            short(match kind {
                Resolved::Null => NULL_TAG,
                Resolved::Bool => BOOL_TAG,
                Resolved::Int => INT_TAG,
                Resolved::Float => FLOAT_TAG,
                Resolved::Str => STR_TAG,
                Resolved::Timestamp => TIMESTAMP_TAG,
            }),
            short(tag)
        ))
    };
    let ir = match (tag, kind) {
        ("" | STR_TAG, _) => ir,
        (FLOAT_TAG, Resolved::Int) => match ir {
            Ir::Int(i) => Ir::Float(i as f64),
            _ => return fail(),
        },
        (NULL_TAG, Resolved::Null)
        | (BOOL_TAG, Resolved::Bool)
        | (INT_TAG, Resolved::Int)
        | (FLOAT_TAG, Resolved::Float)
        | (TIMESTAMP_TAG, Resolved::Timestamp) => ir,
        _ => return fail(),
    };
    // A timestamp is kept as the text it was written as (decode.go).
    Ok(match (kind, ir) {
        (Resolved::Timestamp, _) => Ir::Str(value),
        (_, ir) => ir,
    })
}

/// goyaml.v2's `resolve` for a resolvable tag (`""` or a core tag).
fn resolve(tag: &str, owned: String) -> (Resolved, Ir) {
    let s = owned.as_str();
    let hint = match s.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => 0,
    };
    if hint == 0 || tag == STR_TAG {
        return (Resolved::Str, Ir::Str(owned));
    }
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return (Resolved::Bool, Ir::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return (Resolved::Bool, Ir::Bool(false))
        }
        "" | "~" | "null" | "Null" | "NULL" => return (Resolved::Null, Ir::Null),
        ".nan" | ".NaN" | ".NAN" => return (Resolved::Float, Ir::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return (Resolved::Float, Ir::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => return (Resolved::Float, Ir::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    match hint {
        // goyaml.v2 hands the text as it stands to Go's ParseFloat, which
        // allows `_` between digits (`.5_0` is 0.5).
        b'.' if go_underscores_ok(s) => {
            if let Some(f) = go_parse_float(&s.replace('_', "")) {
                return (Resolved::Float, Ir::Float(f));
            }
        }
        b'D' | b'S' => {
            if (tag.is_empty() || tag == TIMESTAMP_TAG) && is_timestamp(s) {
                return (Resolved::Timestamp, Ir::Str(owned));
            }
            let plain: Cow<'_, str> = if s.contains('_') {
                Cow::Owned(s.replace('_', ""))
            } else {
                Cow::Borrowed(s)
            };
            if let Ok(i) = go_parse_int(&plain, 0) {
                return (Resolved::Int, Ir::Int(i));
            }
            if let Ok(u) = go_parse_uint(&plain, 0) {
                return (Resolved::Int, Ir::Uint(u));
            }
            if is_yaml_style_float(&plain) {
                if let Some(f) = go_parse_float(&plain) {
                    return (Resolved::Float, Ir::Float(f));
                }
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                if let Ok(i) = go_parse_int(rest, 2) {
                    return (Resolved::Int, Ir::Int(i));
                }
                if let Ok(u) = go_parse_uint(rest, 2) {
                    return (Resolved::Int, Ir::Uint(u));
                }
            } else if let Some(rest) = plain.strip_prefix("-0b") {
                if let Ok(i) = go_parse_int(&format!("-{rest}"), 2) {
                    return (Resolved::Int, Ir::Int(i));
                }
            }
        }
        _ => {}
    }
    (Resolved::Str, Ir::Str(owned))
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal spellings goyaml.v2
/// hands it (a leading `.`, or [`is_yaml_style_float`]); `None` for a
/// syntax error or a value out of range (±Inf with `ErrRange` in Go).
fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.trim_start_matches(['+', '-']);
    if s.len() - body.len() > 1 {
        return None;
    }
    // Only decimal forms: Go would also take hex floats and "Inf", which
    // goyaml.v2 never sends here (`.` first, or the float pattern).
    if !body.starts_with('.') && !is_yaml_style_float(s) {
        return None;
    }
    if body.starts_with('.') && !is_yaml_style_float(s) {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    f.is_finite().then_some(f)
}

/// Go's `strconv.underscoreOK` for a number without a base prefix: every
/// `_` stands between two digits.
fn go_underscores_ok(s: &str) -> bool {
    let mut saw = b'^';
    for &c in s.as_bytes() {
        if c.is_ascii_digit() {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else if saw == b'_' {
            return false;
        } else {
            saw = b'!';
        }
    }
    saw != b'_'
}

#[derive(Debug)]
enum NumError {
    Syntax,
    Range,
}

/// Go's `strconv.ParseUint(s, base, 64)` (base 0: prefixes `0b`, `0o`,
/// `0x` in either case, a leading `0` for octal). No sign is accepted.
fn go_parse_uint(s: &str, base: u32) -> Result<u64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    let b = s.as_bytes();
    let (base, digits) = if base == 0 {
        if b[0] == b'0' {
            match b.get(1).map(u8::to_ascii_lowercase) {
                Some(b'b') if b.len() >= 3 => (2, &s[2..]),
                Some(b'o') if b.len() >= 3 => (8, &s[2..]),
                Some(b'x') if b.len() >= 3 => (16, &s[2..]),
                _ => (8, &s[1..]),
            }
        } else {
            (10, s)
        }
    } else {
        (base, s)
    };
    let mut n: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(36).ok_or(NumError::Syntax)?;
        if d >= base {
            return Err(NumError::Syntax);
        }
        n = n
            .checked_mul(u64::from(base))
            .and_then(|n| n.checked_add(u64::from(d)))
            .ok_or(NumError::Range)?;
    }
    Ok(n)
}

/// Go's `strconv.ParseInt(s, base, 64)`: an optional sign, then
/// [`go_parse_uint`].
fn go_parse_int(s: &str, base: u32) -> Result<i64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    let (neg, rest) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let u = go_parse_uint(rest, base)?;
    if neg {
        if u > 1 << 63 {
            return Err(NumError::Range);
        }
        Ok((u as i64).wrapping_neg())
    } else {
        i64::try_from(u).map_err(|_| NumError::Range)
    }
}

/// goyaml.v2's `parseTimestamp`: `YYYY-M-D`, optionally followed by a time
/// (`T`/`t` and a zone `Z` or `±hh:mm`, or a space and no zone), as Go's
/// `time.Parse` reads its four layouts.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: u32 = s[..4].parse().unwrap_or(0);
    let mut i = 5;
    // 1 or 2 digits.
    let num = |i: &mut usize| -> Option<u32> {
        let start = *i;
        if !b.get(*i)?.is_ascii_digit() {
            return None;
        }
        *i += 1;
        if b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        s[start..*i].parse().ok()
    };
    let Some(month) = num(&mut i) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = num(&mut i) else {
        return false;
    };
    if !(1..=12).contains(&month) {
        return false;
    }
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day < 1 || day > days {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zone = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let (Some(h), true) = (num(&mut i), b.get(i) == Some(&b':')) else {
        return false;
    };
    i += 1;
    let (Some(m), true) = (num(&mut i), b.get(i) == Some(&b':')) else {
        return false;
    };
    i += 1;
    let Some(sec) = num(&mut i) else {
        return false;
    };
    if h >= 24 || m >= 60 || sec >= 60 {
        return false;
    }
    // Optional fraction.
    if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if !zone {
        return i == b.len();
    }
    match &b[i..] {
        [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2] => {
            matches!(sign, b'+' | b'-')
                && [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && (*h1 - b'0') * 10 + (*h2 - b'0') < 24
                && (*m1 - b'0') * 10 + (*m2 - b'0') < 60
        }
        _ => false,
    }
}

/// `!!binary`: Go's `base64.StdEncoding.DecodeString` (padding required,
/// line breaks skipped), as a Go string; invalid UTF-8 becomes U+FFFD per
/// byte, as `json.Marshal` writes it.
fn decode_binary(text: &str) -> Result<String, String> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine as _;
    const GO_STD: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
    );
    let clean: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    let bytes = GO_STD
        .decode(clean.as_bytes())
        .map_err(|_| "!!binary value contains invalid base64 data".to_owned())?;
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push('\u{fffd}');
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// JSON: sigs.k8s.io/yaml's conversion, then encoding/json's float64s
// ---------------------------------------------------------------------------

/// A decoded document as Helm's values: keys stringified, numbers float64.
fn to_json(ir: Ir, ctx: &Ctx<'_>) -> Result<Value, YamlError> {
    convert(ir).map_err(|(mut path, what)| {
        path.reverse();
        let mut at = String::new();
        for step in &path {
            if !at.is_empty() && !step.starts_with('[') {
                at.push('.');
            }
            at.push_str(step);
        }
        if !at.is_empty() {
            at = format!(" (at {at})");
        }
        ctx.error(&format!("error converting YAML to JSON: {what}{at}"))
    })
}

/// The key path (innermost first) and what is wrong.
type ConvertError = (Vec<String>, String);

fn convert(ir: Ir) -> Result<Value, ConvertError> {
    Ok(match ir {
        Ir::Null => Value::Null,
        Ir::Bool(b) => Value::Bool(b),
        Ir::Int(i) => Value::Float(i as f64),
        Ir::Uint(u) => Value::Float(u as f64),
        Ir::Float(f) if f.is_finite() => Value::Float(f),
        Ir::Float(f) => {
            return Err((
                Vec::new(),
                format!("json: unsupported value: {}", format_float(f)),
            ))
        }
        Ir::Str(s) => Value::String(s),
        Ir::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(convert(item).map_err(|(mut path, what)| {
                    path.push(format!("[{i}]"));
                    (path, what)
                })?);
            }
            Value::List(out)
        }
        Ir::Map(m) => {
            let mut out = Vec::with_capacity(m.entries.len());
            for (k, v) in m.entries {
                let key = match k {
                    Key::Str(s) => s,
                    Key::Int(i) => i.to_string(),
                    Key::Bool(b) => b.to_string(),
                    Key::Float(f) if f.is_nan() => ".nan".to_owned(),
                    Key::Float(f) if f == f64::INFINITY => ".inf".to_owned(),
                    Key::Float(f) if f == f64::NEG_INFINITY => "-.inf".to_owned(),
                    Key::Float(f) => format_float32(f as f32),
                    Key::Uint(u) => {
                        return Err((
                            Vec::new(),
                            format!("unsupported map key of type: uint64, key: {u} (integer keys must fit in int64)"),
                        ))
                    }
                    Key::Null => {
                        return Err((
                            Vec::new(),
                            "unsupported map key of type: null (a key written ~, null or nothing)"
                                .to_owned(),
                        ))
                    }
                };
                match convert(v) {
                    Ok(v) => out.push((key, v)),
                    Err((mut path, what)) => {
                        path.push(key);
                        return Err((path, what));
                    }
                }
            }
            Value::Map(Map::from_entries(out))
        }
    })
}

#[cfg(test)]
mod tests;
