//! The `--set` family of `helm template` flags: a port of Helm's `pkg/strvals`
//! (`parser.go` and `literal_parser.go`, Helm 4.3.1) and of the part of
//! `pkg/cli/values` that calls it.
//!
//! | flag            | Helm function       | values                                   |
//! |-----------------|---------------------|------------------------------------------|
//! | `--set-json`    | `ParseJSON`         | JSON (numbers are float64); `{..}` form  |
//! | `--set`         | `ParseInto`         | typed: bool, null, int64, else string    |
//! | `--set-string`  | `ParseIntoString`   | always strings                           |
//! | `--set-file`    | `ParseIntoFile`     | a file's content, as a string            |
//! | `--set-literal` | `ParseLiteralInto`  | the rest of the argument, verbatim       |
//!
//! The grammar is Helm's hand-written scanner, quirks included: `,`
//! separates assignments, `.` nests maps, `name[i]` indexes lists (at most
//! 65536, gaps padded with null), `{a,b}` is a list value, and `\` escapes
//! the next character. Some malformed inputs are silently accepted, exactly
//! as Helm accepts them (`a.`, `a[1`, `=1`, `a[0]` sets `a: []`,
//! `a[0].b=` sets `a: []`). Error messages are Helm's, word for word,
//! including the Go panic text Helm turns into an error when a path goes
//! through a value of the wrong type.

use std::io;

use super::{Map, Value};

/// Which `--set*` flag a piece of text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetKind {
    Json,
    Set,
    String,
    File,
    Literal,
}

/// An error from parsing one `--set*` argument: Helm's message, without the
/// leading `Error: `.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StrvalsError(pub String);

/// Helm's `strvals.MaxIndex`.
const MAX_INDEX: i64 = 65536;
/// Helm's `strvals.MaxNestedNameLevel`.
const MAX_NESTED_NAME_LEVEL: usize = 30;
/// encoding/json's `maxNestingDepth`.
const MAX_JSON_DEPTH: usize = 10000;

/// Parses one `--set*` argument (e.g. `a.b=1,c=2`) into `dest`, mutating it
/// in place the way Helm's `strvals.ParseInto` / `ParseIntoString` /
/// `ParseJSON` / `ParseIntoFile` / `ParseLiteralInto` do, with the error
/// prefix `helm template` adds for that flag.
///
/// `SetKind::Json` also takes Helm's whole-object form (`{"k":1}`), which is
/// deep-merged into `dest`. `SetKind::File` reads files from disk (`-` is
/// standard input); see [`parse_file_into`].
pub fn parse_into(s: &str, dest: &mut Map, kind: SetKind) -> Result<(), StrvalsError> {
    match kind {
        SetKind::Json => parse_json_into(s, dest),
        SetKind::Set => Parser::new(s, Mode::Typed)
            .parse(dest)
            .map_err(|e| StrvalsError(format!("failed parsing --set data: {}", e.msg))),
        SetKind::String => Parser::new(s, Mode::String)
            .parse(dest)
            .map_err(|e| StrvalsError(format!("failed parsing --set-string data: {}", e.msg))),
        SetKind::File => parse_file_into(s, dest, &read_file_from_disk),
        SetKind::Literal => Parser::new(s, Mode::Literal)
            .parse(dest)
            .map_err(|e| StrvalsError(format!("failed parsing --set-literal data: {}", e.msg))),
    }
}

/// `--set-file`: like `--set`, but each value is a path whose content
/// becomes the (string) value. `read` reads one file; its errors are
/// reported the way Go's `os.ReadFile` words them (`open PATH: no such file
/// or directory`). As in Helm, the path is first checked the way Go's
/// `url.Parse` checks it (`-`, standard input, is exempt), and a value list
/// `k={p1,p2}` reads every file.
pub fn parse_file_into(
    s: &str,
    dest: &mut Map,
    read: &dyn Fn(&str) -> io::Result<String>,
) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::File(read))
        .parse(dest)
        .map_err(|e| StrvalsError(format!("failed parsing --set-file data: {}", e.msg)))
}

/// Helm's `readFile` for `--set-file`: `-` is standard input, anything else
/// a local file. (Helm would also fetch `http(s)://` and `oci://` URLs; this
/// reads them as paths.) Content that is not UTF-8 is decoded lossily.
fn read_file_from_disk(path: &str) -> io::Result<String> {
    let bytes = if path.trim() == "-" {
        let mut buf = Vec::new();
        io::Read::read_to_end(&mut io::stdin(), &mut buf)?;
        buf
    } else {
        std::fs::read(path)?
    };
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// `--set-json`, as `pkg/cli/values` runs it: an argument that starts with
/// `{` (after trimming) is one JSON object, deep-merged into `dest`;
/// anything else goes through `strvals.ParseJSON`. Helm's messages here do
/// not include the underlying error, only the argument.
fn parse_json_into(s: &str, dest: &mut Map) -> Result<(), StrvalsError> {
    let trimmed = s.trim();
    if trimmed.starts_with('{') {
        match json_unmarshal(trimmed) {
            Ok(Value::Map(m)) => {
                merge_maps(dest, m);
                Ok(())
            }
            _ => Err(StrvalsError(format!(
                "failed parsing --set-json data JSON: {s}"
            ))),
        }
    } else {
        Parser::new(s, Mode::Json)
            .parse(dest)
            .map_err(|_| StrvalsError(format!("failed parsing --set-json data {s}")))
    }
}

/// Helm's `loader.MergeMaps(dest, src)`: maps merge recursively, anything
/// else in `src` replaces what `dest` has.
fn merge_maps(dest: &mut Map, src: Map) {
    *dest = crate::values::merge::merge_maps(std::mem::take(dest), src);
}

// ---------------------------------------------------------------------------
// The parser
// ---------------------------------------------------------------------------

/// How values are read; one per Helm parser constructor.
#[derive(Clone, Copy)]
enum Mode<'r> {
    /// `newParser(.., false)`: `typedVal`.
    Typed,
    /// `newParser(.., true)`: every value a string.
    String,
    /// `newJSONParser`.
    Json,
    /// `newFileParser` with Helm's file reader.
    File(&'r dyn Fn(&str) -> io::Result<String>),
    /// `newLiteralParser` (a separate parser in Helm: no escapes, no `,`).
    Literal,
}

/// An error inside the parser. `eof` marks Go's `io.EOF` (possibly wrapped
/// with `%w`), which ends parsing successfully.
#[derive(Debug)]
struct ParseError {
    msg: String,
    eof: bool,
    /// A Go panic recovered by `key`'s deferred `recover`.
    panic: bool,
}

impl ParseError {
    fn eof() -> Self {
        ParseError {
            msg: "EOF".into(),
            eof: true,
            panic: false,
        }
    }

    fn msg(msg: impl Into<String>) -> Self {
        ParseError {
            msg: msg.into(),
            eof: false,
            panic: false,
        }
    }

    /// `fmt.Errorf(prefix + "%w", err)`.
    fn wrap(self, prefix: &str) -> Self {
        ParseError {
            msg: format!("{prefix}{}", self.msg),
            ..self
        }
    }

    /// The failed type assertion `v.(want)`, as `key`'s recover reports it.
    fn conversion(found: &Value, want: &str) -> Self {
        ParseError {
            msg: format!(
                "unable to parse key: interface conversion: interface {{}} is {}, not {want}",
                go_type_name(found)
            ),
            eof: false,
            panic: true,
        }
    }
}

const GO_LIST: &str = "[]interface {}";
const GO_MAP: &str = "map[string]interface {}";

/// The dynamic Go type of a value, as a panic message names it.
fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int64",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::List(_) => GO_LIST,
        Value::Map(_) => GO_MAP,
    }
}

/// The outcome of `valList` that is not a list.
enum ValListError {
    Eof,
    NotList,
    Other(ParseError),
}

struct Parser<'s, 'r> {
    src: &'s str,
    pos: usize,
    /// Width of the last rune read, for `UnreadRune`.
    last_width: usize,
    mode: Mode<'r>,
}

impl<'s, 'r> Parser<'s, 'r> {
    fn new(src: &'s str, mode: Mode<'r>) -> Self {
        Parser {
            src,
            pos: 0,
            last_width: 0,
            mode,
        }
    }

    fn literal(&self) -> bool {
        matches!(self.mode, Mode::Literal)
    }

    fn parse(&mut self, data: &mut Map) -> Result<(), ParseError> {
        loop {
            match self.key(data, 0) {
                Ok(()) => continue,
                Err(e) if e.eof => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    fn read_rune(&mut self) -> Option<char> {
        let c = self.src[self.pos..].chars().next()?;
        self.last_width = c.len_utf8();
        self.pos += self.last_width;
        Some(c)
    }

    fn unread_rune(&mut self) {
        self.pos -= self.last_width;
        self.last_width = 0;
    }

    /// Helm's `runesUntil` (or `runesUntilLiteral`, without escapes): the
    /// text up to the first stop rune, and that rune (`None` at the end).
    fn runes_until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let escapes = !self.literal();
        let mut v = String::new();
        loop {
            match self.read_rune() {
                None => return (v, None),
                Some(r) if stop.contains(&r) => return (v, Some(r)),
                Some('\\') if escapes => match self.read_rune() {
                    None => return (v, None),
                    Some(next) => v.push(next),
                },
                Some(r) => v.push(r),
            }
        }
    }

    fn key(&mut self, data: &mut Map, mut level: usize) -> Result<(), ParseError> {
        let stop: &[char] = if self.literal() {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.runes_until(stop);
        match last {
            None => {
                if k.is_empty() {
                    Err(ParseError::eof())
                } else {
                    Err(ParseError::msg(format!(
                        "key {} has no value",
                        go_quote(&k)
                    )))
                }
            }
            Some('[') => {
                let i = self
                    .key_index()
                    .map_err(|e| e.wrap("error parsing index: "))?;
                // Find or create the target list. Go works on the slice in
                // place and stores it back; with the empty key the store is
                // skipped, so only in-place changes (never growth) stick.
                let existed = data.contains_key(&k);
                let mut list = match data.get_mut(&k) {
                    None => Vec::new(),
                    Some(Value::List(l)) => std::mem::take(l),
                    Some(other) => return Err(ParseError::conversion(other, GO_LIST)),
                };
                let orig_len = list.len();
                let res = self.list_item(&mut list, i, level);
                let skip_store = matches!(&res, Err(e) if e.panic) && !existed;
                if !k.is_empty() && !skip_store {
                    data.insert(k, Value::List(list));
                } else if let Some(Value::List(l)) = data.get_mut(&k) {
                    list.truncate(orig_len);
                    *l = list;
                }
                res
            }
            Some('=') => self.assign(data, k),
            Some(',') => {
                set(data, &k, Value::String(String::new()));
                Err(ParseError::msg(format!(
                    "key {} has no value (cannot end with ,)",
                    go_quote(&k)
                )))
            }
            Some(_) => {
                // '.': a nested map.
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(ParseError::msg(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                match data.get_mut(&k) {
                    Some(Value::Map(inner)) => {
                        let res = self.key(inner, level);
                        if res.is_ok() && inner.is_empty() {
                            return Err(ParseError::msg(format!(
                                "key map {} has no value",
                                go_quote(&k)
                            )));
                        }
                        res
                    }
                    Some(other) => Err(ParseError::conversion(other, GO_MAP)),
                    None => {
                        let mut inner = Map::new();
                        let res = self.key(&mut inner, level);
                        if res.is_ok() && inner.is_empty() {
                            return Err(ParseError::msg(format!(
                                "key map {} has no value",
                                go_quote(&k)
                            )));
                        }
                        if !inner.is_empty() {
                            set(data, &k, Value::Map(inner));
                        }
                        res
                    }
                }
            }
        }
    }

    /// The `last == '='` branch of `key`: the value of `data[k]`.
    fn assign(&mut self, data: &mut Map, k: String) -> Result<(), ParseError> {
        match self.mode {
            Mode::Json => {
                if self.empty_val() {
                    set(data, &k, Value::Null);
                    return Ok(());
                }
                let v = self.json_value()?;
                set(data, &k, v);
                self.empty_val();
                Ok(())
            }
            Mode::Literal => {
                let v = self.rest();
                set(data, &k, Value::String(v));
                Ok(())
            }
            _ => match self.val_list() {
                Ok(vl) => {
                    set(data, &k, Value::List(vl));
                    Ok(())
                }
                Err(ValListError::Eof) => {
                    set(data, &k, Value::String(String::new()));
                    Err(ParseError::eof())
                }
                Err(ValListError::NotList) => {
                    let rs = self.val();
                    match self.reader(&rs) {
                        Ok(v) => {
                            set(data, &k, v);
                            Ok(())
                        }
                        Err(e) => {
                            set(data, &k, Value::Null);
                            Err(e)
                        }
                    }
                }
                Err(ValListError::Other(e)) => Err(e),
            },
        }
    }

    /// Helm's `keyIndex`: the text up to `]`, through `strconv.Atoi`.
    fn key_index(&mut self) -> Result<i64, ParseError> {
        let (v, last) = self.runes_until(&[']']);
        if last.is_none() {
            return Err(ParseError::eof());
        }
        go_atoi(&v).map_err(ParseError::msg)
    }

    /// Helm's `listItem`: what follows `[i]`, applied to `list` in place.
    /// Go grows a list only in the final `setIndex`, after which nothing can
    /// fail, so an error leaves only in-place changes behind, as in Go.
    fn list_item(&mut self, list: &mut Vec<Value>, i: i64, level: usize) -> Result<(), ParseError> {
        if i < 0 {
            return Err(ParseError::msg(format!("negative {i} index not allowed")));
        }
        let (k, last) = self.runes_until(&['[', '.', '=']);
        if !k.is_empty() {
            return Err(ParseError::msg(format!(
                "unexpected data at end of array index: {}",
                go_quote_runes(&k)
            )));
        }
        // `i` is non-negative here; beyond usize it is beyond any list.
        let idx = usize::try_from(i).unwrap_or(usize::MAX);
        match last {
            None => Err(ParseError::eof()),
            Some('=') => match self.mode {
                Mode::Json => {
                    if self.empty_val() {
                        return set_index(list, i, Value::Null);
                    }
                    let v = self.json_value()?;
                    set_index(list, i, v)?;
                    self.empty_val();
                    Ok(())
                }
                Mode::Literal => {
                    let v = self.rest();
                    set_index(list, i, Value::String(v))
                }
                _ => match self.val_list() {
                    Ok(vl) => set_index(list, i, Value::List(vl)),
                    Err(ValListError::Eof) => set_index(list, i, Value::String(String::new())),
                    Err(ValListError::NotList) => {
                        let rs = self.val();
                        let v = self.reader(&rs)?;
                        set_index(list, i, v)
                    }
                    Err(ValListError::Other(e)) => Err(e),
                },
            },
            Some('[') => {
                // A nested list.
                let next_i = self
                    .key_index()
                    .map_err(|e| e.wrap("error parsing index: "))?;
                match list.get_mut(idx) {
                    Some(Value::Null) | None => {
                        let mut crt = Vec::new();
                        self.list_item(&mut crt, next_i, level)?;
                        set_index(list, i, Value::List(crt))
                    }
                    Some(Value::List(crt)) => self.list_item(crt, next_i, level),
                    Some(other) => Err(ParseError::conversion(other, GO_LIST)),
                }
            }
            Some(_) => {
                // '.': a map inside the list. A non-map already at `i` is
                // replaced by an empty map first ("indices out of order").
                if let Some(slot) = list.get_mut(idx) {
                    if !matches!(slot, Value::Map(_)) {
                        *slot = Value::Map(Map::new());
                    }
                    let Value::Map(inner) = slot else {
                        unreachable!("just made a map")
                    };
                    self.key(inner, level)
                } else {
                    let mut inner = Map::new();
                    self.key(&mut inner, level)?;
                    set_index(list, i, Value::Map(inner))
                }
            }
        }
    }

    /// Helm's `emptyVal`: skips white space; true at a `,` (consumed) or at
    /// the end; false (nothing consumed) at anything else.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read_rune() {
                None | Some(',') => return true,
                Some(r) if r.is_whitespace() => continue,
                Some(_) => {
                    self.unread_rune();
                    return false;
                }
            }
        }
    }

    /// Helm's `val`: the text up to the next unescaped `,`.
    fn val(&mut self) -> String {
        self.runes_until(&[',']).0
    }

    /// The literal parser's `val`: everything left.
    fn rest(&mut self) -> String {
        let v = self.src[self.pos..].to_owned();
        self.pos = self.src.len();
        v
    }

    /// Helm's `valList`: a `{a,b}` list, if the value starts with `{`.
    fn val_list(&mut self) -> Result<Vec<Value>, ValListError> {
        match self.read_rune() {
            None => return Err(ValListError::Eof),
            Some('{') => {}
            Some(_) => {
                self.unread_rune();
                return Err(ValListError::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.runes_until(&[',', '}']);
            match last {
                None => {
                    return Err(ValListError::Other(ParseError::msg(
                        "list must terminate with '}'",
                    )))
                }
                Some('}') => {
                    // If this is followed by ',', consume it.
                    if let Some(r) = self.read_rune() {
                        if r != ',' {
                            self.unread_rune();
                        }
                    }
                    let v = self.reader(&rs).map_err(ValListError::Other)?;
                    list.push(v);
                    return Ok(list);
                }
                Some(_) => {
                    let v = self.reader(&rs).map_err(ValListError::Other)?;
                    list.push(v);
                }
            }
        }
    }

    /// The parser's `reader`: turns a value's text into a value.
    fn reader(&self, rs: &str) -> Result<Value, ParseError> {
        match self.mode {
            Mode::Typed => Ok(typed_val(rs)),
            Mode::File(read) => read_set_file(rs, read)
                .map(Value::String)
                .map_err(ParseError::msg),
            // The JSON and literal parsers never call it.
            Mode::String | Mode::Json | Mode::Literal => Ok(Value::String(rs.to_owned())),
        }
    }

    /// One JSON value, decoded the way a `json.Decoder` reads the rest of
    /// the argument; the text after it is left for the parser.
    fn json_value(&mut self) -> Result<Value, ParseError> {
        let (v, used) = json_decode_prefix(&self.src[self.pos..]).map_err(ParseError::msg)?;
        self.pos += used;
        Ok(v)
    }
}

/// Helm's `set`: an empty key is ignored.
fn set(data: &mut Map, key: &str, val: Value) {
    if !key.is_empty() {
        data.insert(key.to_owned(), val);
    }
}

/// Helm's `setIndex`: pads with null up to `index`.
fn set_index(list: &mut Vec<Value>, index: i64, val: Value) -> Result<(), ParseError> {
    if index < 0 {
        return Err(ParseError::msg(format!(
            "negative {index} index not allowed"
        )));
    }
    if index > MAX_INDEX {
        return Err(ParseError::msg(format!(
            "index of {index} is greater than maximum supported index of {MAX_INDEX}"
        )));
    }
    let index = index as usize; // 0..=MAX_INDEX
    if list.len() <= index {
        list.resize(index + 1, Value::Null);
    }
    list[index] = val;
    Ok(())
}

/// Helm's `typedVal` for `--set`: `true`/`false`/`null` in any case (Go's
/// `strings.EqualFold`), `0`, a base-10 int64 that does not start with `0`;
/// anything else is a string.
fn typed_val(val: &str) -> Value {
    if go_equal_fold(val, "true") {
        return Value::Bool(true);
    }
    if go_equal_fold(val, "false") {
        return Value::Bool(false);
    }
    if go_equal_fold(val, "null") {
        return Value::Null;
    }
    if val == "0" {
        return Value::Int(0);
    }
    if !val.is_empty() && !val.starts_with('0') {
        if let Ok(i) = go_parse_int(val) {
            return Value::Int(i);
        }
    }
    Value::String(val.to_owned())
}

/// Go's `strings.EqualFold(s, target)` for a lower-case ASCII `target`:
/// Unicode simple folding also maps `ſ` (U+017F) to `s` and the Kelvin sign
/// (U+212A) to `k`.
fn go_equal_fold(s: &str, target: &str) -> bool {
    let mut chars = s.chars();
    for t in target.chars() {
        let Some(c) = chars.next() else { return false };
        let same = c.to_ascii_lowercase() == t
            || (t == 's' && c == '\u{17F}')
            || (t == 'k' && c == '\u{212A}');
        if !same {
            return false;
        }
    }
    chars.next().is_none()
}

// ---------------------------------------------------------------------------
// strconv
// ---------------------------------------------------------------------------

#[derive(Debug, PartialEq)]
enum NumError {
    Syntax,
    Range,
}

/// Go's `strconv.ParseUint(s, 10, 64)`.
fn go_parse_uint(s: &str) -> Result<u64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    const CUTOFF: u64 = u64::MAX / 10 + 1;
    let mut n: u64 = 0;
    for c in s.bytes() {
        if !c.is_ascii_digit() {
            return Err(NumError::Syntax);
        }
        if n >= CUTOFF {
            return Err(NumError::Range);
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(c - b'0')))
            .ok_or(NumError::Range)?;
    }
    Ok(n)
}

/// Go's `strconv.ParseInt(s, 10, 64)`.
fn go_parse_int(s: &str) -> Result<i64, NumError> {
    let (neg, digits) = match s.as_bytes().first() {
        None => return Err(NumError::Syntax),
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        Some(_) => (false, s),
    };
    let un = match go_parse_uint(digits) {
        Ok(un) => un,
        Err(NumError::Syntax) => return Err(NumError::Syntax),
        Err(NumError::Range) => u64::MAX,
    };
    const CUTOFF: u64 = 1 << 63;
    if !neg && un >= CUTOFF {
        return Err(NumError::Range);
    }
    if neg && un > CUTOFF {
        return Err(NumError::Range);
    }
    Ok(if neg {
        (un as i64).wrapping_neg()
    } else {
        un as i64
    })
}

/// Go's `strconv.Atoi` on a 64-bit platform, with its error message.
fn go_atoi(s: &str) -> Result<i64, String> {
    go_parse_int(s).map_err(|e| {
        let what = match e {
            NumError::Syntax => "invalid syntax",
            NumError::Range => "value out of range",
        };
        format!("strconv.Atoi: parsing {}: {what}", go_quote(s))
    })
}

// ---------------------------------------------------------------------------
// Go's %q
// ---------------------------------------------------------------------------

/// An approximation of Go's `unicode.IsPrint`: letters, marks, numbers,
/// punctuation, symbols and U+0020; not other spaces, controls, format
/// characters, surrogates or private-use characters.
fn go_is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c,
        '\u{AD}'
        | '\u{600}'..='\u{605}'
        | '\u{61C}'
        | '\u{6DD}'
        | '\u{70F}'
        | '\u{890}'..='\u{891}'
        | '\u{8E2}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{E000}'..='\u{F8FF}'
        | '\u{FEFF}'
        | '\u{FFF0}'..='\u{FFFB}'
        | '\u{FFFE}'..='\u{FFFF}'
        | '\u{110BD}'
        | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}'
        | '\u{F0000}'..='\u{10FFFF}')
}

/// strconv's `appendEscapedRune`.
fn push_escaped_rune(out: &mut String, c: char, quote: char) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if go_is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{C}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{B}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\u{7F}' => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `strconv.Quote` (the `%q` of a string).
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped_rune(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go's `%q` of a `[]rune`: `['a' 'b']`.
fn go_quote_runes(s: &str) -> String {
    let mut out = String::from("[");
    for (n, c) in s.chars().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        out.push('\'');
        push_escaped_rune(&mut out, c, '\'');
        out.push('\'');
    }
    out.push(']');
    out
}

// ---------------------------------------------------------------------------
// --set-file
// ---------------------------------------------------------------------------

/// Helm's `--set-file` reader: the path as Go's `url.Parse` accepts it
/// (unless it is `-`), then the file's content.
fn read_set_file(path: &str, read: &dyn Fn(&str) -> io::Result<String>) -> Result<String, String> {
    if path.trim() != "-" {
        go_url_check(path)?;
    }
    read(path).map_err(|e| go_path_error(path, &e))
}

/// An `io::Error` the way Go's `os.ReadFile` words it: `open PATH: no such
/// file or directory`, `read PATH: is a directory`.
fn go_path_error(path: &str, e: &io::Error) -> String {
    let op = if e.kind() == io::ErrorKind::IsADirectory {
        "read"
    } else {
        "open"
    };
    let text = if e.raw_os_error().is_some() {
        // Rust: "No such file or directory (os error 2)"; Go: the same
        // strerror text, lower-cased first letter, no code.
        let full = e.to_string();
        let base = match full.rfind(" (os error ") {
            Some(at) => &full[..at],
            None => &full[..],
        };
        let mut chars = base.chars();
        match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => String::new(),
        }
    } else {
        e.to_string()
    };
    format!("{op} {path}: {text}")
}

/// The checks Go's `url.Parse` makes that can reject a local path, with its
/// messages (`parse "PATH": invalid URL escape "%zz"`). The authority of a
/// `//host/...` path is only checked for bad escapes.
fn go_url_check(raw: &str) -> Result<(), String> {
    let (u, frag) = match raw.find('#') {
        Some(at) => (&raw[..at], Some(&raw[at + 1..])),
        None => (raw, None),
    };
    let fail = |url: &str, msg: String| Err(format!("parse {}: {msg}", go_quote(url)));
    if u.bytes().any(|b| b < b' ' || b == 0x7f) {
        return fail(u, "net/url: invalid control character in URL".into());
    }
    if u != "*" {
        // getScheme
        let mut scheme = "";
        let mut rest = u;
        for (i, c) in u.bytes().enumerate() {
            if c.is_ascii_alphabetic() {
                continue;
            }
            if c.is_ascii_digit() || c == b'+' || c == b'-' || c == b'.' {
                if i == 0 {
                    break;
                }
                continue;
            }
            if c == b':' {
                if i == 0 {
                    return fail(u, "missing protocol scheme".into());
                }
                scheme = &u[..i];
                rest = &u[i + 1..];
            }
            break;
        }
        // The query is kept raw.
        if rest.ends_with('?') && rest.matches('?').count() == 1 {
            rest = &rest[..rest.len() - 1];
        } else if let Some(at) = rest.find('?') {
            rest = &rest[..at];
        }
        let opaque = !rest.starts_with('/') && !scheme.is_empty();
        if !opaque {
            if !rest.starts_with('/') {
                let segment = rest.split('/').next().unwrap_or("");
                if segment.contains(':') {
                    return fail(u, "first path segment in URL cannot contain colon".into());
                }
            }
            if (!scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
                let authority = &rest[2..];
                let (authority, path) = match authority.find('/') {
                    Some(at) => (&authority[..at], &authority[at..]),
                    None => (authority, ""),
                };
                if let Err(e) = go_unescape_check(authority) {
                    return fail(u, e);
                }
                rest = path;
            }
            if let Err(e) = go_unescape_check(rest) {
                return fail(u, e);
            }
        }
    }
    if let Some(frag) = frag {
        if let Err(e) = go_unescape_check(frag) {
            return fail(raw, e);
        }
    }
    Ok(())
}

/// The escape check of net/url's `unescape`.
fn go_unescape_check(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 >= b.len() || !b[i + 1].is_ascii_hexdigit() || !b[i + 2].is_ascii_hexdigit() {
                let end = (i + 3).min(b.len());
                let bad = String::from_utf8_lossy(&b[i..end]);
                return Err(format!("invalid URL escape {}", go_quote(&bad)));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// JSON, as Go's encoding/json decodes it into interface{}
// ---------------------------------------------------------------------------

/// `json.Unmarshal`: exactly one value, with only white space around it.
fn json_unmarshal(s: &str) -> Result<Value, String> {
    let (v, used) = json_decode_prefix(s)?;
    if s[used..].bytes().all(is_json_space) {
        Ok(v)
    } else {
        Err("invalid character after top-level value".into())
    }
}

fn is_json_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

enum JsonFrame {
    List(Vec<Value>),
    /// An object's entries so far (of equal keys the last wins) and the key
    /// being read.
    Map(Vec<(String, Value)>, String),
}

/// One `json.Decoder.Decode` into an `interface{}`: the first JSON value of
/// `s` and the number of bytes it took (`InputOffset`). A number or literal
/// ends at the first byte that cannot continue it, whatever that byte is,
/// as Go's scanner ends a top-level value. Numbers become float64.
fn json_decode_prefix(s: &str) -> Result<(Value, usize), String> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut stack: Vec<JsonFrame> = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && is_json_space(b[*i]) {
            *i += 1;
        }
    };
    let unexpected = |i: usize, ctx: &str| -> String {
        match s[i..].chars().next() {
            None => "unexpected end of JSON input".into(),
            Some(c) => format!("invalid character {} {ctx}", go_quote_runes(&c.to_string())),
        }
    };
    // Reads `"key" :` (with white space) and returns the key.
    let object_key = |i: &mut usize| -> Result<String, String> {
        skip_ws(i);
        if b.get(*i) != Some(&b'"') {
            return Err(unexpected(*i, "looking for beginning of object key string"));
        }
        let k = json_string(s, i)?;
        skip_ws(i);
        if b.get(*i) != Some(&b':') {
            return Err(unexpected(*i, "after object key"));
        }
        *i += 1;
        Ok(k)
    };
    loop {
        // A value starts here.
        skip_ws(&mut i);
        let mut v = match b.get(i) {
            None => return Err("unexpected end of JSON input".into()),
            Some(b'{') | Some(b'[') => {
                if stack.len() >= MAX_JSON_DEPTH {
                    return Err("exceeded max depth".into());
                }
                let open = b[i];
                i += 1;
                skip_ws(&mut i);
                if open == b'{' {
                    if b.get(i) == Some(&b'}') {
                        i += 1;
                        Value::Map(Map::new())
                    } else {
                        let k = object_key(&mut i)?;
                        stack.push(JsonFrame::Map(Vec::new(), k));
                        continue;
                    }
                } else if b.get(i) == Some(&b']') {
                    i += 1;
                    Value::List(Vec::new())
                } else {
                    stack.push(JsonFrame::List(Vec::new()));
                    continue;
                }
            }
            Some(b'"') => Value::String(json_string(s, &mut i)?),
            Some(b't') => json_literal(s, &mut i, "true", Value::Bool(true))?,
            Some(b'f') => json_literal(s, &mut i, "false", Value::Bool(false))?,
            Some(b'n') => json_literal(s, &mut i, "null", Value::Null)?,
            Some(b'-') | Some(b'0'..=b'9') => json_number(s, &mut i)?,
            Some(_) => return Err(unexpected(i, "looking for beginning of value")),
        };
        // Attach the finished value to its container, closing containers.
        loop {
            match stack.last_mut() {
                None => return Ok((v, i)),
                Some(JsonFrame::List(items)) => {
                    items.push(v);
                    skip_ws(&mut i);
                    match b.get(i) {
                        Some(b',') => {
                            i += 1;
                            break;
                        }
                        Some(b']') => {
                            i += 1;
                            let Some(JsonFrame::List(items)) = stack.pop() else {
                                unreachable!()
                            };
                            v = Value::List(items);
                        }
                        _ => return Err(unexpected(i, "after array element")),
                    }
                }
                Some(JsonFrame::Map(m, key)) => {
                    m.push((std::mem::take(key), v));
                    skip_ws(&mut i);
                    match b.get(i) {
                        Some(b',') => {
                            i += 1;
                            *key = object_key(&mut i)?;
                            break;
                        }
                        Some(b'}') => {
                            i += 1;
                            let Some(JsonFrame::Map(m, _)) = stack.pop() else {
                                unreachable!()
                            };
                            v = Value::Map(Map::from_entries(m));
                        }
                        _ => return Err(unexpected(i, "after object key:value pair")),
                    }
                }
            }
        }
    }
}

fn json_literal(s: &str, i: &mut usize, word: &str, v: Value) -> Result<Value, String> {
    if s[*i..].starts_with(word) {
        *i += word.len();
        Ok(v)
    } else {
        Err(format!("invalid literal, expecting {word}"))
    }
}

/// A JSON number (Go's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`)
/// as a float64; out of range is an error, as in `json.Unmarshal`.
fn json_number(s: &str, i: &mut usize) -> Result<Value, String> {
    let b = s.as_bytes();
    let start = *i;
    let digits = |i: &mut usize| {
        let from = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > from
    };
    if b.get(*i) == Some(&b'-') {
        *i += 1;
    }
    match b.get(*i) {
        Some(b'0') => *i += 1,
        Some(b'1'..=b'9') => {
            digits(i);
        }
        _ => return Err("invalid character in numeric literal".into()),
    }
    if b.get(*i) == Some(&b'.') {
        *i += 1;
        if !digits(i) {
            return Err("invalid character after decimal point in numeric literal".into());
        }
    }
    if matches!(b.get(*i), Some(b'e') | Some(b'E')) {
        *i += 1;
        if matches!(b.get(*i), Some(b'+') | Some(b'-')) {
            *i += 1;
        }
        if !digits(i) {
            return Err("invalid character in exponent of numeric literal".into());
        }
    }
    let text = &s[start..*i];
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(Value::Float(f)),
        _ => Err(format!(
            "json: cannot unmarshal number {text} into Go value of type float64"
        )),
    }
}

/// A JSON string starting at the `"` at `*i`, unquoted the way Go does it
/// (bad surrogates become U+FFFD).
fn json_string(s: &str, i: &mut usize) -> Result<String, String> {
    let b = s.as_bytes();
    *i += 1; // the opening quote
    let mut out = String::new();
    loop {
        let Some(c) = s[*i..].chars().next() else {
            return Err("unexpected end of JSON input".into());
        };
        match c {
            '"' => {
                *i += 1;
                return Ok(out);
            }
            '\\' => {
                let Some(&e) = b.get(*i + 1) else {
                    return Err("unexpected end of JSON input".into());
                };
                *i += 2;
                match e {
                    b'"' => out.push('"'),
                    b'\\' => out.push('\\'),
                    b'/' => out.push('/'),
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{C}'),
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'u' => {
                        let r = hex4(b, *i)
                            .ok_or("invalid character in \\u hexadecimal character escape")?;
                        *i += 4;
                        if (0xD800..0xE000).contains(&r) {
                            // A surrogate: valid only as a high-low pair.
                            let low = if b.get(*i) == Some(&b'\\') && b.get(*i + 1) == Some(&b'u') {
                                hex4(b, *i + 2)
                            } else {
                                None
                            };
                            match low {
                                Some(lo)
                                    if (0xD800..0xDC00).contains(&r)
                                        && (0xDC00..0xE000).contains(&lo) =>
                                {
                                    let c = 0x10000 + ((r - 0xD800) << 10) + (lo - 0xDC00);
                                    out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                                    *i += 6;
                                }
                                _ => out.push('\u{FFFD}'),
                            }
                        } else {
                            out.push(char::from_u32(r).unwrap_or('\u{FFFD}'));
                        }
                    }
                    _ => return Err("invalid character in string escape code".into()),
                }
            }
            c if (c as u32) < 0x20 => {
                return Err("invalid character in string literal".into());
            }
            c => {
                out.push(c);
                *i += c.len_utf8();
            }
        }
    }
}

fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let h = b.get(at..at + 4)?;
    let s = std::str::from_utf8(h).ok()?;
    if !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    //! Expected results were checked against real Helm 4.3.1
    //! (`helm template` of a chart whose only template dumps `.Values` with
    //! Go types), plus the vectors of Helm's own `parser_test.go` and
    //! `literal_parser_test.go`.

    use super::*;

    /// A compact, typed rendering: strings quoted, ints bare, floats with an
    /// `f` suffix, maps `{k: v}`, lists `[a, b]`.
    fn show(v: &Value) -> String {
        match v {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format!("{f}f"),
            Value::String(s) => format!("{s:?}"),
            Value::List(l) => format!("[{}]", l.iter().map(show).collect::<Vec<_>>().join(", ")),
            Value::Map(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{k}: {}", show(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// A starting map from JSON, numbers as floats, as a `-f` file gives.
    fn file(json: &str) -> Map {
        match json_unmarshal(json).expect("test JSON") {
            Value::Map(m) => m,
            other => panic!("not a map: {other:?}"),
        }
    }

    /// Applies the arguments in order to `start` and renders the result.
    fn apply(start: &str, args: &[(SetKind, &str)]) -> String {
        let mut m = file(start);
        for (kind, s) in args {
            if let Err(e) = parse_into(s, &mut m, *kind) {
                panic!("{kind:?} {s:?}: unexpected error: {e}");
            }
        }
        show(&Value::Map(m))
    }

    fn ok(kind: SetKind, s: &str) -> String {
        apply("{}", &[(kind, s)])
    }

    fn set(s: &str) -> String {
        ok(SetKind::Set, s)
    }

    fn err_on(start: &str, kind: SetKind, s: &str) -> String {
        let mut m = file(start);
        match parse_into(s, &mut m, kind) {
            Ok(()) => panic!(
                "{kind:?} {s:?}: expected an error, got {}",
                show(&Value::Map(m))
            ),
            Err(e) => e.0,
        }
    }

    fn err(kind: SetKind, s: &str) -> String {
        err_on("{}", kind, s)
    }

    fn set_err(s: &str) -> String {
        err(SetKind::Set, s)
    }

    /// A fake file system for `--set-file`.
    fn fake_read(path: &str) -> io::Result<String> {
        match path {
            "p1" => Ok("value1".into()),
            "multi" => Ok("hello\nworld\n".into()),
            "dir" => Err(io::Error::from_raw_os_error(21)), // EISDIR
            "-" => Ok("from stdin".into()),
            _ => Err(io::Error::from_raw_os_error(2)), // ENOENT
        }
    }

    fn file_ok(s: &str) -> String {
        let mut m = Map::new();
        parse_file_into(s, &mut m, &fake_read).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        show(&Value::Map(m))
    }

    fn file_err(s: &str) -> String {
        let mut m = Map::new();
        parse_file_into(s, &mut m, &fake_read).expect_err(s).0
    }

    // --- --set typing (HELM-CLI §4) -------------------------------------

    #[test]
    fn bool_and_null_in_any_case() {
        assert_eq!(set("a=true"), "{a: true}");
        assert_eq!(set("x=TRUE,y=False,z=NULL"), "{x: true, y: false, z: null}");
        assert_eq!(
            set("name1=null,f=false,t=true"),
            "{f: false, name1: null, t: true}"
        );
        // Go's EqualFold folds U+017F (long s) to 's'.
        assert_eq!(set("a=falſe,b=ſ"), "{a: false, b: \"ſ\"}");
    }

    #[test]
    fn integers() {
        assert_eq!(set("x=0123"), "{x: \"0123\"}");
        assert_eq!(set("x=-0123"), "{x: -123}");
        assert_eq!(set("t=+5"), "{t: 5}");
        assert_eq!(set("x=0"), "{x: 0}");
        assert_eq!(set("z=-0,w=+0,v=00"), "{v: \"00\", w: 0, z: 0}");
        assert_eq!(set("u=-,s=+"), "{s: \"+\", u: \"-\"}");
        assert_eq!(set("long_int=1234567890"), "{long_int: 1234567890}");
        assert_eq!(set("leading_zeros=00009"), "{leading_zeros: \"00009\"}");
    }

    #[test]
    fn int64_bounds() {
        assert_eq!(set("z=9223372036854775807"), "{z: 9223372036854775807}");
        assert_eq!(set("w=9223372036854775808"), "{w: \"9223372036854775808\"}");
        assert_eq!(set("z=-9223372036854775808"), "{z: -9223372036854775808}");
        assert_eq!(
            set("z=-9223372036854775809"),
            "{z: \"-9223372036854775809\"}"
        );
    }

    #[test]
    fn non_integers_are_strings() {
        assert_eq!(
            set("y=1e5,z=1.0,u=0x1F,v=yes,nn=1_000"),
            "{nn: \"1_000\", u: \"0x1F\", v: \"yes\", y: \"1e5\", z: \"1.0\"}"
        );
        assert_eq!(set("x=[a]"), "{x: \"[a]\"}");
        assert_eq!(set("name1=one two three"), "{name1: \"one two three\"}");
        assert_eq!(set("a=\t1"), "{a: \"\\t1\"}");
    }

    #[test]
    fn set_string_keeps_strings() {
        assert_eq!(
            ok(SetKind::String, "x=true,y=1,z=null"),
            "{x: \"true\", y: \"1\", z: \"null\"}"
        );
        assert_eq!(
            ok(SetKind::String, "zero=0,x={1,true}"),
            "{x: [\"1\", \"true\"], zero: \"0\"}"
        );
        assert_eq!(
            apply(
                r#"{"outer":{"inner1":"overwrite","inner2":"value2"}}"#,
                &[(SetKind::String, "outer.inner1=1,outer.inner3=3")]
            ),
            "{outer: {inner1: \"1\", inner2: \"value2\", inner3: \"3\"}}"
        );
    }

    #[test]
    fn set_string_applies_after_set() {
        // Helm applies --set before --set-string whatever the flag order;
        // the caller does the ordering, each call overwrites.
        assert_eq!(
            apply("{}", &[(SetKind::Set, "x=1"), (SetKind::String, "x=s")]),
            "{x: \"s\"}"
        );
    }

    // --- escapes, separators, empty values ----------------------------

    #[test]
    fn escapes() {
        assert_eq!(set(r"a\.b=1"), "{a.b: 1}");
        assert_eq!(set(r"x=p\,q"), "{x: \"p,q\"}");
        assert_eq!(set(r"x=a\=b"), "{x: \"a=b\"}");
        assert_eq!(
            set(r"name1=one\,two,name2=three\,four"),
            "{name1: \"one,two\", name2: \"three,four\"}"
        );
        assert_eq!(set(r"a=\u00e9"), "{a: \"u00e9\"}");
        // A trailing backslash escapes nothing.
        assert_eq!(set(r"a=b\"), "{a: \"b\"}");
        assert_eq!(set(r"a=x\,y\"), "{a: \"x,y\"}");
        // An escaped `]` is part of the index.
        assert_eq!(
            set_err(r"a[1\]]=1"),
            "failed parsing --set data: error parsing index: strconv.Atoi: parsing \"1]\": invalid syntax"
        );
    }

    #[test]
    fn unescaped_equals_in_value_and_empty_values() {
        assert_eq!(set("x=b=c"), "{x: \"b=c\"}");
        assert_eq!(set("x="), "{x: \"\"}");
        assert_eq!(
            set("name1=,name2=value2"),
            "{name1: \"\", name2: \"value2\"}"
        );
        assert_eq!(
            set("name1=value1,name2=value2,"),
            "{name1: \"value1\", name2: \"value2\"}"
        );
        assert_eq!(set("é.ü=ö,a=😀"), "{a: \"😀\", é: {ü: \"ö\"}}");
    }

    #[test]
    fn silently_accepted_input() {
        // Helm ignores these without an error.
        assert_eq!(set("a[1"), "{}");
        assert_eq!(set("a."), "{}");
        assert_eq!(set("=1"), "{}");
        assert_eq!(set("[0]=1"), "{}");
        assert_eq!(set(".a=1"), "{}");
    }

    #[test]
    fn dangling_backslash_in_key() {
        // `a\` reads the key "a" and hits the end: no value.
        assert_eq!(
            set_err(r"a\"),
            "failed parsing --set data: key \"a\" has no value"
        );
    }

    // --- nesting -------------------------------------------------------

    #[test]
    fn nested_maps() {
        assert_eq!(set("outer.inner=value"), "{outer: {inner: \"value\"}}");
        assert_eq!(
            set("outer.inner1=value,outer.middle.inner=value"),
            "{outer: {inner1: \"value\", middle: {inner: \"value\"}}}"
        );
        assert_eq!(set("name1.name2="), "{name1: {name2: \"\"}}");
        assert_eq!(set("a.b.c="), "{a: {b: {c: \"\"}}}");
    }

    #[test]
    fn into_existing_maps() {
        assert_eq!(
            apply(
                r#"{"outer":{"inner1":"overwrite","inner2":"value2"}}"#,
                &[(
                    SetKind::Set,
                    "outer.inner1=value1,outer.inner3=value3,outer.inner4=4"
                )]
            ),
            "{outer: {inner1: \"value1\", inner2: \"value2\", inner3: \"value3\", inner4: 4}}"
        );
        assert_eq!(
            apply("{}", &[(SetKind::Set, "a.b=1"), (SetKind::Set, "a.c=2")]),
            "{a: {b: 1, c: 2}}"
        );
    }

    #[test]
    fn null_replaces_maps() {
        assert_eq!(set("a.b=1,a=null"), "{a: null}");
        assert_eq!(
            set_err("a=null,a.b=1"),
            "failed parsing --set data: unable to parse key: interface conversion: interface {} is nil, not map[string]interface {}"
        );
    }

    #[test]
    fn nested_level_limit() {
        let key = |n: usize| {
            (0..n)
                .map(|i| format!("k{i}"))
                .collect::<Vec<_>>()
                .join(".")
        };
        // 31 segments (30 dots) is the most Helm takes.
        assert!(set(&format!("{}=1", key(31))).ends_with("{k30: 1}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}"));
        let msg = "failed parsing --set data: value name nested level is greater than maximum supported nested level of 30";
        assert_eq!(set_err(&format!("{}=1", key(32))), msg);
        // Helm's TestParseSetNestedLevels: name1. … name31.name32=value
        let helm_key: String = (1..=32)
            .map(|i| format!("name{i}"))
            .collect::<Vec<_>>()
            .join(".");
        assert_eq!(set_err(&format!("{helm_key}=value")), msg);
        // List items do not count as a level.
        assert!(set(&format!("{}x=1", "a[0].".repeat(40))).contains("x: 1"));
    }

    // --- lists ---------------------------------------------------------

    #[test]
    fn brace_lists() {
        assert_eq!(set("x={p,q}"), "{x: [\"p\", \"q\"]}");
        assert_eq!(set("x={}"), "{x: [\"\"]}");
        assert_eq!(set("a={,}"), "{a: [\"\", \"\"]}");
        assert_eq!(set("a={1,true,null,x}"), "{a: [1, true, null, \"x\"]}");
        assert_eq!(set("name1={1021,902}"), "{name1: [1021, 902]}");
        assert_eq!(set("a={x,y},b=1"), "{a: [\"x\", \"y\"], b: 1}");
        // Text right after `}` starts the next assignment.
        assert_eq!(set("a={x,y}b=1"), "{a: [\"x\", \"y\"], b: 1}");
        assert_eq!(set(r"a={a\,b,c\}d}"), "{a: [\"a,b\", \"c}d\"]}");
        assert_eq!(
            set("name1.name2={value1,value2}"),
            "{name1: {name2: [\"value1\", \"value2\"]}}"
        );
    }

    #[test]
    fn indexes_pad_with_null() {
        assert_eq!(set("x[2]=z"), "{x: [null, null, \"z\"]}");
        assert_eq!(
            set("list[0]=foo,list[3]=bar"),
            "{list: [\"foo\", null, null, \"bar\"]}"
        );
        assert_eq!(set("x.y[1]=a,x.y[0]=b"), "{x: {y: [\"b\", \"a\"]}}");
        assert_eq!(set("a[+1]=1"), "{a: [null, 1]}");
        assert_eq!(set("a={x,y},a[3]=z"), "{a: [\"x\", \"y\", null, \"z\"]}");
    }

    #[test]
    fn max_index() {
        let m = set("a[65536]=1");
        assert_eq!(m.matches("null").count(), 65536);
        assert_eq!(
            set_err("x[70000]=1"),
            "failed parsing --set data: index of 70000 is greater than maximum supported index of 65536"
        );
        assert_eq!(
            set_err("a[65537]=1"),
            "failed parsing --set data: index of 65537 is greater than maximum supported index of 65536"
        );
        // Checked when the item is stored, after what follows is parsed.
        assert_eq!(
            set_err("a[70000].b=1"),
            "failed parsing --set data: index of 70000 is greater than maximum supported index of 65536"
        );
        assert_eq!(
            set_err("a[70000][1]=1"),
            "failed parsing --set data: index of 70000 is greater than maximum supported index of 65536"
        );
    }

    #[test]
    fn set_index_helper() {
        // Helm's TestSetIndex.
        let ints = |v: &[i64]| v.iter().map(|i| Value::Int(*i)).collect::<Vec<_>>();
        let mut l = ints(&[0, 1]);
        set_index(&mut l, 2, Value::Int(2)).unwrap();
        assert_eq!(l, ints(&[0, 1, 2]));
        let mut l = ints(&[0, 1]);
        set_index(&mut l, 1, Value::Int(2)).unwrap();
        assert_eq!(l, ints(&[0, 2]));
        let mut l = ints(&[0, 1, 2, 3, 4, 5]);
        set_index(&mut l, 3, Value::Int(4)).unwrap();
        assert_eq!(l, ints(&[0, 1, 2, 4, 4, 5]));
        let mut l = ints(&[0, 1, 2, 3, 4, 5]);
        assert_eq!(
            set_index(&mut l, -1, Value::Int(4)).unwrap_err().msg,
            "negative -1 index not allowed"
        );
        assert!(set_index(&mut l, MAX_INDEX + 1, Value::Int(4)).is_err());
        assert_eq!(l, ints(&[0, 1, 2, 3, 4, 5]));
    }

    #[test]
    fn maps_in_lists() {
        assert_eq!(set("x[0].k=1"), "{x: [{k: 1}]}");
        assert_eq!(
            set("list[0].foo=bar,list[0].hello=world"),
            "{list: [{foo: \"bar\", hello: \"world\"}]}"
        );
        assert_eq!(
            set("name1.name2[1].foo=bar,name1.name2[0].foo=bar"),
            "{name1: {name2: [{foo: \"bar\"}, {foo: \"bar\"}]}}"
        );
        assert_eq!(
            set("name1.name2[1].foo=bar"),
            "{name1: {name2: [null, {foo: \"bar\"}]}}"
        );
        // A scalar at the index is replaced by a map, and the other way round.
        assert_eq!(set("a[0]=1,a[0].b=2"), "{a: [{b: 2}]}");
        assert_eq!(set("a[0].b=1,a[0]=3"), "{a: [3]}");
        assert_eq!(
            set("a.b[0].c[1].d=e"),
            "{a: {b: [{c: [null, {d: \"e\"}]}]}}"
        );
        assert_eq!(set("a[0].=1"), "{a: [{}]}");
        assert_eq!(set("a[0]={p,q}"), "{a: [[\"p\", \"q\"]]}");
    }

    #[test]
    fn nested_lists() {
        assert_eq!(set("nested[0][0]=1"), "{nested: [[1]]}");
        assert_eq!(set("nested[1][1]=1"), "{nested: [null, [null, 1]]}");
        assert_eq!(set("a[1][0]=x"), "{a: [null, [\"x\"]]}");
        assert_eq!(set("a[0][1]=1,a[0][0]=2"), "{a: [[2, 1]]}");
        assert_eq!(set("a[0][1]="), "{a: [[null, \"\"]]}");
    }

    #[test]
    fn index_without_value() {
        assert_eq!(set("noval[0]"), "{noval: []}");
        assert_eq!(set("noval[0]="), "{noval: [\"\"]}");
        assert_eq!(set("a[0][1]"), "{a: []}");
        assert_eq!(set("a[0]=,b=1"), "{a: [\"\"], b: 1}");
        // Helm quirk: an empty value at the very end inside a list item is
        // dropped along with the item.
        assert_eq!(set("a[0].b="), "{a: []}");
        assert_eq!(set("c=1,a[0].b="), "{a: [], c: 1}");
    }

    #[test]
    fn into_lists_from_files() {
        // HELM-CLI §4: a -f file gave [5,6,7]; --set a.c[0]=9 → [9,6,7].
        assert_eq!(
            apply(r#"{"a":{"c":[5,6,7]}}"#, &[(SetKind::Set, "a.c[0]=9")]),
            "{a: {c: [9, 6f, 7f]}}"
        );
        let f = r#"{"a":{"l":[1,2,{"q":1}]},"ll":[[1,2],[3]]}"#;
        assert_eq!(
            apply(f, &[(SetKind::Set, "a.l[3]=9")]),
            "{a: {l: [1f, 2f, {q: 1f}, 9]}, ll: [[1f, 2f], [3f]]}"
        );
        assert_eq!(
            apply(f, &[(SetKind::Set, "a.l[0].x=1")]),
            "{a: {l: [{x: 1}, 2f, {q: 1f}]}, ll: [[1f, 2f], [3f]]}"
        );
        assert_eq!(
            apply(f, &[(SetKind::Set, "a.l[2].r=3")]),
            "{a: {l: [1f, 2f, {q: 1f, r: 3}]}, ll: [[1f, 2f], [3f]]}"
        );
        assert_eq!(
            apply(f, &[(SetKind::Set, "ll[1][0]=y,ll[3][0]=z")]),
            "{a: {l: [1f, 2f, {q: 1f}]}, ll: [[1f, 2f], [\"y\"], null, [\"z\"]]}"
        );
        // The in-place change survives the dropped empty value.
        assert_eq!(
            apply(f, &[(SetKind::Set, "ll[0][1].b=")]),
            "{a: {l: [1f, 2f, {q: 1f}]}, ll: [[1f, {b: \"\"}], [3f]]}"
        );
    }

    #[test]
    fn helm_parse_into_list_vectors() {
        // Helm's TestParseInto (and TestParseLiteralInto).
        for kind in [SetKind::Set, SetKind::Literal] {
            assert_eq!(
                apply(
                    "{}",
                    &[
                        (kind, "listOuter[0][0].type=listValue"),
                        (kind, "listOuter[0][0].status=alive")
                    ]
                ),
                "{listOuter: [[{status: \"alive\", type: \"listValue\"}]]}"
            );
            assert_eq!(
                apply(
                    "{}",
                    &[
                        (kind, "listOuter[0][0].type=listValue"),
                        (kind, "listOuter[1][0].status=alive")
                    ]
                ),
                "{listOuter: [[{type: \"listValue\"}], [{status: \"alive\"}]]}"
            );
            assert_eq!(
                apply(
                    r#"{"listOuter":[[[{"exited":"old"}]]]}"#,
                    &[(kind, "listOuter[0][1][0].type=listValue"), (kind, "listOuter[0][0][1].status=alive")]
                ),
                "{listOuter: [[[{exited: \"old\"}, {status: \"alive\"}], [{type: \"listValue\"}]]]}"
            );
        }
    }

    #[test]
    fn empty_key_list_is_changed_in_place_only() {
        // A list under the key "" (from a file) is updated in place, as Go's
        // shared slice is, but never grown.
        let f = r#"{"":[5,6]}"#;
        assert_eq!(apply(f, &[(SetKind::Set, "[0]=9")]), "{: [9, 6f]}");
        assert_eq!(apply(f, &[(SetKind::Set, "[5]=9")]), "{: [5f, 6f]}");
        assert_eq!(apply(f, &[(SetKind::Set, "[0].x=1")]), "{: [{x: 1}, 6f]}");
    }

    // --- errors --------------------------------------------------------

    #[test]
    fn error_no_value() {
        assert_eq!(
            set_err("a"),
            "failed parsing --set data: key \"a\" has no value"
        );
        assert_eq!(
            set_err("name1.name2"),
            "failed parsing --set data: key \"name2\" has no value"
        );
        assert_eq!(
            set_err("a[0].b"),
            "failed parsing --set data: key \"b\" has no value"
        );
        assert_eq!(
            set_err("x.y=1,z"),
            "failed parsing --set data: key \"z\" has no value"
        );
        assert_eq!(
            set_err("a\tb"),
            "failed parsing --set data: key \"a\\tb\" has no value"
        );
        assert_eq!(
            set_err("a\u{a0}é"),
            "failed parsing --set data: key \"a\\u00a0é\" has no value"
        );
    }

    #[test]
    fn error_no_value_before_comma() {
        assert_eq!(
            set_err("a,b=1"),
            "failed parsing --set data: key \"a\" has no value (cannot end with ,)"
        );
        assert_eq!(
            set_err(","),
            "failed parsing --set data: key \"\" has no value (cannot end with ,)"
        );
        assert_eq!(
            set_err("name1=value1,,,,name2=value2,"),
            "failed parsing --set data: key \"\" has no value (cannot end with ,)"
        );
        assert_eq!(
            set_err("name1,name2="),
            "failed parsing --set data: key \"name1\" has no value (cannot end with ,)"
        );
        assert_eq!(
            set_err(r"name1,name2=value2\\"),
            "failed parsing --set data: key \"name1\" has no value (cannot end with ,)"
        );
        assert_eq!(
            set_err("name1.,name2"),
            "failed parsing --set data: key \"\" has no value (cannot end with ,)"
        );
    }

    #[test]
    fn error_key_map_without_value() {
        assert_eq!(
            set_err("a.=1"),
            "failed parsing --set data: key map \"a\" has no value"
        );
        assert_eq!(
            set_err("name1.=name2"),
            "failed parsing --set data: key map \"name1\" has no value"
        );
        assert_eq!(
            set_err("a.[0]=1"),
            "failed parsing --set data: key map \"a\" has no value"
        );
        assert_eq!(
            err_on(r#"{"a":{"e":{}}}"#, SetKind::Set, "a.e.=1"),
            "failed parsing --set data: key map \"e\" has no value"
        );
    }

    #[test]
    fn error_bad_index() {
        assert_eq!(
            set_err("a[x]=1"),
            "failed parsing --set data: error parsing index: strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            set_err("a[]=1"),
            "failed parsing --set data: error parsing index: strconv.Atoi: parsing \"\": invalid syntax"
        );
        assert_eq!(
            set_err("a[ 1]=1"),
            "failed parsing --set data: error parsing index: strconv.Atoi: parsing \" 1\": invalid syntax"
        );
        assert_eq!(
            set_err("a[0x1]=1"),
            "failed parsing --set data: error parsing index: strconv.Atoi: parsing \"0x1\": invalid syntax"
        );
        assert_eq!(
            set_err("a[1_0]=1"),
            "failed parsing --set data: error parsing index: strconv.Atoi: parsing \"1_0\": invalid syntax"
        );
        assert_eq!(
            set_err("a[99999999999999999999]=1"),
            "failed parsing --set data: error parsing index: strconv.Atoi: parsing \"99999999999999999999\": value out of range"
        );
        assert_eq!(
            set_err("a[9223372036854775808]=1"),
            "failed parsing --set data: error parsing index: strconv.Atoi: parsing \"9223372036854775808\": value out of range"
        );
        assert_eq!(set("a[00]=1"), "{a: [1]}");
    }

    #[test]
    fn error_negative_index() {
        assert_eq!(
            set_err("x[-1]=1"),
            "failed parsing --set data: negative -1 index not allowed"
        );
        assert_eq!(
            set_err("list[0].foo=bar,list[-30].hello=world"),
            "failed parsing --set data: negative -30 index not allowed"
        );
        assert_eq!(
            set_err("a[0][-1]=1"),
            "failed parsing --set data: negative -1 index not allowed"
        );
        assert_eq!(
            err(SetKind::String, "x[-1]=1"),
            "failed parsing --set-string data: negative -1 index not allowed"
        );
        assert_eq!(
            err(SetKind::Literal, "a[-1]=x"),
            "failed parsing --set-literal data: negative -1 index not allowed"
        );
    }

    #[test]
    fn error_data_after_index() {
        assert_eq!(
            set_err("a[0]x=1"),
            "failed parsing --set data: unexpected data at end of array index: ['x']"
        );
        assert_eq!(
            set_err("a[0],b=1"),
            "failed parsing --set data: unexpected data at end of array index: [',' 'b']"
        );
        assert_eq!(
            set_err(r#"a[0]'x"\\y=1"#),
            r#"failed parsing --set data: unexpected data at end of array index: ['\'' 'x' '"' '\\' 'y']"#
        );
        assert_eq!(
            set_err("a[0]\u{a0}=1"),
            r"failed parsing --set data: unexpected data at end of array index: ['\u00a0']"
        );
        assert_eq!(
            set_err("a[0]\u{1}=1"),
            r"failed parsing --set data: unexpected data at end of array index: ['\x01']"
        );
        assert_eq!(
            set_err("illegal[0]name.foo=bar"),
            "failed parsing --set data: unexpected data at end of array index: ['n' 'a' 'm' 'e']"
        );
        assert!(set_err("]={}].").starts_with("failed parsing --set data: "));
    }

    #[test]
    fn error_unterminated_list() {
        assert_eq!(
            set_err("x={a,b"),
            "failed parsing --set data: list must terminate with '}'"
        );
        assert_eq!(
            set_err("name1={1021,902"),
            "failed parsing --set data: list must terminate with '}'"
        );
        assert_eq!(
            set_err("a[0]={x"),
            "failed parsing --set data: list must terminate with '}'"
        );
    }

    #[test]
    fn error_path_through_wrong_type() {
        let f = r#"{"a":{"b":"s","n":1,"l":[1,2],"m":{"x":1},"z":null,"t":true}}"#;
        let conv = |s: &str| err_on(f, SetKind::Set, s);
        let pre =
            "failed parsing --set data: unable to parse key: interface conversion: interface {} is";
        assert_eq!(
            conv("a.b.c=1"),
            format!("{pre} string, not map[string]interface {{}}")
        );
        assert_eq!(
            conv("a.l.c=1"),
            format!("{pre} []interface {{}}, not map[string]interface {{}}")
        );
        assert_eq!(
            conv("a.z.c=1"),
            format!("{pre} nil, not map[string]interface {{}}")
        );
        assert_eq!(
            conv("a.n.c=1"),
            format!("{pre} float64, not map[string]interface {{}}")
        );
        assert_eq!(
            conv("a.t.c=1"),
            format!("{pre} bool, not map[string]interface {{}}")
        );
        assert_eq!(
            conv("a.b[0]=1"),
            format!("{pre} string, not []interface {{}}")
        );
        assert_eq!(
            conv("a.m[0]=1"),
            format!("{pre} map[string]interface {{}}, not []interface {{}}")
        );
        assert_eq!(conv("a.z[0]=1"), format!("{pre} nil, not []interface {{}}"));
        assert_eq!(
            conv("a.l[0][0]=1"),
            format!("{pre} float64, not []interface {{}}")
        );
        assert_eq!(
            set_err("a=1,a.q=2"),
            format!("{pre} int64, not map[string]interface {{}}")
        );
        assert_eq!(
            set_err("a[0]=s,a[0][1]=1"),
            format!("{pre} string, not []interface {{}}")
        );
        // HELM-CLI §4: -f gave a.b: s; --set a.b.c=1.
        assert_eq!(
            err_on(r#"{"a":{"b":"s"}}"#, SetKind::Set, "a.b.c=1"),
            "failed parsing --set data: unable to parse key: interface conversion: interface {} is string, not map[string]interface {}"
        );
    }

    // --- --set-json ----------------------------------------------------

    #[test]
    fn json_values() {
        let j = |s| ok(SetKind::Json, s);
        assert_eq!(j("a=1"), "{a: 1f}");
        assert_eq!(j(r#"a=1.50,b="x""#), "{a: 1.5f, b: \"x\"}");
        assert_eq!(j(r#"k={"a":1}"#), "{k: {a: 1f}}");
        assert_eq!(
            j(r#"a={"x":[1,{"y":null}]},b=[1,2]"#),
            "{a: {x: [1f, {y: null}]}, b: [1f, 2f]}"
        );
        assert_eq!(
            j("a.b=12345678901234567890"),
            "{a: {b: 12345678901234567000f}}"
        );
        assert_eq!(
            j("a=-0,b=1e-400,c=1e21"),
            "{a: -0f, b: 0f, c: 1000000000000000000000f}"
        );
        assert_eq!(j("a=[[[[]]]]"), "{a: [[[[]]]]}");
        assert_eq!(j(r#"a={"a":1,"a":2}"#), "{a: {a: 2f}}");
        assert_eq!(j(r#"a.b.c=1,a.b.d="q""#), "{a: {b: {c: 1f, d: \"q\"}}}");
    }

    #[test]
    fn json_strings_unquote_like_go() {
        let j = |s| ok(SetKind::Json, s);
        assert_eq!(j(r#"a="x\u00e9\ud83d\ude00\n""#), "{a: \"xé😀\\n\"}");
        assert_eq!(j(r#"a="\ud800""#), "{a: \"\u{fffd}\"}");
        assert_eq!(j(r#"a="\ud83d\u0041""#), "{a: \"\u{fffd}A\"}");
        assert_eq!(j(r#"a="\udc00""#), "{a: \"\u{fffd}\"}");
        assert_eq!(
            j(r#"a="\/\b\f\r\t\"\\""#),
            "{a: \"/\\u{8}\\u{c}\\r\\t\\\"\\\\\"}"
        );
    }

    #[test]
    fn json_empty_is_null() {
        let j = |s| ok(SetKind::Json, s);
        assert_eq!(j("a="), "{a: null}");
        assert_eq!(j("a=,b=2"), "{a: null, b: 2f}");
        assert_eq!(j("a=  ,b=2"), "{a: null, b: 2f}");
        assert_eq!(j("a[0]="), "{a: [null]}");
        assert_eq!(j("a[0].b="), "{a: [{b: null}]}");
    }

    #[test]
    fn json_value_boundaries() {
        let j = |s| ok(SetKind::Json, s);
        // The decoder stops after one value; what follows is the next key.
        assert_eq!(j("a=1 b=2"), "{a: 1f, b: 2f}");
        assert_eq!(j("a=[1,2]x=3"), "{a: [1f, 2f], x: 3f}");
        assert_eq!(j("a=true,"), "{a: true}");
        // Space before the comma is skipped, space after it is key text.
        assert_eq!(j("a=1 , b=2"), "{ b: 2f, a: 1f}");
        assert_eq!(j(r#"a="s"y=1"#), "{a: \"s\", y: 1f}");
        // `=2` is an assignment to the empty key, which is ignored.
        assert_eq!(j("a=1=2"), "{a: 1f}");
        assert_eq!(j("a=1,=2,b=3"), "{a: 1f, b: 3f}");
        assert_eq!(j("a=\u{a0}[1]"), "{a: [1f]}");
        assert_eq!(j(r#"a[1]={"k":1}"#), "{a: [null, {k: 1f}]}");
        assert_eq!(j(r#"a[0]="x",a[2]=3"#), "{a: [\"x\", null, 3f]}");
    }

    #[test]
    fn json_into_existing() {
        // Helm's TestParseJSON.
        assert_eq!(
            apply(
                r#"{"outer":{"inner1":"overwrite","inner2":"value2"}}"#,
                &[(SetKind::Json, r#"outer.inner1="1",outer.inner3=3,outer.inner4=true,outer.inner5="true""#)]
            ),
            "{outer: {inner1: \"1\", inner2: \"value2\", inner3: 3f, inner4: true, inner5: \"true\"}}"
        );
        assert_eq!(
            apply(
                r#"{"outer":{"inner1":{"x":"overwrite"},"inner2":"value2","inner3":["overwrite"]}}"#,
                &[(SetKind::Json, r#"outer.inner1={"a":"1","b":2,"c":[1,2,3]},outer.inner3=["new value 1","new value 2"],outer.inner5=[{"A":"1"}]"#)]
            ),
            "{outer: {inner1: {a: \"1\", b: 2f, c: [1f, 2f, 3f]}, inner2: \"value2\", inner3: [\"new value 1\", \"new value 2\"], inner5: [{A: \"1\"}]}}"
        );
        assert_eq!(
            apply(
                r#"{"outer":{"inner1":{"x":"overwrite"},"inner2":"value2"}}"#,
                &[(
                    SetKind::Json,
                    r#"outer.inner1=,outer.inner3={"aa":"1","cc":[1,2,3]},outer.inner3.cc[1]=null"#
                )]
            ),
            "{outer: {inner1: null, inner2: \"value2\", inner3: {aa: \"1\", cc: [1f, null, 3f]}}}"
        );
        assert_eq!(
            apply(
                "{}",
                &[(SetKind::Json, "a=[1,2,3]"), (SetKind::Set, "a[1]=x")]
            ),
            "{a: [1f, \"x\", 3f]}"
        );
    }

    #[test]
    fn json_whole_object_form_merges() {
        assert_eq!(ok(SetKind::Json, r#"{"k":1}"#), "{k: 1f}");
        assert_eq!(ok(SetKind::Json, r#" {"k":{"x":1}} "#), "{k: {x: 1f}}");
        assert_eq!(ok(SetKind::Json, "{}"), "{}");
        assert_eq!(
            apply(
                r#"{"a":{"m":{"x":1},"l":[1,2],"s":"t"},"b":1}"#,
                &[(SetKind::Json, r#"{"a":{"m":{"y":2},"l":[9],"z":null}}"#)]
            ),
            "{a: {l: [9f], m: {x: 1f, y: 2f}, s: \"t\", z: null}, b: 1f}"
        );
        assert_eq!(
            apply(r#"{"t":true}"#, &[(SetKind::Json, r#"{"t":{"x":1}}"#)]),
            "{t: {x: 1f}}"
        );
    }

    #[test]
    fn json_errors_name_the_argument() {
        for s in [
            "a=1x",
            "a=tru",
            "a",
            "a=1e400",
            "a=-",
            "a=1.",
            "a=1e",
            "a=01",
            "a=[1,]",
            r#"a={"a":1,}"#,
            "a=[1]]",
            r#"a="\x""#,
            r#"a="\u12""#,
            "a=\"tab\tx\"",
            "a=nullx",
        ] {
            assert_eq!(
                err(SetKind::Json, s),
                format!("failed parsing --set-json data {s}"),
                "{s}"
            );
        }
        for s in [
            r#"{"k":1"#,
            r#"{"k":1}x"#,
            r#"{"a":1e400}"#,
            "{\"a\":1}\u{a0}x",
        ] {
            assert_eq!(
                err(SetKind::Json, s),
                format!("failed parsing --set-json data JSON: {s}"),
                "{s}"
            );
        }
        assert_eq!(
            err_on(r#"{"a":"x"}"#, SetKind::Json, "a.b=1"),
            "failed parsing --set-json data a.b=1"
        );
    }

    #[test]
    fn json_depth_limit() {
        let deep = |n: usize| format!("a={}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse_into(&deep(MAX_JSON_DEPTH), &mut Map::new(), SetKind::Json).is_ok());
        assert!(parse_into(&deep(MAX_JSON_DEPTH + 1), &mut Map::new(), SetKind::Json).is_err());
    }

    // --- --set-literal -------------------------------------------------

    #[test]
    fn literal_values_are_verbatim() {
        let l = |s| ok(SetKind::Literal, s);
        assert_eq!(l(r"x.y=a,b=c\d{e}"), r#"{x: {y: "a,b=c\\d{e}"}}"#);
        assert_eq!(
            l("name1=null,name2=value2"),
            "{name1: \"null,name2=value2\"}"
        );
        assert_eq!(l("name1=value,,,tail"), "{name1: \"value,,,tail\"}");
        assert_eq!(l("zero=0,b=true"), "{zero: \"0,b=true\"}");
        assert_eq!(l("name={value1,value2}"), "{name: \"{value1,value2}\"}");
        assert_eq!(l(r"name=val\\\val"), r#"{name: "val\\\\\\val"}"#);
        assert_eq!(l("a[0]=x,y"), "{a: [\"x,y\"]}");
        assert_eq!(l("a[0].b=x=y"), "{a: [{b: \"x=y\"}]}");
        assert_eq!(l("a="), "{a: \"\"}");
        assert_eq!(l("a[0].b="), "{a: [{b: \"\"}]}");
        assert_eq!(l("list[3]=bar"), "{list: [null, null, null, \"bar\"]}");
        assert_eq!(l("]={}]."), "{]: \"{}].\"}");
    }

    #[test]
    fn literal_keys_have_no_escapes_or_commas() {
        let l = |s| ok(SetKind::Literal, s);
        assert_eq!(l(r"a\.b=1"), r#"{a\: {b: "1"}}"#);
        assert_eq!(l(",a=1"), "{,a: \"1\"}");
        assert_eq!(l("a,b=1"), "{a,b: \"1\"}");
        assert_eq!(l("a[0]"), "{a: []}");
        assert_eq!(l("a[1"), "{}");
        assert_eq!(l("a."), "{}");
        assert_eq!(
            apply(
                r#"{"outer":{"inner1":"overwrite","inner2":"value2"}}"#,
                &[(
                    SetKind::Literal,
                    "outer.inner1=value1,outer.inner3=value3,outer.inner4=4"
                )]
            ),
            "{outer: {inner1: \"value1,outer.inner3=value3,outer.inner4=4\", inner2: \"value2\"}}"
        );
    }

    #[test]
    fn literal_errors() {
        let e = |s| err(SetKind::Literal, s);
        assert_eq!(
            e("a"),
            "failed parsing --set-literal data: key \"a\" has no value"
        );
        assert_eq!(
            e("name1.name2"),
            "failed parsing --set-literal data: key \"name2\" has no value"
        );
        assert_eq!(
            e("name1.=name2"),
            "failed parsing --set-literal data: key map \"name1\" has no value"
        );
        assert_eq!(
            e("name1.,name2"),
            "failed parsing --set-literal data: key \",name2\" has no value"
        );
        assert_eq!(e("illegal[0]name.foo=bar"), "failed parsing --set-literal data: unexpected data at end of array index: ['n' 'a' 'm' 'e']");
        assert_eq!(
            e("a[x]=1"),
            "failed parsing --set-literal data: error parsing index: strconv.Atoi: parsing \"x\": invalid syntax"
        );
        let key: String = (1..=32)
            .map(|i| format!("name{i}"))
            .collect::<Vec<_>>()
            .join(".");
        assert_eq!(
            e(&format!("{key}=value")),
            "failed parsing --set-literal data: value name nested level is greater than maximum supported nested level of 30"
        );
        assert_eq!(
            err_on(r#"{"t":true}"#, SetKind::Literal, "t.c=1"),
            "failed parsing --set-literal data: unable to parse key: interface conversion: interface {} is bool, not map[string]interface {}"
        );
    }

    // --- --set-file ----------------------------------------------------

    #[test]
    fn file_values() {
        assert_eq!(file_ok("name1=p1"), "{name1: \"value1\"}");
        assert_eq!(file_ok("k=multi"), "{k: \"hello\\nworld\\n\"}");
        assert_eq!(
            file_ok("k={p1,multi}"),
            "{k: [\"value1\", \"hello\\nworld\\n\"]}"
        );
        assert_eq!(file_ok("k[1]=p1"), "{k: [null, \"value1\"]}");
        assert_eq!(file_ok("k="), "{k: \"\"}");
        assert_eq!(file_ok("k=-"), "{k: \"from stdin\"}");
        assert_eq!(
            file_ok(r"a\.b=p1,c.d=p1"),
            "{a.b: \"value1\", c: {d: \"value1\"}}"
        );
    }

    #[test]
    fn file_read_errors() {
        assert_eq!(
            file_err("k=/tmp/nonexist"),
            "failed parsing --set-file data: open /tmp/nonexist: no such file or directory"
        );
        assert_eq!(
            file_err("k=dir"),
            "failed parsing --set-file data: read dir: is a directory"
        );
        assert_eq!(
            file_err("k=,j=p1"),
            "failed parsing --set-file data: open : no such file or directory"
        );
        assert_eq!(
            file_err("k={}"),
            "failed parsing --set-file data: open : no such file or directory"
        );
        assert_eq!(
            file_err("k={p1,nope}"),
            "failed parsing --set-file data: open nope: no such file or directory"
        );
        assert_eq!(
            file_err("k[0]=nope"),
            "failed parsing --set-file data: open nope: no such file or directory"
        );
        assert_eq!(
            file_err("k"),
            "failed parsing --set-file data: key \"k\" has no value"
        );
        assert_eq!(
            file_err("k={p1"),
            "failed parsing --set-file data: list must terminate with '}'"
        );
    }

    #[test]
    fn file_paths_are_parsed_as_urls() {
        assert_eq!(
            file_err("k=/tmp/a%zz"),
            "failed parsing --set-file data: parse \"/tmp/a%zz\": invalid URL escape \"%zz\""
        );
        assert_eq!(
            file_err("k=/tmp/fb%2"),
            "failed parsing --set-file data: parse \"/tmp/fb%2\": invalid URL escape \"%2\""
        );
        assert_eq!(
            file_err("k=%"),
            "failed parsing --set-file data: parse \"%\": invalid URL escape \"%\""
        );
        assert_eq!(
            file_err("k=a_b:c"),
            "failed parsing --set-file data: parse \"a_b:c\": first path segment in URL cannot contain colon"
        );
        assert_eq!(
            file_err("k=:x"),
            "failed parsing --set-file data: parse \":x\": missing protocol scheme"
        );
        assert_eq!(
            file_err("k=/tmp/f\tb"),
            "failed parsing --set-file data: parse \"/tmp/f\\tb\": net/url: invalid control character in URL"
        );
        assert_eq!(
            file_err("k=p1#x%zz"),
            "failed parsing --set-file data: parse \"p1#x%zz\": invalid URL escape \"%zz\""
        );
        assert_eq!(
            file_err("k=//h%zz/x"),
            "failed parsing --set-file data: parse \"//h%zz/x\": invalid URL escape \"%zz\""
        );
        // Not errors for url.Parse: the file is then missing.
        for p in ["p1?x%zz", "c:/x", "/tmp/%41", "x:", "a/b:c"] {
            assert_eq!(
                file_err(&format!("k={p}")),
                format!("failed parsing --set-file data: open {p}: no such file or directory")
            );
        }
    }

    #[test]
    fn file_kind_reads_the_disk() {
        let dir = std::env::temp_dir().join(format!("difyx-strvals-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("v.txt");
        std::fs::write(&path, "line1\nline2").unwrap();
        let mut m = Map::new();
        parse_into(&format!("k={}", path.display()), &mut m, SetKind::File).unwrap();
        assert_eq!(show(&Value::Map(m)), "{k: \"line1\\nline2\"}");
        let missing = dir.join("missing.txt");
        let e = parse_into(
            &format!("k={}", missing.display()),
            &mut Map::new(),
            SetKind::File,
        )
        .unwrap_err();
        assert_eq!(
            e.0,
            format!(
                "failed parsing --set-file data: open {}: no such file or directory",
                missing.display()
            )
        );
        let e = parse_into(
            &format!("k={}", dir.display()),
            &mut Map::new(),
            SetKind::File,
        )
        .unwrap_err();
        assert_eq!(
            e.0,
            format!(
                "failed parsing --set-file data: read {}: is a directory",
                dir.display()
            )
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    // --- helpers ---------------------------------------------------------

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("a\"b\\c'"), r#""a\"b\\c'""#);
        assert_eq!(
            go_quote("\u{7}\u{8}\u{c}\n\r\t\u{b}\u{0}\u{7f}"),
            r#""\a\b\f\n\r\t\v\x00\x7f""#
        );
        assert_eq!(
            go_quote("é😀\u{200b}\u{feff}\u{e000}\u{f0000}"),
            r#""é😀\u200b\ufeff\ue000\U000f0000""#
        );
        assert_eq!(go_quote_runes("a'\""), r#"['a' '\'' '"']"#);
    }

    #[test]
    fn go_integer_parsing() {
        assert_eq!(go_atoi("+7"), Ok(7));
        assert_eq!(go_atoi("-0"), Ok(0));
        assert_eq!(go_atoi("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(
            go_atoi("+"),
            Err("strconv.Atoi: parsing \"+\": invalid syntax".into())
        );
        assert_eq!(
            go_atoi("99999999999999999999x"),
            Err("strconv.Atoi: parsing \"99999999999999999999x\": value out of range".into())
        );
        assert_eq!(
            go_atoi("1x"),
            Err("strconv.Atoi: parsing \"1x\": invalid syntax".into())
        );
        assert_eq!(go_parse_int("-9223372036854775809"), Err(NumError::Range));
    }

    #[test]
    fn flags_in_helm_order() {
        // HELM-CLI §2: json, set, string, file, literal. Each later one wins.
        assert_eq!(
            apply(
                "{}",
                &[
                    (SetKind::Json, r#"a={"j":1}"#),
                    (SetKind::Set, "a.s=2"),
                    (SetKind::String, "a.t=3"),
                    (SetKind::Literal, "a.s=l")
                ]
            ),
            "{a: {j: 1f, s: \"l\", t: \"3\"}}"
        );
        assert_eq!(
            apply("{}", &[(SetKind::Set, "a={1,2}"), (SetKind::Set, "a[3]=4")]),
            "{a: [1, 2, null, 4]}"
        );
    }
}
