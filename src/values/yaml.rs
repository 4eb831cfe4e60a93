//! Reading values files as Helm does: YAML 1.1 through a JSON round trip.
//!
//! Helm parses a values file with goyaml.v2 (YAML 1.1) and converts the result
//! to JSON (`sigs.k8s.io/yaml`). That gives these rules, all checked against
//! Helm 4.3.1 (HELM-CLI.md §3, SPEC §2.1):
//!
//! * `yes`/`no`/`on`/`off`/`y`/`n` in any of their YAML 1.1 spellings are
//!   booleans; `0123` is octal; `0x1F`, `0b101`, `1_000` are integers;
//! * every number becomes a float64; `.inf` and `.nan` are errors;
//! * map keys become strings (`on:` is the key `"true"`, `0x1F:` is `"31"`,
//!   `1e3:` is `"1000"`); a null key is an error;
//! * duplicate keys: the last one wins; merge keys (`<<`) are applied;
//! * every `---` document is read and they are deep-merged in order;
//! * the top level must be a mapping (or empty).
//!
//! serde-saphyr reads YAML 1.1 scalars this way when asked to
//! (`legacy_octal_numbers`, non-strict booleans, last-wins duplicates); the
//! visitor below turns what it infers into [`Value`]s with Go's key rules.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::options::{DuplicateKeyPolicy, MergeKeyPolicy, NonFiniteFloatPolicy};
use serde_saphyr::{Spanned, Tagged};

use super::gofmt::{format_float, format_float32};
use super::merge::merge_maps;
use super::shape::Shape;
use super::{Map, Value};

/// A values file that could not be read as Helm reads it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// Human-readable text: what is wrong, with line and column when known
    /// and the offending line with a caret.
    pub message: String,
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        duplicate_keys: DuplicateKeyPolicy::LastWins,
        // `<<` is applied by the visitor below, in goyaml.v2's order.
        merge_keys: MergeKeyPolicy::AsOrdinary,
        legacy_octal_numbers: true,
        strict_booleans: false,
        non_finite_float_policy: NonFiniteFloatPolicy::Reject,
    }
}

/// Parses the text of a values file (every document) into one map.
///
/// `source` names the file in messages (`values.yaml`, `<stdin>`).
pub fn parse_values(text: &str, source: &str) -> Result<Map, YamlError> {
    match fast::parse(text) {
        Some(Value::Map(m)) => Ok(m),
        Some(Value::Null) => Ok(Map::new()),
        // Not a mapping, or outside the fast subset: serde-saphyr decides and words the error.
        _ => parse_values_reference(text, source),
    }
}

/// An entry a projected reading left out: the key path of its map, and its key.
pub type LeftOut = (Vec<String>, String);

/// [`parse_values`] leaving out the entries of maps that `shape` (and the
/// chart's `defaults`) say no template reads, with the entries left out:
/// (key path of their map, key) (see [`super::shape`]). `None` when only the full
/// read can say what the text holds, error or not: the caller reads it with
/// [`parse_values`]. Where it answers, the result is [`parse_values`]'s less
/// the entries left out.
pub fn parse_values_projected(
    text: &str,
    shape: &'static Shape,
    defaults: &Map,
) -> Option<(Map, Vec<LeftOut>)> {
    let projection = fast::Projection {
        shape,
        defaults: Some(defaults),
    };
    match fast::parse_projected(text, Some(projection))? {
        (Value::Map(m), pruned) => Some((m, pruned)),
        (Value::Null, _) => Some((Map::new(), Vec::new())),
        _ => None,
    }
}

/// [`parse_values`] without its fast path: serde-saphyr alone. The fast
/// reader must agree with this on every input it accepts (unit tests and
/// the `values` fuzz target hold it to that).
pub fn parse_values_reference(text: &str, source: &str) -> Result<Map, YamlError> {
    let docs: Vec<Document> =
        serde_saphyr::from_multiple_with_options(text, options()).map_err(|e| YamlError {
            message: describe(source, &e),
        })?;
    let mut out = Map::new();
    for (i, doc) in docs.into_iter().enumerate() {
        match doc.0 {
            Value::Null => {}
            Value::Map(m) => out = merge_maps(out, m),
            other => {
                let which = if i == 0 {
                    String::new()
                } else {
                    format!(" (document {})", i + 1)
                };
                return Err(YamlError {
                    message: format!(
                        "failed to parse {source}{which}: the top level must be a mapping of keys to values, found {}",
                        other.type_name()
                    ),
                });
            }
        }
    }
    Ok(out)
}

/// Parses one YAML document of any shape (used for rendered manifests).
pub fn parse_document(text: &str, source: &str) -> Result<Value, YamlError> {
    if let Some(value) = fast::parse(text) {
        return Ok(value);
    }
    let docs: Vec<Document> =
        serde_saphyr::from_multiple_with_options(text, options()).map_err(|e| YamlError {
            message: describe(source, &e),
        })?;
    match docs.len() {
        0 => Ok(Value::Null),
        1 => Ok(docs.into_iter().next().map(|d| d.0).unwrap_or(Value::Null)),
        n => Err(YamlError {
            message: format!("{source}: expected one YAML document, found {n}"),
        }),
    }
}

/// `failed to parse FILE:LINE:COL: reason`, then the offending line with a caret.
fn describe(source: &str, err: &serde_saphyr::Error) -> String {
    let options = serde_saphyr::render_options! { source_name: Some(source) };
    let rendered = err.render_with_options(options);
    // The renderer starts with "error: line L column C: reason"; keep the
    // snippet that follows and say the rest once, our way.
    let reason = err.without_snippet().to_string();
    let reason = reason
        .split_once(": ")
        .filter(|(head, _)| head.starts_with("line "))
        .map_or(reason.as_str(), |(_, r)| r);
    let reason = match reason.rfind(" at line ") {
        Some(i) if reason[i..].contains(", column ") => &reason[..i],
        _ => reason,
    };
    let snippet = rendered
        .split_once('\n')
        .map_or("", |(_, rest)| rest)
        .trim_end();
    let place = match err.location() {
        Some(loc) => format!("{source}:{}:{}", loc.line(), loc.column()),
        None => source.to_owned(),
    };
    if snippet.is_empty() {
        format!("failed to parse {place}: {reason}")
    } else {
        format!("failed to parse {place}: {reason}\n{snippet}")
    }
}

/// One document: a [`Value`] read with Go's conversion rules.
struct Document(Value);

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor).map(Document)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        if v.is_finite() {
            Ok(Value::Float(v))
        } else {
            Err(E::custom(format!(
                "json: unsupported value: {}",
                format_float(v)
            )))
        }
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Document(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::List(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        // Entries in the order they apply; of equal keys the last wins.
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Tagged<Key>>>()? {
            let Document(v) = map.next_value()?;
            if is_merge_key(&key) {
                merge_key(&mut out, v).map_err(de::Error::custom)?;
            } else {
                out.push((key.value.0 .0, v));
            }
        }
        Ok(Value::Map(Map::from_entries(out)))
    }
}

/// Whether a mapping key is a merge key, by goyaml.v2's rule (`isMerge`):
/// the scalar `<<` either untagged and plain, or tagged `!` or `!!merge`.
/// A quoted `"<<"`, a `!!str <<` and an alias of `<<` are ordinary keys.
/// A plain `<<` is the only untagged spelling two bytes long; an alias is
/// the one key whose reference is not where it was defined.
fn is_merge_key(key: &Spanned<Tagged<Key>>) -> bool {
    let Tagged(Key(text), tag) = &key.value;
    text == "<<"
        && key.referenced == key.defined
        && match tag.as_deref() {
            None => key.referenced.span().len() == 2,
            Some(tag) => tag == "!" || tag == "tag:yaml.org,2002:merge",
        }
}

/// Applies a YAML 1.1 merge key where it stands, as goyaml.v2 does: the
/// merged entries override keys written before `<<` and are overridden by
/// keys after it; in a list of maps the earlier map wins.
fn merge_key(out: &mut Vec<(String, Value)>, v: Value) -> Result<(), &'static str> {
    const MSG: &str = "map merge requires map or sequence of maps as the value";
    match v {
        Value::Map(m) => out.extend(m),
        Value::List(items) => {
            for item in items.into_iter().rev() {
                match item {
                    Value::Map(m) => out.extend(m),
                    _ => return Err(MSG),
                }
            }
        }
        _ => return Err(MSG),
    }
    Ok(())
}

/// Reads a key as [`ValueVisitor`] does, but keeps integers whole: Go's
/// JSON conversion prints an integer key in full, not as a float64.
struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML mapping key")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::String(v.to_string()), Value::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        ValueVisitor.visit_f64(v)
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(KeyVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        ValueVisitor.visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        ValueVisitor.visit_map(map)
    }
}

/// A map key, converted to a string the way `sigs.k8s.io/yaml` does.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(KeyVisitor)? {
            Value::String(s) => Ok(Key(s)),
            Value::Bool(b) => Ok(Key(b.to_string())),
            // sigs.k8s.io/yaml writes float keys with FormatFloat(f, 'g', -1, 32).
            Value::Float(f) => Ok(Key(format_float32(f as f32))),
            Value::Int(i) => Ok(Key(i.to_string())),
            Value::Null => Err(de::Error::custom(
                "error converting YAML to JSON: unsupported map key of type null",
            )),
            other => Err(de::Error::custom(format!(
                "error converting YAML to JSON: unsupported map key of type {}",
                other.type_name()
            ))),
        }
    }
}

/// A fast reader for the block-style YAML that values files and rendered
/// manifests are written in, giving exactly what serde-saphyr gives.
///
/// serde-saphyr costs about 400 instructions per byte (a 3,400-line values
/// file took 40 of the 56 million instructions of a whole render). This
/// reader handles the common subset in one pass over the lines — block
/// mappings and sequences (also indentless and compact `- key: v`), plain,
/// single- and double-quoted scalars, one-line flow collections, literal and
/// folded block scalars, comments, one leading `---` — and resolves plain
/// scalars by serde-saphyr's own rules (YAML 1.1 booleans, nulls, decimal
/// integers and decimals). Anything else — anchors, aliases, tags, merge
/// keys, multi-line plain or quoted scalars, several documents, tabs, a
/// number spelt any other way, anything malformed — makes it give up
/// (`None`), and the caller reads the text with serde-saphyr, which also
/// produces every error message. The differential tests below hold the two
/// to the same result.
mod fast {
    use super::super::shape::{Shape, Step as ShapeStep};
    use super::super::{Map, Value};
    use super::LeftOut;

    /// Limits under serde-saphyr's default budget (depth 64, 250,000 nodes):
    /// past them serde-saphyr decides, with its own error.
    const MAX_DEPTH: usize = 60;
    const MAX_NODES: usize = 240_000;
    /// YAML limits implicit keys to 1024 characters.
    const MAX_KEY_LEN: usize = 1000;

    /// The document in `text`, or `None` when the text is outside the subset.
    pub(super) fn parse(text: &str) -> Option<Value> {
        parse_projected(text, None).map(|(value, _)| value)
    }

    /// [`parse`], leaving out the entries `projection` says no template
    /// reads (their syntax checked all the same), with the key paths of the
    /// maps that lost entries.
    pub(super) fn parse_projected<'a>(
        text: &'a str,
        projection: Option<Projection<'a>>,
    ) -> Option<(Value, Vec<LeftOut>)> {
        if !readable(text) {
            return None;
        }
        let mut p = Reader {
            text,
            pos: 0,
            line: Line::at(text, 0),
            start: None,
            nodes: 0,
            started: false,
            bail: false,
            peeked: None,
            entries: Vec::new(),
            path: Vec::new(),
            pruned: Vec::new(),
        };
        // One leading `---` is allowed.
        if let Some((0, content)) = p.peek() {
            if content == "---" || content.starts_with("--- #") {
                p.consume();
            }
        }
        p.started = true;
        p.peeked = None; // peeked before `started`: a marker there is judged again
        let value = p.block_node(0, 0, projection)?;
        if p.peek().is_some() || p.bail {
            return None;
        }
        Some((value, p.pruned))
    }

    /// Where a map stands in the chart's shape and defaults.
    #[derive(Clone, Copy)]
    pub(super) struct Projection<'a> {
        pub shape: &'static Shape,
        /// The chart's default map at the same path, if it has one.
        pub defaults: Option<&'a Map>,
    }

    impl<'a> Projection<'a> {
        /// `None` when no template reads `key` (a key of the defaults is
        /// always read); otherwise the projection of its value (`None`
        /// inside: all of it is read).
        pub(super) fn step(self, key: &str) -> Option<Option<Projection<'a>>> {
            match self.shape.step(key) {
                ShapeStep::Unread if self.defaults.is_none_or(|d| !d.contains_key(key)) => None,
                ShapeStep::Unread | ShapeStep::Whole => Some(None),
                ShapeStep::Shaped(shape) => Some(Some(Projection {
                    shape,
                    defaults: self
                        .defaults
                        .and_then(|d| d.get(key))
                        .and_then(Value::as_map),
                })),
            }
        }
    }

    /// Whether `text` is free of tabs, carriage returns, BOMs, control and
    /// non-printable characters: those are for serde-saphyr to judge.
    fn readable(text: &str) -> bool {
        let bytes = text.as_bytes();
        // Without early exit, so that it compiles to vector instructions.
        let printable_bytes = bytes.iter().fold(true, |ok, &b| {
            ok & ((b >= 0x20 && b != 0x7f) | (b == b'\n'))
        });
        let printable = |c: char| {
            c == '\n'
                || !c.is_control()
                    && !matches!(
                        c,
                        '\u{feff}' | '\u{fffe}' | '\u{ffff}' | '\u{2028}' | '\u{2029}'
                    )
        };
        printable_bytes && (text.is_ascii() || text.chars().all(printable))
    }

    /// The index of the first byte of `bytes` that is `a` or `b`, eight
    /// bytes at a time: keys and scalars are a few words long, too short for
    /// a vector search to pay for its set-up.
    #[inline(always)]
    fn find_either(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
        const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
        const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
        // The high bit of each byte that is zero in `x`; the lowest set bit
        // is exact (a borrow only spreads to the bytes above a zero byte).
        let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
        let mut words = bytes.chunks_exact(8);
        let mut at = 0;
        for word in &mut words {
            let w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
            let hits = zero_bytes(w ^ (ONES * a as u64)) | zero_bytes(w ^ (ONES * b as u64));
            if hits != 0 {
                return Some(at + hits.trailing_zeros() as usize / 8);
            }
            at += 8;
        }
        let tail = words.remainder();
        tail.iter().position(|&c| c == a || c == b).map(|i| at + i)
    }

    /// The index of the first `a` directly followed by `b` in `bytes`.
    fn find_pair(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
        let mut from = 0;
        while let Some(i) = find_either(&bytes[from..], a, a) {
            let at = from + i;
            if bytes.get(at + 1) == Some(&b) {
                return Some(at);
            }
            from = at + 1;
        }
        None
    }

    struct Reader<'a> {
        text: &'a str,
        /// Where the current line starts in `text`; the lines are those of
        /// `split('\n')`, less an empty piece after the last newline.
        pos: usize,
        /// The line at `pos`.
        line: Option<Line<'a>>,
        /// Where the current line starts when it is the rest of a `- ` entry.
        start: Option<usize>,
        /// Nodes as serde-saphyr's budget counts them: keys, values, collections.
        nodes: usize,
        /// Past the first line, where one `---` may stand.
        started: bool,
        bail: bool,
        /// The last content line [`Reader::peek`] found: (line, indent, content).
        peeked: Option<(usize, usize, &'a str)>,
        /// Entries of the block mappings being read, innermost last.
        entries: Vec<(String, Value)>,
        /// The keys down to the projected map being read.
        path: Vec<String>,
        /// The entries left out by a projection.
        pruned: Vec<LeftOut>,
    }

    /// A line of the text: its content (without the newline), and where the
    /// next line starts (`None` for a last line without a newline).
    #[derive(Clone, Copy)]
    struct Line<'a> {
        text: &'a str,
        next: Option<usize>,
    }

    impl<'a> Line<'a> {
        /// The line starting at byte `pos` of `text`, if there is one.
        fn at(text: &'a str, pos: usize) -> Option<Self> {
            let rest = text.get(pos..).filter(|r| !r.is_empty())?;
            Some(match memchr::memchr(b'\n', rest.as_bytes()) {
                Some(end) => Line {
                    text: &rest[..end],
                    next: Some(pos + end + 1),
                },
                None => Line {
                    text: rest,
                    next: None,
                },
            })
        }
    }

    /// `trim_start_matches(' ')` and `trim_end_matches(' ')` as byte loops:
    /// the generic char searchers cost more than the few spaces they skip.
    trait Spaces {
        fn skip_spaces(&self) -> &str;
        fn trim_spaces_end(&self) -> &str;
    }

    impl Spaces for str {
        #[inline]
        fn skip_spaces(&self) -> &str {
            let n = self.bytes().take_while(|&b| b == b' ').count();
            &self[n..]
        }

        #[inline]
        fn trim_spaces_end(&self) -> &str {
            let n = self.bytes().rev().take_while(|&b| b == b' ').count();
            &self[..self.len() - n]
        }
    }

    /// Every line `simple_entry` takes is one `skip_key` takes as a key
    /// and `plain_is_read` (or the quote scan) as a one-line value; the
    /// rest go to them. The random documents of `fast_path_agrees_on_random_documents`
    /// hold the whole skip path to the full reader.
    #[cfg(test)]
    #[test]
    fn simple_entries_are_what_the_skip_path_takes() {
        let cases: &[(&str, Simple)] = &[
            ("key: value", Simple::Scalar),
            ("cpu: 500m", Simple::Scalar),
            ("memory: 512Mi  ", Simple::Scalar),
            ("replicas: 2", Simple::Scalar),
            ("image: \"nginx:1.25\"", Simple::Scalar),
            ("say: 'hi there'", Simple::Scalar),
            ("app.kubernetes.io/name: dify", Simple::Scalar),
            ("enabled: yes", Simple::Scalar),
            ("resources:", Simple::Block),
            ("resources:   ", Simple::Block),
            // For skip_key and skip_rest:
            ("yes: value", Simple::Other), // a boolean key
            ("null:", Simple::Other),      // a null key
            ("port: 007", Simple::Other),  // an octal-looking number: resolve decides
            ("ratio: 0.5", Simple::Other), // a float: resolve decides
            ("size: 1e3", Simple::Other),  // every byte a number's: resolve decides
            ("url: http://a:b", Simple::Other),
            ("a: b # comment", Simple::Other),
            ("a: \"esc\\\"aped\"", Simple::Other),
            ("a: 'it''s'", Simple::Other),
            ("a: \"x\" y", Simple::Other),
            ("a:b", Simple::Other),
            ("a: &anchor x", Simple::Other),
            ("a: [x]", Simple::Other),
            ("a: {}", Simple::Empty),
            ("a: []  ", Simple::Empty),
            ("a: { }", Simple::Other),
            ("a: {}x", Simple::Other),
            ("a: [] # none", Simple::Other),
            ("a: {]", Simple::Other),
            ("a: -1", Simple::Other),
            ("a: |", Simple::Other),
            ("a: tab\there", Simple::Other),
            ("a: é", Simple::Other),
            ("\"quoted\": key", Simple::Other),
            ("my key: value", Simple::Other),
            ("- item", Simple::Other),
        ];
        for (line, want) in cases {
            let taken = (*want != Simple::Other).then_some(line.len());
            assert_eq!(simple_entry(line.as_bytes()), (*want, taken), "{line:?}");
            // Followed by more lines: the same answer, the same line length.
            let text = format!("{line}\nnext: line\n");
            assert_eq!(simple_entry(text.as_bytes()), (*want, taken), "{text:?}");
            if *want != Simple::Other {
                let rest = skip_key(line).flatten().expect(line).skip_spaces();
                match want {
                    Simple::Block => assert!(rest.is_empty(), "{line:?}"),
                    Simple::Empty => assert!(matches!(rest.trim_end(), "{}" | "[]"), "{line:?}"),
                    _ if rest.starts_with(['"', '\'']) => {}
                    _ => assert_eq!(plain_is_read(rest), Some(()), "{line:?}"),
                }
            }
        }
    }

    #[cfg(test)]
    #[test]
    fn find_either_finds_the_first_of_two_bytes() {
        let naive = |s: &[u8], a: u8, b: u8| s.iter().position(|&c| c == a || c == b);
        let samples: [&[u8]; 8] = [
            b"",
            b":",
            b"abcdefgh:",
            b"abcdefg#:",
            b"key.with.a.long.name: value",
            b"\x80\x81\xff:\x00#",
            b"0123456789abcdef0123456789abcdef#",
            b"no such bytes in this one at all",
        ];
        for s in samples {
            for start in 0..s.len().max(1) {
                let s = &s[start.min(s.len())..];
                for (a, b) in [(b':', b'#'), (b' ', b' '), (0, 0xff), (b'a', b'9')] {
                    assert_eq!(find_either(s, a, b), naive(s, a, b), "{s:?} {a} {b}");
                }
            }
        }
    }

    #[cfg(test)]
    #[test]
    fn runs_end_as_the_byte_table_says() {
        // Every byte value at every place of a 16-byte chunk, then the tail.
        for class in [KEY_BYTE, PLAIN_BYTE] {
            for b in 0..=255u8 {
                for at in 0..20 {
                    let mut bytes = vec![b'a'; 20];
                    bytes[at] = b;
                    let expected = if BYTE_CLASS[b as usize] & class != 0 {
                        20
                    } else {
                        at
                    };
                    assert_eq!(
                        run_end(&bytes, 0, class),
                        expected,
                        "class {class} byte {b:#x} at {at}"
                    );
                }
            }
            assert_eq!(run_end(b"ab", 2, class), 2);
        }
    }

    #[cfg(test)]
    #[test]
    fn leading_spaces_count_as_a_byte_loop_does() {
        for n in 0..20 {
            for tail in ["", "x", "x  ", "\n  y", " "] {
                let s = format!("{}{tail}", " ".repeat(n));
                let want = s.bytes().take_while(|&b| b == b' ').count();
                assert_eq!(leading_spaces(s.as_bytes()), want, "{s:?}");
            }
        }
    }

    #[cfg(test)]
    #[test]
    fn spaces_trim_as_str_does() {
        for s in ["", " ", "  a", "a  ", " a b ", "\t a", "é  ", "  é", "a"] {
            assert_eq!(s.skip_spaces(), s.trim_start_matches(' '));
            assert_eq!(s.trim_spaces_end(), s.trim_end_matches(' '));
        }
    }

    fn indent_of(line: &str) -> usize {
        leading_spaces(line.as_bytes())
    }

    /// The number of spaces `bytes` starts with, eight bytes at a time:
    /// indentation is most of the bytes of a values file's lines.
    #[inline(always)]
    fn leading_spaces(bytes: &[u8]) -> usize {
        const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
        let mut n = 0;
        while let Some(word) = bytes.get(n..n + 8) {
            // Zero where a byte is a space; the lowest set bit is in the
            // first byte that is not.
            let w = u64::from_le_bytes(word.try_into().expect("8 bytes")) ^ SPACES;
            if w != 0 {
                return n + w.trailing_zeros() as usize / 8;
            }
            n += 8;
        }
        n + bytes[n..].iter().take_while(|&&b| b == b' ').count()
    }

    fn is_entry(content: &str) -> bool {
        content == "-" || content.starts_with("- ")
    }

    fn is_marker(content: &str) -> bool {
        let three = content.get(..3);
        matches!(three, Some("---" | "...")) && content.as_bytes().get(3).is_none_or(|b| *b == b' ')
    }

    /// What a line of a block collection holds.
    enum Entry<'a> {
        /// `key: rest`, and the key as written when Go's conversion changed
        /// it (`on` is the key `true`).
        Key(String, &'a str, Option<&'a str>),
        /// Not a mapping entry (a scalar, a flow collection, `- `).
        NotKey,
    }

    impl<'a> Reader<'a> {
        /// The current line, if the text has one left.
        fn line(&self) -> Option<Line<'a>> {
            self.line
        }

        /// Moves past `line`, the current line.
        fn advance(&mut self, line: Line<'a>) {
            self.pos = line.next.unwrap_or(self.text.len());
            self.line = Line::at(self.text, self.pos);
        }

        /// The next line that holds content, as (indent, content); skips
        /// blank and comment lines.
        #[inline]
        fn peek(&mut self) -> Option<(usize, &'a str)> {
            if let Some(start) = self.start {
                let line = self.line()?.text;
                return Some((start, &line[start..]));
            }
            // Collections look at their next line several times before
            // taking it.
            if let Some((pos, indent, content)) = self.peeked {
                if pos == self.pos {
                    return Some((indent, content));
                }
            }
            self.peek_new()
        }

        /// [`Reader::peek`] at a line not looked at yet.
        #[inline(never)]
        fn peek_new(&mut self) -> Option<(usize, &'a str)> {
            while let Some(line) = self.line() {
                let indent = indent_of(line.text);
                let content = &line.text[indent..];
                if content.is_empty() || content.starts_with('#') {
                    self.advance(line);
                    continue;
                }
                if indent == 0 && self.started && (is_marker(content) || content.starts_with('%')) {
                    // Several documents or directives: serde-saphyr's.
                    self.bail = true;
                    return None;
                }
                self.peeked = Some((self.pos, indent, content));
                return Some((indent, content));
            }
            None
        }

        fn consume(&mut self) {
            self.start = None;
            if let Some(line) = self.line() {
                self.advance(line);
            }
        }

        fn count(&mut self) -> Option<()> {
            self.nodes += 1;
            (self.nodes <= MAX_NODES && !self.bail).then_some(())
        }

        /// The block node at indent `min` or deeper (null when there is none).
        fn block_node(
            &mut self,
            min: usize,
            depth: usize,
            projection: Option<Projection<'a>>,
        ) -> Option<Value> {
            match self.peek() {
                Some((indent, content)) if indent >= min => {
                    if is_entry(content) {
                        self.sequence(indent, depth)
                    } else {
                        self.mapping(indent, depth, projection)
                    }
                }
                _ => Some(Value::Null),
            }
        }

        fn mapping(
            &mut self,
            indent: usize,
            depth: usize,
            projection: Option<Projection<'a>>,
        ) -> Option<Value> {
            if depth > MAX_DEPTH {
                return None;
            }
            self.count()?;
            // This mapping's entries go on the shared stack above those of
            // the mappings it is nested in, and leave it as one exact-size
            // allocation: no growth, no spare capacity.
            let start = self.entries.len();
            let mut converted = Vec::new();
            let mut left_out = Vec::new();
            while let Some((at, content)) = self.peek() {
                if at < indent {
                    break;
                }
                if at > indent || is_entry(content) {
                    return None;
                }
                let Entry::Key(key, rest, written) = entry(content)? else {
                    return None;
                };
                converted.extend(written);
                self.consume();
                self.count()?; // the key
                let child = match projection.map(|p| p.step(&key)) {
                    None => None,
                    Some(None) => {
                        self.skip_value(rest, indent, depth)?;
                        left_out.push(key);
                        continue;
                    }
                    Some(Some(child)) => child,
                };
                if child.is_some() {
                    self.path.push(key.clone());
                }
                let value = self.value(rest, indent, depth, true, child)?;
                if child.is_some() {
                    self.path.pop();
                }
                self.entries.push((key, value));
            }
            let map = Map::from_entries(self.entries.drain(start..).collect());
            // serde-saphyr finds duplicate keys by their text before Go's
            // conversion: `on:` and `"on":` are one key to it. (An entry
            // left out is no longer there to compare.)
            if converted.iter().any(|k| map.contains_key(*k))
                || (!left_out.is_empty() && !converted.is_empty())
            {
                return None;
            }
            for key in left_out {
                self.pruned.push((self.path.clone(), key));
            }
            Some(Value::Map(map))
        }

        fn sequence(&mut self, indent: usize, depth: usize) -> Option<Value> {
            if depth > MAX_DEPTH {
                return None;
            }
            self.count()?;
            let mut list = Vec::new();
            while let Some((at, content)) = self.peek() {
                if at != indent || !is_entry(content) {
                    if at > indent {
                        return None;
                    }
                    break;
                }
                let item = content[1..].skip_spaces();
                if !item.is_empty()
                    && !item.starts_with('#')
                    && matches!(entry(item)?, Entry::Key(..))
                {
                    // `- key: value`: a mapping whose first line starts at `key`.
                    let column = self.line()?.text.len() - item.len();
                    self.start = Some(column);
                    list.push(self.mapping(column, depth + 1, None)?);
                } else {
                    self.consume();
                    list.push(self.value(item, indent, depth, false, None)?);
                }
            }
            Some(Value::List(list))
        }

        /// The value after `key:` or `- ` (`rest`), in a collection at `indent`.
        fn value(
            &mut self,
            rest: &'a str,
            indent: usize,
            depth: usize,
            in_map: bool,
            projection: Option<Projection<'a>>,
        ) -> Option<Value> {
            let rest = rest.skip_spaces();
            if rest.is_empty() || rest.starts_with('#') {
                return match self.peek() {
                    Some((at, _)) if at > indent => {
                        self.block_node(indent + 1, depth + 1, projection)
                    }
                    // An indentless sequence as the value of a key.
                    Some((at, content)) if in_map && at == indent && is_entry(content) => {
                        self.sequence(at, depth + 1)
                    }
                    _ => self.count().map(|()| Value::Null),
                };
            }
            let value = match rest.as_bytes()[0] {
                b'"' | b'\'' => {
                    let (s, after) = quoted(rest)?;
                    trailer(after)?;
                    self.count()?;
                    Value::String(s)
                }
                b'[' | b'{' => {
                    let (v, after) = self.flow(rest, depth + 1)?;
                    trailer(after)?;
                    v
                }
                b'|' | b'>' => self.block_scalar(rest, indent)?,
                b'&' | b'*' | b'!' | b'?' | b'%' | b'@' | b'`' | b',' | b']' | b'}' | b':' => {
                    return None
                }
                _ if is_entry(rest) => return None,
                _ => {
                    self.count()?;
                    plain(rest)?
                }
            };
            // A more indented line after a one-line value continues it (or is an error).
            match self.peek() {
                Some((at, _)) if at > indent => None,
                _ => Some(value),
            }
        }

        /// The value of a key no template reads (`rest` follows its `:`):
        /// checked as [`Reader::value`] would read it, not kept.
        fn skip_value(&mut self, rest: &'a str, indent: usize, depth: usize) -> Option<()> {
            let trimmed = rest.skip_spaces();
            if !(trimmed.is_empty() || trimmed.starts_with('#')) {
                // One line: read it as any other, and drop it.
                return self.value(rest, indent, depth, true, None).map(drop);
            }
            self.skip_block(indent, depth)
        }

        /// The block value of a key at `indent`, line by line, accepted only
        /// where [`Reader::value`] and the collections would accept it, but
        /// not built: the cheap path for the lines of a values file no
        /// template reads. `None` (the text goes to the full reader) for
        /// anything but plain keys, one-line values, block scalars and
        /// `- ` entries, and wherever the two could disagree.
        ///
        /// It walks the bytes itself rather than through [`Reader::peek`]:
        /// this loop is most of the work on a production values file.
        fn skip_block(&mut self, indent: usize, depth: usize) -> Option<()> {
            let text = self.text;
            let bytes = text.as_bytes();
            // The first line not taken yet.
            let mut pos = self.pos;
            // The collections open around the current line, innermost last:
            // (indent, whether a sequence).
            let mut levels: Vec<(usize, bool)> = Vec::new();
            // An entry whose value is on the lines below it: (its indent,
            // whether a mapping entry, which may be followed by `- ` at its
            // own indent).
            let mut open = Some((indent, true));
            // Where the line whose content starts at `start` ends.
            let line_end = |start: usize| {
                memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |e| start + e)
            };
            while pos < bytes.len() {
                let start = pos + leading_spaces(&bytes[pos..]);
                // The rest of the text from the line's content: most lines
                // are taken by `simple_entry` without a search for their end.
                let rest = &bytes[start..];
                match rest.first() {
                    None | Some(b'\n') => {
                        pos = start + 1;
                        continue;
                    }
                    Some(b'#') => {
                        pos = line_end(start) + 1;
                        continue;
                    }
                    _ => {}
                }
                let at = start - pos;
                if at == 0 {
                    let content = &text[start..line_end(start)];
                    if is_marker(content) || content.starts_with('%') {
                        return None; // several documents or directives: serde-saphyr's
                    }
                }
                // `-` alone on its line, or `- ` (as `is_entry`).
                let item = rest[0] == b'-' && rest.get(1).is_none_or(|&b| b == b' ' || b == b'\n');
                if let Some((o, in_map)) = open.take() {
                    if at > o || (in_map && at == o && item) {
                        levels.push((at, item));
                        self.count()?; // the collection
                        if depth + 2 * levels.len() > MAX_DEPTH {
                            return None;
                        }
                    }
                }
                while levels.last().is_some_and(|&(l, _)| l > at) {
                    levels.pop();
                }
                // A sequence at its map's indent ends at the map's next key.
                if let [.., (m, false), (l, true)] = levels[..] {
                    if m == at && l == at && !item {
                        levels.pop();
                    }
                }
                let Some(&(l, seq)) = levels.last() else {
                    break; // the parent's line
                };
                if l != at || seq != item {
                    if levels.len() == 1 && seq && at == indent && !item {
                        break; // after a sequence at the key's own indent, the parent's line
                    }
                    return None;
                }
                // Nodes as the reader counts them, or more: a key and its
                // value, or an item (and an item's mapping), each
                // collection when it opens.
                self.nodes += 1;
                self.count()?;
                if seq {
                    let end = line_end(start);
                    let content = &text[start..end];
                    pos = end + 1;
                    let rest = content[1..].skip_spaces();
                    if rest.is_empty() || rest.starts_with('#') {
                        open = Some((at, false));
                        continue;
                    }
                    match skip_key(rest)? {
                        Some(value) => {
                            // `- key: value`: a mapping whose first line starts at `key`.
                            let column = at + (content.len() - rest.len());
                            levels.push((column, false));
                            self.nodes += 1;
                            self.count()?;
                            if depth + 2 * levels.len() > MAX_DEPTH {
                                return None;
                            }
                            if self.skip_rest(value, column, depth, &mut pos)? {
                                open = Some((column, true));
                            }
                        }
                        None => {
                            if self.skip_rest(rest, at, depth, &mut pos)? {
                                open = Some((at, false));
                            }
                        }
                    }
                } else {
                    let (simple, len) = simple_entry(rest);
                    let end = len.map_or_else(|| line_end(start), |len| start + len);
                    pos = end + 1;
                    match simple {
                        Simple::Scalar => continue,
                        // The collection's node, as `flow` counts it.
                        Simple::Empty => {
                            self.count()?;
                            continue;
                        }
                        Simple::Block => {
                            open = Some((at, true));
                            continue;
                        }
                        Simple::Other => {}
                    }
                    let content = &text[start..end];
                    let value = skip_key(content)??;
                    if self.skip_rest(value, at, depth, &mut pos)? {
                        open = Some((at, true));
                    }
                }
            }
            // The reader goes on from the first line not taken.
            self.start = None;
            self.pos = pos.min(bytes.len());
            self.line = Line::at(text, self.pos);
            self.peeked = None;
            Some(())
        }

        /// What follows `key:` or `- ` on a line already taken, as
        /// [`Reader::value`] reads it: `Some(true)` when the value is on the
        /// lines below. `pos` is the next line; a block scalar moves it past
        /// its own lines.
        fn skip_rest(
            &mut self,
            rest: &'a str,
            indent: usize,
            depth: usize,
            pos: &mut usize,
        ) -> Option<bool> {
            let rest = rest.skip_spaces();
            if rest.is_empty() || rest.starts_with('#') {
                return Some(true);
            }
            let bytes = rest.as_bytes();
            match bytes[0] {
                b'"' => {
                    let end = 1 + find_either(&bytes[1..], b'"', b'\\')?;
                    if bytes[end] == b'"' {
                        trailer(&rest[end + 1..])?;
                    } else {
                        trailer(quoted(rest)?.1)?;
                    }
                }
                b'\'' => {
                    let end = 1 + find_either(&bytes[1..], b'\'', b'\'')?;
                    if bytes.get(end + 1) != Some(&b'\'') {
                        trailer(&rest[end + 1..])?;
                    } else {
                        trailer(quoted(rest)?.1)?;
                    }
                }
                b'[' | b'{' => {
                    let (_, after) = self.flow(rest, depth + 1)?;
                    trailer(after)?;
                }
                b'|' | b'>' => {
                    self.pos = (*pos).min(self.text.len());
                    self.line = Line::at(self.text, self.pos);
                    self.block_scalar(rest, indent)?;
                    *pos = self.pos;
                }
                b'&' | b'*' | b'!' | b'?' | b'%' | b'@' | b'`' | b',' | b']' | b'}' | b':' => {
                    return None
                }
                _ if is_entry(rest) => return None,
                _ => plain_is_read(rest)?,
            }
            Some(false)
        }

        /// A one-line flow collection at the start of `s`, and what follows it.
        fn flow(&mut self, s: &'a str, depth: usize) -> Option<(Value, &'a str)> {
            if depth > MAX_DEPTH {
                return None;
            }
            self.count()?;
            let (open, close) = if s.starts_with('[') {
                (b'[', b']')
            } else {
                (b'{', b'}')
            };
            let mut rest = s[1..].skip_spaces();
            let mut list = Vec::new();
            let mut entries = Vec::new();
            if rest.as_bytes().first() == Some(&close) {
                rest = &rest[1..];
            } else {
                loop {
                    if open == b'[' {
                        let (v, after) = self.flow_node(rest, depth)?;
                        list.push(v);
                        rest = after.skip_spaces();
                    } else {
                        let (k, after) = self.flow_node(rest, depth)?;
                        let Value::String(k) = k else { return None };
                        if k == "<<" {
                            return None;
                        }
                        let after = after.skip_spaces().strip_prefix(':')?;
                        if !after.starts_with(' ') {
                            return None;
                        }
                        let (v, after) = self.flow_node(after.skip_spaces(), depth)?;
                        entries.push((k, v));
                        rest = after.skip_spaces();
                    }
                    match rest.as_bytes().first() {
                        Some(b',') => {
                            rest = rest[1..].skip_spaces();
                            if matches!(rest.as_bytes().first(), Some(b']' | b'}' | b',') | None) {
                                return None;
                            }
                        }
                        Some(&b) if b == close => {
                            rest = &rest[1..];
                            break;
                        }
                        _ => return None,
                    }
                }
            }
            let value = if open == b'[' {
                Value::List(list)
            } else {
                Value::Map(Map::from_entries(entries))
            };
            Some((value, rest))
        }

        /// One node inside a flow collection.
        fn flow_node(&mut self, s: &'a str, depth: usize) -> Option<(Value, &'a str)> {
            match s.as_bytes().first()? {
                b'"' | b'\'' => {
                    self.count()?;
                    quoted(s).map(|(v, rest)| (Value::String(v), rest))
                }
                b'[' | b'{' => self.flow(s, depth + 1),
                b'&' | b'*' | b'!' | b'?' | b'%' | b'@' | b'`' | b',' | b']' | b'}' | b':'
                | b'#' | b'|' | b'>' => None,
                _ => {
                    self.count()?;
                    let bytes = s.as_bytes();
                    let mut end = 0;
                    while end < bytes.len() {
                        match bytes[end] {
                            b',' | b'[' | b']' | b'{' | b'}' => break,
                            b':' if matches!(
                                bytes.get(end + 1),
                                None | Some(b' ' | b',' | b']' | b'}')
                            ) =>
                            {
                                break
                            }
                            b'#' if end > 0 && bytes[end - 1] == b' ' => return None,
                            _ => end += 1,
                        }
                    }
                    let token = s[..end].trim_spaces_end();
                    if token.is_empty() || is_entry(token) {
                        return None;
                    }
                    Some((resolve(token)?, &s[end..]))
                }
            }
        }

        /// A literal (`|`) or folded (`>`) block scalar; `rest` is its header.
        /// The lines are folded as libyaml and granit-parser fold them.
        fn block_scalar(&mut self, rest: &'a str, indent: usize) -> Option<Value> {
            let folded = rest.starts_with('>');
            let header = &rest[1..];
            let (chomp, after) = match header.as_bytes().first() {
                Some(b'-') => (Chomp::Strip, &header[1..]),
                Some(b'+') => (Chomp::Keep, &header[1..]),
                _ => (Chomp::Clip, header),
            };
            let after_trim = after.skip_spaces();
            if !(after_trim.is_empty() || (after_trim.starts_with('#') && after.starts_with(' '))) {
                return None;
            }
            // The first line of content sets the indentation; blank lines
            // before it, or none deeper than the parent, are serde-saphyr's.
            let Some(Line { text: first, .. }) = self.line() else {
                // At the end of the text: empty.
                self.count()?;
                return Some(Value::String(String::new()));
            };
            let block = indent_of(first);
            if first.skip_spaces().is_empty() {
                return None;
            }
            if block <= indent {
                // Followed at once by the next entry: empty.
                self.count()?;
                return Some(Value::String(String::new()));
            }
            let mut out = String::new();
            let mut leading_break = false;
            let mut trailing_breaks = 0usize;
            let mut leading_blank = false;
            while let Some(current) = self.line() {
                // A last line without a newline: serde-saphyr ends the text
                // with a line break of its own.
                current.next?;
                let line = current.text;
                let spaces = indent_of(line);
                if spaces == line.len() && spaces <= block {
                    trailing_breaks += 1;
                    self.advance(current);
                    continue;
                }
                if spaces < block {
                    if spaces == 0 && (is_marker(line) || line.starts_with('%')) {
                        return None;
                    }
                    break;
                }
                let content = &line[block..];
                let trailing_blank = content.starts_with(' ');
                if folded && leading_break && !leading_blank && !trailing_blank {
                    if trailing_breaks == 0 {
                        out.push(' ');
                    }
                } else if leading_break {
                    out.push('\n');
                }
                for _ in 0..trailing_breaks {
                    out.push('\n');
                }
                trailing_breaks = 0;
                leading_blank = trailing_blank;
                out.push_str(content);
                self.advance(current);
                leading_break = true;
            }
            if chomp != Chomp::Strip && leading_break {
                out.push('\n');
            }
            if chomp == Chomp::Keep {
                for _ in 0..trailing_breaks {
                    out.push('\n');
                }
            }
            self.count()?;
            Some(Value::String(out))
        }
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Chomp {
        Clip,
        Strip,
        Keep,
    }

    /// Whether `content` is `key: rest`; `None` when unsure.
    fn entry(content: &str) -> Option<Entry<'_>> {
        let bytes = content.as_bytes();
        match bytes[0] {
            b'"' | b'\'' => {
                let (key, after) = quoted(content)?;
                let trimmed = after.skip_spaces();
                if let Some(rest) = trimmed.strip_prefix(':') {
                    if rest.is_empty() || rest.starts_with(' ') {
                        return (key.len() <= MAX_KEY_LEN).then_some(Entry::Key(key, rest, None));
                    }
                    return None;
                }
                if trimmed.is_empty() || (trimmed.starts_with('#') && after.starts_with(' ')) {
                    return Some(Entry::NotKey);
                }
                None
            }
            b'[' | b'{' | b'|' | b'>' | b'&' | b'*' | b'!' | b'?' | b'%' | b'@' | b'`' | b','
            | b']' | b'}' | b'#' | b':' => Some(Entry::NotKey),
            _ if is_entry(content) => Some(Entry::NotKey),
            _ => {
                let Some(i) = key_colon(bytes) else {
                    return Some(Entry::NotKey);
                };
                let key = content[..i].trim_spaces_end();
                if key.len() > MAX_KEY_LEN {
                    return None;
                }
                let (converted, written) = match resolve(key)? {
                    // A merge key: applied by the visitor, in goyaml.v2's order.
                    Value::String(k) if k == "<<" => return None,
                    Value::String(k) => (k, None),
                    Value::Bool(b) => (b.to_string(), Some(key)),
                    // Integer keys are printed whole (see KeyVisitor); float keys are serde-saphyr's.
                    Value::Float(_) => (integer_key(key)?, Some(key)),
                    _ => return None,
                };
                let written = written.filter(|w| *w != converted);
                Some(Entry::Key(converted, &content[i + 1..], written))
            }
        }
    }

    /// Where the `:` ending a plain key is in a line's content: the first
    /// `:` followed by a space or the end, unless a comment (` #`) comes
    /// first. `None`: the line is no `key: value`.
    #[inline(always)]
    fn key_colon(bytes: &[u8]) -> Option<usize> {
        let mut from = 0;
        while let Some(found) = find_either(&bytes[from..], b':', b'#') {
            let i = from + found;
            from = i + 1;
            match bytes[i] {
                b':' if i + 1 == bytes.len() || bytes[i + 1] == b' ' => return Some(i),
                b'#' if i > 0 && bytes[i - 1] == b' ' => return None,
                _ => {}
            }
        }
        None
    }

    /// Byte classes of [`simple_entry`]: a byte of a plain key (letters,
    /// digits, `_`, `-`, `.`, `/`); of a plain scalar (printable ASCII and
    /// the space, but `:` and `#`); a byte some number spells (as
    /// [`resolve`]'s `NUMERIC`); a digit.
    const KEY_BYTE: u8 = 1;
    const PLAIN_BYTE: u8 = 2;
    const NUMBER_BYTE: u8 = 4;
    const DIGIT_BYTE: u8 = 8;
    static BYTE_CLASS: [u8; 256] = {
        let mut class = [0u8; 256];
        let mut b = b' ';
        while b <= b'~' {
            if b != b':' && b != b'#' {
                class[b as usize] = PLAIN_BYTE;
            }
            if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/') {
                class[b as usize] |= KEY_BYTE;
            }
            if b.is_ascii_digit() {
                class[b as usize] |= DIGIT_BYTE;
            }
            b += 1;
        }
        let mut i = 0;
        while i < NUMERIC.len() {
            class[NUMERIC[i] as usize] |= NUMBER_BYTE;
            i += 1;
        }
        class
    };

    /// Where the run of bytes of `class` ([`KEY_BYTE`] or [`PLAIN_BYTE`])
    /// that starts at `from` in `bytes` ends: sixteen bytes at a time where
    /// the text has them, as keys and scalars run to a dozen bytes or more.
    #[inline(always)]
    fn run_end(bytes: &[u8], mut from: usize, class: u8) -> usize {
        #[cfg(target_arch = "x86_64")]
        while let Some(chunk) = bytes.get(from..from + 16) {
            let chunk = chunk.try_into().expect("16 bytes");
            let members = if class == KEY_BYTE {
                sse2::key_bytes(chunk)
            } else {
                sse2::plain_bytes(chunk)
            };
            if members != 0xffff {
                return from + (!members).trailing_zeros() as usize;
            }
            from += 16;
        }
        while bytes
            .get(from)
            .is_some_and(|&b| BYTE_CLASS[b as usize] & class != 0)
        {
            from += 1;
        }
        from
    }

    /// [`BYTE_CLASS`]'s classes of sixteen bytes at once, as bit masks (bit
    /// `i` for byte `i`). SSE2 is part of every x86-64 CPU. Bytes from 0x80
    /// are negative to the signed comparisons, so in no class, as in the
    /// table.
    #[cfg(target_arch = "x86_64")]
    mod sse2 {
        use std::arch::x86_64::{
            __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8,
            _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };

        /// [`super::KEY_BYTE`]: letters, digits, `_`, `-`, `.`, `/`.
        #[inline(always)]
        pub fn key_bytes(chunk: &[u8; 16]) -> u32 {
            // SAFETY: SSE2 is part of every x86-64 CPU.
            unsafe { key_bytes_sse2(chunk) }
        }

        /// [`super::PLAIN_BYTE`]: printable ASCII and the space, but `:` and `#`.
        #[inline(always)]
        pub fn plain_bytes(chunk: &[u8; 16]) -> u32 {
            // SAFETY: SSE2 is part of every x86-64 CPU.
            unsafe { plain_bytes_sse2(chunk) }
        }

        #[target_feature(enable = "sse2")]
        fn key_bytes_sse2(chunk: &[u8; 16]) -> u32 {
            let v = load(chunk);
            // A letter in either case, as a lower-case one.
            let letter = between(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a' - 1, b'z' + 1);
            // `-`, `.`, `/` and the digits are 0x2d..=0x39.
            let digit_or_punct = between(v, b'-' - 1, b'9' + 1);
            let key = _mm_or_si128(_mm_or_si128(letter, digit_or_punct), equal(v, b'_'));
            _mm_movemask_epi8(key) as u32
        }

        #[target_feature(enable = "sse2")]
        fn plain_bytes_sse2(chunk: &[u8; 16]) -> u32 {
            let v = load(chunk);
            let excluded = _mm_or_si128(equal(v, b':'), equal(v, b'#'));
            let plain = _mm_andnot_si128(excluded, between(v, 0x1f, 0x7f));
            _mm_movemask_epi8(plain) as u32
        }

        #[target_feature(enable = "sse2")]
        fn load(chunk: &[u8; 16]) -> __m128i {
            // SAFETY: an unaligned load of the sixteen bytes of `chunk`.
            unsafe { _mm_loadu_si128(chunk.as_ptr().cast()) }
        }

        /// Bytes strictly between `low` and `high`.
        #[target_feature(enable = "sse2")]
        fn between(v: __m128i, low: u8, high: u8) -> __m128i {
            _mm_and_si128(
                _mm_cmpgt_epi8(v, _mm_set1_epi8(low as i8)),
                _mm_cmplt_epi8(v, _mm_set1_epi8(high as i8)),
            )
        }

        #[target_feature(enable = "sse2")]
        fn equal(v: __m128i, b: u8) -> __m128i {
            _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))
        }
    }

    /// What [`simple_entry`] made of a line.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Simple {
        /// `key: scalar`, all on the line.
        Scalar,
        /// `key:` and nothing else: the value is on the lines below.
        Block,
        /// `key: {}` or `key: []`: an empty flow collection, which the
        /// reader counts as a node of its own.
        Empty,
        /// Anything else: for [`skip_key`] and [`Reader::skip_rest`].
        Other,
    }

    /// A mapping entry of the commonest kinds, taken in one pass over a
    /// line's content (after its indentation): a key of [`KEY_BYTE`]s
    /// starting with a letter and not reading as a boolean or null; then
    /// nothing ([`Simple::Block`]), or a double-quoted scalar without
    /// escapes, a single-quoted one without `''`, or a plain scalar of
    /// [`PLAIN_BYTE`]s starting with a letter or a digit that [`resolve`]
    /// surely reads ([`Simple::Scalar`]), or `{}` or `[]`
    /// ([`Simple::Empty`]); then nothing but spaces. Every line it takes,
    /// [`skip_key`] and [`Reader::skip_rest`] take the same way, counting
    /// nothing but an empty collection's node.
    ///
    /// `text` runs from the line's content to the end of the text: for a
    /// line it takes, the line's length (up to its newline) comes with the
    /// answer, found on the way, so that the skip path needs no separate
    /// search for the line's end (`None` for the lines it does not take).
    #[inline(always)]
    fn simple_entry(text: &[u8]) -> (Simple, Option<usize>) {
        const OTHER: (Simple, Option<usize>) = (Simple::Other, None);
        if !text.first().is_some_and(u8::is_ascii_alphabetic) {
            return OTHER;
        }
        let i = run_end(text, 1, KEY_BYTE);
        if text.get(i) != Some(&b':') || i > MAX_KEY_LEN {
            return OTHER;
        }
        if i <= 5 {
            let key = std::str::from_utf8(&text[..i]).expect("ASCII");
            if yaml11_bool(key).is_some() || matches!(key, "null" | "Null" | "NULL") {
                return OTHER;
            }
        }
        let mut j = i + 1;
        while text.get(j) == Some(&b' ') {
            j += 1;
        }
        let first = match text.get(j) {
            None | Some(b'\n') => return (Simple::Block, Some(j)),
            Some(&b) => b,
        };
        if j == i + 1 {
            return OTHER; // `key:value`
        }
        if first == b'{' || first == b'[' {
            let close = if first == b'{' { b'}' } else { b']' };
            if text.get(j + 1) != Some(&close) {
                return OTHER;
            }
            let mut k = j + 2;
            while text.get(k) == Some(&b' ') {
                k += 1;
            }
            return match text.get(k) {
                None | Some(b'\n') => (Simple::Empty, Some(k)),
                Some(_) => OTHER,
            };
        }
        if first == b'"' || first == b'\'' {
            // The closing quote is looked for within the line.
            let len = memchr::memchr(b'\n', &text[j..]).map_or(text.len(), |e| j + e);
            let line = &text[..len];
            let end = if first == b'"' {
                match find_either(&line[j + 1..], b'"', b'\\') {
                    Some(k) if line[j + 1 + k] == b'"' => j + 2 + k,
                    _ => return OTHER,
                }
            } else {
                match find_either(&line[j + 1..], b'\'', b'\'') {
                    Some(k) if line.get(j + 2 + k) != Some(&b'\'') => j + 2 + k,
                    _ => return OTHER,
                }
            };
            return if line[end..].iter().all(|&b| b == b' ') {
                (Simple::Scalar, Some(len))
            } else {
                OTHER
            };
        }
        if !first.is_ascii_alphanumeric() {
            return OTHER;
        }
        // A plain scalar: its bytes run to the line's end (a newline is no
        // PLAIN_BYTE), spaces included.
        let k = run_end(text, j + 1, PLAIN_BYTE);
        if !matches!(text.get(k), None | Some(b'\n')) {
            return OTHER; // `:`, `#`, a control or non-ASCII byte
        }
        if first.is_ascii_digit() {
            // As plain_is_read: a decimal integer, or a byte no
            // number spells; else resolve decides.
            let mut t = k;
            while text[t - 1] == b' ' {
                t -= 1;
            }
            let token = &text[j..t];
            let integer = first != b'0'
                && token.len() <= 18
                && token
                    .iter()
                    .all(|&c| BYTE_CLASS[c as usize] & DIGIT_BYTE != 0);
            if !integer
                && token
                    .iter()
                    .all(|&c| BYTE_CLASS[c as usize] & NUMBER_BYTE != 0)
            {
                return OTHER;
            }
        }
        (Simple::Scalar, Some(k))
    }

    /// [`entry`] without building the key: `Some(Some(rest))` for
    /// `key: rest` whose key is the string it spells, `Some(None)` for a
    /// line that is no mapping entry, `None` where only [`entry`] can tell
    /// (and it would not say `NotKey`).
    fn skip_key(content: &str) -> Option<Option<&str>> {
        let bytes = content.as_bytes();
        if !bytes[0].is_ascii_alphabetic() {
            return match entry(content)? {
                Entry::Key(_, rest, None) => Some(Some(rest)),
                Entry::Key(..) => None,
                Entry::NotKey => Some(None),
            };
        }
        let Some(i) = key_colon(bytes) else {
            return Some(None);
        };
        let key = content[..i].trim_spaces_end();
        // A word starting with a letter is a string key unless it is a
        // null or a boolean (five letters at most).
        let spelled = key.len() > 5
            || (yaml11_bool(key).is_none() && !matches!(key, "null" | "Null" | "NULL"));
        (spelled && key.len() <= MAX_KEY_LEN).then_some(Some(&content[i + 1..]))
    }

    /// Whether [`plain`] reads `s`, without building its value: one pass
    /// for its comment and any `: ` or final `:`.
    fn plain_is_read(s: &str) -> Option<()> {
        let bytes = s.as_bytes();
        let mut from = 0;
        let end = loop {
            let Some(found) = find_either(&bytes[from..], b':', b'#') else {
                break bytes.len();
            };
            let i = from + found;
            if bytes[i] == b'#' {
                if i > 0 && bytes[i - 1] == b' ' {
                    break i;
                }
            } else if i + 1 == bytes.len() || bytes[i + 1] == b' ' {
                return None;
            }
            from = i + 1;
        };
        // Only a number's first characters can make `resolve` give up; a
        // decimal integer it reads (ports, counts, sizes in bytes) is
        // told by its digits.
        let token = s[..end].trim_spaces_end().as_bytes();
        match token.first() {
            Some(b'1'..=b'9') if token.len() <= 18 && token.iter().all(u8::is_ascii_digit) => {
                Some(())
            }
            Some(b) if b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.') => {
                resolve(s[..end].trim_spaces_end()).map(drop)
            }
            _ => Some(()),
        }
    }

    /// A decimal integer key as KeyVisitor prints it (`+5` is `5`); `None`
    /// for any other number.
    fn integer_key(key: &str) -> Option<String> {
        let (negative, unsigned) = match key.as_bytes()[0] {
            b'-' => (true, &key[1..]),
            b'+' => (false, &key[1..]),
            _ => (false, key),
        };
        if unsigned.is_empty()
            || unsigned.len() > 18
            || !unsigned.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        if unsigned.starts_with('0') && unsigned != "0" {
            return None;
        }
        let n: i64 = unsigned.parse().ok()?;
        Some(if negative { -n } else { n }.to_string())
    }

    /// After a quoted scalar or flow collection: nothing, or a comment.
    fn trailer(after: &str) -> Option<()> {
        let trimmed = after.skip_spaces();
        (trimmed.is_empty() || (trimmed.starts_with('#') && after.starts_with(' '))).then_some(())
    }

    /// A one-line plain scalar in block context, up to a comment.
    fn plain(s: &str) -> Option<Value> {
        let end = find_pair(s.as_bytes(), b' ', b'#').unwrap_or(s.len());
        let token = s[..end].trim_spaces_end();
        if find_pair(token.as_bytes(), b':', b' ').is_some() || token.ends_with(':') {
            return None;
        }
        resolve(token)
    }

    /// A quoted scalar on one line at the start of `s`, and what follows it.
    fn quoted(s: &str) -> Option<(String, &str)> {
        let bytes = s.as_bytes();
        let mut out = String::new();
        if bytes[0] == b'\'' {
            let mut i = 1;
            let mut from = 1;
            loop {
                let j = i + find_either(&bytes[i..], b'\'', b'\'')?;
                if from == 1 && bytes.get(j + 1) != Some(&b'\'') {
                    // No escape: the text between the quotes, allocated once.
                    return Some((s[1..j].to_owned(), &s[j + 1..]));
                }
                if bytes.get(j + 1) == Some(&b'\'') {
                    out.push_str(&s[from..=j]);
                    i = j + 2;
                    from = i;
                } else {
                    out.push_str(&s[from..j]);
                    return Some((out, &s[j + 1..]));
                }
            }
        }
        let mut i = 1;
        let mut from = 1;
        loop {
            let j = i + find_either(&bytes[i..], b'"', b'\\')?;
            if from == 1 && bytes[j] == b'"' {
                // No escape: the text between the quotes, allocated once.
                return Some((s[1..j].to_owned(), &s[j + 1..]));
            }
            out.push_str(&s[from..j]);
            if bytes[j] == b'"' {
                return Some((out, &s[j + 1..]));
            }
            let (c, used) = match *bytes.get(j + 1)? {
                b'\\' => ('\\', 2),
                b'"' => ('"', 2),
                b'/' => ('/', 2),
                b'n' => ('\n', 2),
                b't' => ('\t', 2),
                b'r' => ('\r', 2),
                b'0' => ('\0', 2),
                b'a' => ('\u{7}', 2),
                b'b' => ('\u{8}', 2),
                b'e' => ('\u{1b}', 2),
                b'f' => ('\u{c}', 2),
                b'v' => ('\u{b}', 2),
                b'x' => (hex(s.get(j + 2..j + 4)?)?, 4),
                b'u' => (hex(s.get(j + 2..j + 6)?)?, 6),
                b'U' => (hex(s.get(j + 2..j + 10)?)?, 10),
                _ => return None,
            };
            out.push(c);
            i = j + used;
            from = i;
        }
    }

    fn hex(digits: &str) -> Option<char> {
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        char::from_u32(u32::from_str_radix(digits, 16).ok()?)
    }

    /// A plain scalar's value by serde-saphyr's rules (YAML 1.1 booleans,
    /// `legacy_octal_numbers`); `None` for the number spellings left to it.
    /// The bytes a number, `.inf` or `.nan` may be spelled with.
    const NUMERIC: &[u8] = b"0123456789abcdefABCDEFxXoO._+-iInNtTyY";

    pub(super) fn resolve(s: &str) -> Option<Value> {
        match s {
            "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
            _ => {}
        }
        if let Some(b) = yaml11_bool(s) {
            return Some(Value::Bool(b));
        }
        let first = s.as_bytes()[0];
        if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
            return Some(Value::String(s.to_owned()));
        }
        let (negative, unsigned) = match s.as_bytes()[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        // After the sign, a letter: no integer (radix prefixes start with 0)
        // nor finite float spells so (`-c`, `+infinity`); a string.
        if !unsigned
            .as_bytes()
            .first()
            .is_some_and(|b| b.is_ascii_digit() || *b == b'.')
        {
            return Some(Value::String(s.to_owned()));
        }
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        // Decimal integers without a leading zero: i64 or u64, then float64.
        if (unsigned == "0" || (digits(unsigned) && !unsigned.starts_with('0')))
            && unsigned.len() <= 18
        {
            let n: u64 = unsigned.parse().ok()?;
            return Some(Value::Float(if negative {
                -(n as i64) as f64
            } else {
                n as f64
            }));
        }
        // Decimals: `1.5`, `-0.25`.
        if let Some((int, frac)) = unsigned.split_once('.') {
            if (int == "0" || (digits(int) && !int.starts_with('0'))) && digits(frac) {
                return s
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(Value::Float);
            }
            // Versions such as 1.6.0: neither an integer nor a float.
            if digits(int) && frac.split('.').count() >= 2 && frac.split('.').all(digits) {
                return Some(Value::String(s.to_owned()));
            }
        }
        // A character no number, `.inf` or `.nan` spelling has: a string (`4Gi`, `500m`, `1:30`).
        if s.bytes().any(|b| !NUMERIC.contains(&b)) {
            return Some(Value::String(s.to_owned()));
        }
        None
    }

    fn yaml11_bool(s: &str) -> Option<bool> {
        if s.len() > 5 {
            return None;
        }
        let is = |w: &str| s.eq_ignore_ascii_case(w);
        if is("true") || is("yes") || is("y") || is("on") {
            Some(true)
        } else if is("false") || is("no") || is("n") || is("off") {
            Some(false)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(yaml: &str) -> Value {
        let m = parse_values(&format!("v: {yaml}\n"), "t.yaml").expect(yaml);
        m.get("v").cloned().unwrap_or(Value::Null)
    }

    #[test]
    fn yaml_11_booleans() {
        for t in [
            "true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON",
        ] {
            assert_eq!(one(t), Value::Bool(true), "{t}");
        }
        for f in [
            "false", "False", "FALSE", "no", "No", "NO", "n", "N", "off", "Off", "OFF",
        ] {
            assert_eq!(one(f), Value::Bool(false), "{f}");
        }
        assert_eq!(one("\"no\""), Value::from("no"));
    }

    #[test]
    fn yaml_11_numbers_are_floats() {
        let cases: &[(&str, f64)] = &[
            ("6379", 6379.0),
            ("+12", 12.0),
            ("1_000", 1000.0),
            ("0x1F", 31.0),
            ("0o17", 15.0),
            ("017", 15.0),
            ("0123", 83.0),
            ("08", 8.0),
            ("0b101", 5.0),
            ("1.5", 1.5),
            ("1e3", 1000.0),
        ];
        for (src, want) in cases {
            assert_eq!(one(src), Value::Float(*want), "{src}");
        }
    }

    #[test]
    fn nulls_and_strings() {
        assert_eq!(one("~"), Value::Null);
        assert_eq!(one("null"), Value::Null);
        assert_eq!(one(""), Value::Null);
        assert_eq!(one("2001-12-14"), Value::from("2001-12-14"));
        assert_eq!(one("1:30"), Value::from("1:30"));
        assert_eq!(one("'0123'"), Value::from("0123"));
    }

    #[test]
    fn non_finite_floats_are_errors() {
        assert!(parse_values("v: .inf\n", "t.yaml").is_err());
        assert!(parse_values("v: .nan\n", "t.yaml").is_err());
    }

    #[test]
    fn keys_become_strings() {
        let m = parse_values("on: a\n0x1F: b\n1e3: c\n1.5: d\n", "t.yaml").unwrap();
        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
        assert_eq!(keys, ["1.5", "1000", "31", "true"]);
        // Integer keys keep every digit; float keys are printed at single precision.
        let m = parse_values(
            "123456789012345678: a\n1.23456789012345: b\n16777217.0: c\n0.1: d\n1e21: e\n",
            "t.yaml",
        )
        .unwrap();
        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "0.1",
                "1.2345679",
                "1.6777216e+07",
                "123456789012345678",
                "1e+21"
            ]
        );
        assert!(parse_values("~: x\n", "t.yaml").is_err());
    }

    #[test]
    fn duplicate_keys_last_wins_and_merge_keys_apply() {
        let m = parse_values("a: 1\na: 2\n", "t.yaml").unwrap();
        assert_eq!(m["a"], Value::Float(2.0));
        let m = parse_values(
            "base: &b {k: x, j: why}\nm:\n  k: own\n  <<: *b\n",
            "t.yaml",
        )
        .unwrap();
        let inner = m["m"].as_map().unwrap();
        // `<<` overrides keys written before it (SPEC §2.1).
        assert_eq!(inner["k"], Value::from("x"));
        assert_eq!(inner["j"], Value::from("why"));
        let m = parse_values(
            "a: &a {k: 1}\nb: &b {k: 2}\nm: {<<: [*a, *b], k2: 3}\nafter: {<<: *a, k: 9}\n",
            "t.yaml",
        )
        .unwrap();
        assert_eq!(
            m["m"].as_map().unwrap()["k"],
            Value::Float(1.0),
            "earlier map of a list wins"
        );
        assert_eq!(
            m["after"].as_map().unwrap()["k"],
            Value::Float(9.0),
            "keys after << win"
        );
    }

    /// Which spellings of `<<` merge, as Helm 4.3.1 reads them (each checked
    /// against `helm template` with a chart that prints `toYaml .Values`).
    #[test]
    fn only_goyaml_merge_keys_merge() {
        let merges = |key: &str| {
            let text = format!("k: &k <<\nx:\n  {key}: {{a: 1}}\n  b: 2\n");
            let m = parse_values(&text, "t.yaml").unwrap_or_else(|e| panic!("{key}: {e}"));
            let x = m["x"].as_map().unwrap().clone();
            match (x.get("a"), x.get("<<")) {
                (Some(_), None) => true,
                (None, Some(inner)) => {
                    assert_eq!(inner.as_map().unwrap()["a"], Value::Float(1.0), "{key}");
                    false
                }
                _ => panic!("{key}: {x:?}"),
            }
        };
        for key in [
            "<<",
            "<< ",
            "&an <<",
            "! \"<<\"",
            "!!merge <<",
            "!!merge \"<<\"",
            "!<tag:yaml.org,2002:merge> '<<'",
        ] {
            assert!(merges(key), "{key} should merge");
        }
        for key in [
            "\"<<\"",
            "'<<'",
            "\"\\x3c<\"",
            "&q \"<<\"",
            "!!str <<",
            "*k ",
            "? \"<<\"\n  ",
        ] {
            assert!(!merges(key), "{key} should be an ordinary key");
        }
        let m = parse_values("x: {\"<<\": {a: 1}, b: 2}\n", "t.yaml").unwrap();
        assert!(m["x"].as_map().unwrap().contains_key("<<"));
    }

    #[test]
    fn documents_merge_in_order() {
        let m = parse_values("a: {p: 1, q: 1}\n---\na: {q: 2}\n", "t.yaml").unwrap();
        let a = m["a"].as_map().unwrap();
        assert_eq!(a["p"], Value::Float(1.0));
        assert_eq!(a["q"], Value::Float(2.0));
    }

    #[test]
    fn top_level_must_be_a_map() {
        let err = parse_values("- a\n- b\n", "t.yaml").unwrap_err();
        assert!(err.message.contains("t.yaml"), "{}", err.message);
        assert!(parse_values("", "t.yaml").unwrap().is_empty());
        assert!(parse_values("# only a comment\n", "t.yaml")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let err = parse_values("a: b\nc: [unclosed\n", "bad.yaml").unwrap_err();
        assert!(
            err.message
                .starts_with("failed to parse bad.yaml:2:4: unclosed bracket"),
            "{}",
            err.message
        );
        // The offending line is shown with a caret under the column.
        assert!(
            err.message.contains("2 | c: [unclosed\n  |    ^"),
            "{}",
            err.message
        );
    }

    /// serde-saphyr's reading of a one-document text (what the fast path must match).
    fn slow(text: &str) -> Result<Value, String> {
        let docs: Vec<Document> =
            serde_saphyr::from_multiple_with_options(text, options()).map_err(|e| e.to_string())?;
        match docs.len() {
            0 => Ok(Value::Null),
            1 => Ok(docs.into_iter().next().map(|d| d.0).unwrap_or(Value::Null)),
            n => Err(format!("{n} documents")),
        }
    }

    /// The fast path either gives up or gives exactly serde-saphyr's value;
    /// and the projected reading (under [`projections`]) either gives up or
    /// gives the full reading less the entries left out.
    fn agree(text: &str) -> bool {
        for projection in projections() {
            let _ = agree_projected(text, projection);
        }
        match fast::parse(text) {
            None => false,
            Some(v) => {
                assert_eq!(Ok(&v), slow(text).as_ref(), "fast path differs on:\n{text}");
                true
            }
        }
    }

    /// Shapes that read some of the keys the tests write, leave out the
    /// rest, and keep a key of the defaults the shape does not list.
    fn projections() -> [fast::Projection<'static>; 2] {
        use super::super::shape::Shape;
        static INNER: Shape = Shape(&[("a", None), ("b", Some(&Shape(&[("c", None)])))]);
        static ROOT: Shape = Shape(&[
            ("a", Some(&INNER)),
            ("k-1", None),
            ("key", Some(&INNER)),
            ("l", None),
        ]);
        static DEFAULTS: std::sync::OnceLock<Map> = std::sync::OnceLock::new();
        let defaults = DEFAULTS.get_or_init(|| {
            parse_values("k.2: 1\nkey:\n  x: {}\n", "defaults.yaml").expect("defaults")
        });
        [
            fast::Projection {
                shape: &ROOT,
                defaults: None,
            },
            fast::Projection {
                shape: &INNER,
                defaults: Some(defaults),
            },
        ]
    }

    /// `value` less what `projection` leaves out, and the entries left out.
    fn restrict(
        value: &Value,
        projection: Option<fast::Projection<'_>>,
        path: &mut Vec<String>,
        pruned: &mut Vec<LeftOut>,
    ) -> Value {
        let (Value::Map(m), Some(p)) = (value, projection) else {
            return value.clone();
        };
        let mut out = Map::new();
        for (k, v) in m.iter() {
            match p.step(k) {
                None => pruned.push((path.clone(), k.clone())),
                Some(child) => {
                    path.push(k.clone());
                    out.insert(k.clone(), restrict(v, child, path, pruned));
                    path.pop();
                }
            }
        }
        Value::Map(out)
    }

    /// Whether the projected reading took `text` and left something out.
    fn agree_projected(text: &str, projection: fast::Projection<'_>) -> bool {
        let Some((projected, pruned)) = fast::parse_projected(text, Some(projection)) else {
            return false;
        };
        let full = fast::parse(text).unwrap_or_else(|| {
            panic!("the projected reading took what the full one leaves to serde-saphyr:\n{text}")
        });
        let mut expected = Vec::new();
        let want = restrict(&full, Some(projection), &mut Vec::new(), &mut expected);
        assert_eq!(projected, want, "projected reading differs on:\n{text}");
        // Every entry left out is recorded. A key written twice may leave
        // the record of a value the last one replaced: harmless, as a
        // record only ever sends a render back to the whole file.
        let missing: Vec<_> = expected.iter().filter(|p| !pruned.contains(p)).collect();
        assert!(
            missing.is_empty(),
            "maps that lost entries unrecorded: {missing:?}, in:\n{text}"
        );
        !pruned.is_empty()
    }

    #[test]
    fn fast_path_matches_serde_saphyr_on_the_subset() {
        let taken = [
            "",
            "# only\n\n# comments\n",
            "---\na: 1\n",
            "a: 1\nb: -2\nc: +3\nd: 0\ne: -0\nf: 1.5\ng: -0.25\nh: 123456789012345678\n",
            "a: yes\nb: No\nc: OFF\nd: y\ne: N\nf: true\ng: ~\nh: null\ni:\nj: NULL\n",
            "a: 4Gi\nb: 500m\nc: 1:30\nd: 1.6.0\ne: .env\nf: -foo-bar-zz\ng: v1.2\nh: 10.0.0.1/8\n",
            "a: 'it''s'\nb: \"q\\\"\\\\\\n\\t\\x41\\u00e9\\U0001F600\"\nc: ''\nd: \"\"\ne: 'yes'\n",
            "a: b # comment\nc: d#e\nf: \"x\" # c\ng: 'y'   # c\n",
            "url: http://x:8080/a\nkey with spaces: v\n\"quoted key\": 1\n'single': 2\non: 3\n12: 5\n-7: 6\n+8: 7\n123456789012345678: 8\n",
            "l:\n- a\n- b\nm:\n  - c\n  -\n  - - skip\n",
            "l:\n  - name: a\n    value: 1\n  - name: b\n    sub:\n      - x\n      - y\n  -   spaced: 1\n      more: 2\n",
            "f: {}\ng: []\nh: {key: \"dify/api\", property: secret_key}\ni: [a, 'b', \"c\", 1, yes, ~]\nj: {a: [1, {b: c}], d: {}}\n",
            "lit: |\n  line 1\n    indented\n\n  line 3\nnext: x\n",
            "strip: |-\n  a\n  b\n\n\nkeep: |+\n  a\n\n\nclip: |\n  a\n\n\n",
            "fold: >\n  a\n  b\n\n  c\n    more\n  d\ne: >-\n  x\n  y\n",
            "- top\n- level\n",
            "a:\n  b:\n    c:\n      d: deep\n  e: 1\n",
            "k: \"ünïcödé ✓\"\nü: ✓\n",
            "x: |\n  # not a comment\n  y\n# a comment\nz: 1\n",
            "trailing: value   \nend: 1",
            "a: |\nb: 1\n",
            "a: >-\n",
            "a: |+\nb: |-\n",
            "\"<<\": {a: 1}\nb:\n  '<<': x\n",
        ];
        for text in taken {
            let _ = agree(text);
        }
        for text in taken.iter().filter(|t| !t.contains("- - skip")) {
            assert!(
                fast::parse(text).is_some(),
                "fast path should take:\n{text}"
            );
        }
        let left_to_serde_saphyr = [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "<<: {a: 1}\n",
            "a: {<<: {b: 1}}\n",
            "a: {\"<<\": {b: 1}}\n",
            "on: 1\n\"on\": 2\n",
            "1.5: a\n",
            "3.14159265358979: b\n",
            "a: 0123\n",
            "a: 1e3\n",
            "a: 0x1F\n",
            "a: .inf\n",
            "a: 1_000\n",
            "a: 2001-12-14\n",
            "a: multi\n  line\n",
            "a: \"multi\n  line\"\n",
            "a: 1\n---\nb: 2\n",
            "a:\tb\n",
            "a: b\r\n",
            "\u{feff}a: 1\n",
            "a: b\u{2028}c\n",
            "a: \u{85}\n",
            "a: b\u{7f}\n",
            "a: é\u{1}\n",
            "? complex\n: key\n",
            "a: [1,\n  2]\n",
            "a: b: c\n",
            "  a: 1\n b: 2\n",
            "a: |2\n   x\n",
            "a: |\n\n  x\n",
            "~: x\n",
            "a: {b}\n",
            "a: [b, ]\n",
        ];
        for text in left_to_serde_saphyr {
            assert!(
                fast::parse(text).is_none(),
                "fast path should leave to serde-saphyr:\n{text}"
            );
        }
    }

    #[test]
    fn fast_path_reads_the_chart_fixtures_and_examples_as_serde_saphyr_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    out.push(path);
                }
            }
        }
        for dir in [
            "charts",
            "examples",
            "tests/fixtures",
            "../shared/conformance",
        ] {
            walk(&root.join(dir), &mut files);
        }
        assert!(files.len() > 20, "{files:?}");
        let mut fast_files = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            // A stream: each document on its own as well.
            if agree(&text) {
                fast_files.push(
                    file.strip_prefix(root)
                        .unwrap_or(file)
                        .display()
                        .to_string(),
                );
            }
            for doc in text.split("\n---\n") {
                let _ = agree(doc);
            }
        }
        for must in [
            "charts/dify/values.yaml",
            "tests/fixtures/production-values.yaml",
            "examples/scenario-1-full-eso.yaml",
        ] {
            assert!(
                fast_files.iter().any(|f| f == must),
                "{must} should take the fast path"
            );
        }
    }

    /// Lines left out count against the node budget at least as much as
    /// read ones: the projected reading never takes a text the full one
    /// leaves to serde-saphyr for its size, and takes those it takes.
    #[test]
    fn the_projected_reading_keeps_to_the_node_budget() {
        for (keys, taken) in [(100_000, true), (125_000, false)] {
            let mut text = String::from("extra:\n");
            for i in 0..keys {
                text.push_str(&format!("  k{i}: v\n"));
            }
            assert_eq!(fast::parse(&text).is_some(), taken, "{keys} keys");
            let projected = fast::parse_projected(&text, Some(projections()[0]));
            assert_eq!(projected.is_some(), taken, "{keys} keys, projected");
        }
    }

    /// Random documents in many styles: the fast path gives up or agrees.
    #[test]
    fn fast_path_agrees_on_random_documents() {
        let mut seed: u64 = std::env::var("DIFYX_YAML_SEED")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0x9e37_79b9_7f4a_7c15);
        let mut next = move |n: usize| -> usize {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        const TOKENS: &[&str] = &[
            "a",
            "yes",
            "No",
            "on",
            "y",
            "n",
            "~",
            "null",
            "",
            "0",
            "-0",
            "+5",
            "007",
            "08",
            "0x1F",
            "0o17",
            "1e3",
            "1.5",
            "-2.25",
            ".5",
            "1.",
            "1.6.0",
            "4Gi",
            "500m",
            "1:30",
            "2001-12-14",
            "a b",
            "x #y",
            "x#y",
            "-x",
            "http://a:b/c",
            "it's",
            "say \"hi\"",
            "back\\slash",
            "é ✓",
            ".inf",
            "-.nan",
            "1_0",
            "true",
            "False",
            "123456789012345678901",
            "- a",
            "a: b",
            "[x]",
            "{y}",
            "{}",
            "[]",
            "{ }",
            "[]  ",
            "{} x",
            "&a",
            "*b",
            "!t",
            "%p",
            "@x",
            "`x",
            "? q",
            ": q",
            "x:",
            "key",
            "k-1",
            "k.2",
            "k/3",
            "#",
            "a,b",
            "  lead",
            "trail  ",
        ];
        fn scalar(next: &mut impl FnMut(usize) -> usize, indent: usize, out: &mut String) {
            let t = TOKENS[next(TOKENS.len())];
            match next(6) {
                0 | 1 => out.push_str(t),
                2 => out.push_str(&format!("'{}'", t.replace('\'', "''"))),
                3 => out.push_str(&serde_json::to_string(t).unwrap()),
                4 => {
                    let head = ["|", "|-", "|+", ">", ">-", ">+"][next(6)];
                    out.push_str(head);
                    out.push('\n');
                    let pad = " ".repeat(indent + 1 + next(3));
                    for _ in 0..1 + next(4) {
                        match next(5) {
                            0 => out.push('\n'),
                            1 => out.push_str(&format!("{pad}  {}\n", TOKENS[next(TOKENS.len())])),
                            _ => out.push_str(&format!("{pad}{}\n", TOKENS[next(TOKENS.len())])),
                        }
                    }
                    // The caller adds a newline after every value.
                    out.pop();
                }
                _ => out.push_str(&format!("[{}, {{k: {}}}]", t, TOKENS[next(TOKENS.len())])),
            }
        }
        fn node(
            next: &mut impl FnMut(usize) -> usize,
            indent: usize,
            depth: usize,
            out: &mut String,
        ) {
            let pad = " ".repeat(indent);
            let step = 1 + next(4);
            let as_list = next(3) == 0;
            for _ in 0..1 + next(4) {
                if next(8) == 0 {
                    out.push_str(&format!("{pad}# comment: {}\n", TOKENS[next(TOKENS.len())]));
                }
                if next(10) == 0 {
                    out.push('\n');
                }
                if as_list {
                    out.push_str(&pad);
                    out.push('-');
                } else {
                    out.push_str(&pad);
                    let key = TOKENS[next(TOKENS.len())];
                    match next(3) {
                        0 => out.push_str(&serde_json::to_string(key).unwrap()),
                        _ => out.push_str(if key.is_empty() { "k" } else { key }),
                    }
                    out.push(':');
                }
                if depth < 4 && next(3) == 0 {
                    // `-` alone on its line, or with a blank after it.
                    if as_list && next(2) == 0 {
                        out.push(' ');
                    }
                    out.push('\n');
                    let child = if !as_list && next(4) == 0 {
                        indent
                    } else {
                        indent + step
                    };
                    node(next, child, depth + 1, out);
                } else {
                    out.push(' ');
                    scalar(next, indent, out);
                    if next(6) == 0 {
                        out.push_str(" # trailing");
                    }
                    out.push('\n');
                }
            }
        }
        let mut taken = 0;
        let mut left_out = 0;
        let rounds: usize = std::env::var("DIFYX_YAML_ROUNDS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(4000);
        for _ in 0..rounds {
            let mut text = String::new();
            node(&mut next, 0, 0, &mut text);
            if next(10) == 0 {
                text.pop();
            }
            if projections().into_iter().any(|p| agree_projected(&text, p)) {
                left_out += 1;
            }
            if agree(&text) {
                taken += 1;
            } else if let Ok(v) = slow(&text) {
                // Given up on: fine, as long as it is rare for valid input.
                let _ = v;
            }
        }
        eprintln!(
            "the fast path took {taken} of {rounds} random documents; \
             the projected reading left entries out of {left_out}"
        );
        assert!(
            left_out * 20 > rounds,
            "the projected reading left entries out of only {left_out} of {rounds} documents"
        );
        assert!(
            taken * 8 > rounds,
            "the fast path took only {taken} of {rounds} documents"
        );
    }
}
