//! The Helm-style filters, tests and functions the chart's templates use.
//!
//! Each one that reads a user's value accepts a [`Node`] and names its path
//! in any error, so `{{ Values.api.secretKey | b64enc }}` fails with
//! `api.secretKey: expected a string, got null` instead of Go-template
//! internals (SPEC §7 A7, D2, D7).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use minijinja::value::{Rest, ValueKind};
use minijinja::{Environment, Error, State, Value as JValue};

use super::node::{describe, path_of, unwrap, value_error, value_of, Node, Scope};
use super::scalar;
use crate::values::gofmt::format_float;
use crate::values::Value;

/// Registers everything below on `env`.
pub fn register(env: &mut Environment<'_>) {
    env.add_filter("b64enc", b64enc);
    env.add_filter("quote", quote);
    env.add_filter("yaml_string", yaml_string);
    env.add_filter("yaml_value", yaml_value);
    // Ends a document exactly where upstream's template ends it (Helm
    // keeps a template's trailing newlines as blank lines).
    env.add_filter("trim", minijinja::filters::trim);
    env.add_filter("str", str_filter);
    env.add_filter("required", required);
    env.add_filter("duration", duration);
    env.add_filter("one_of", one_of);
    env.add_filter("default", default);
    env.add_filter("trunc", trunc);
    env.add_filter("trim_suffix", trim_suffix);
    env.add_filter("port", port);
    env.add_filter("int", int);
    env.add_filter("until", until);
    env.add_filter("items", items);
    env.add_test("has_prefix", has_prefix);
    env.add_test("has_suffix", has_suffix);
    env.add_filter("entries", entries);
    env.add_filter("pick", pick);
    env.add_filter("first", first);
    env.add_filter("object_name", object_name);
    env.add_filter("label_value", label_value);
    env.add_test("streq", streq);
    env.add_test("null", is_null);
    env.add_filter("eso_ref", eso_ref);
    env.add_filter("toYaml", to_yaml);
    env.add_function("fail", fail);
    env.add_function("warn", warn);
    env.add_function("warn_unsupported", warn_unsupported);
    env.add_function("warn_url_reserved", warn_url_reserved);
}

/// `where: ` for an error about `v`: its path, or a description for computed values.
fn subject(path: &Option<String>, fallback: &str) -> String {
    path.clone().unwrap_or_else(|| fallback.to_owned())
}

/// The string in `v`, or an error naming its path and what was found.
fn need_string<'v>(v: &'v JValue, what: impl fmt::Display) -> Result<Cow<'v, str>, Error> {
    // Read in place: a string of the values tree, or a template's own.
    if let Some(node) = v.downcast_object_ref::<Node>() {
        if let Value::String(s) = node.value() {
            return Ok(Cow::Borrowed(s));
        }
    } else if v.kind() == ValueKind::String {
        if let Some(s) = v.as_str() {
            return Ok(Cow::Borrowed(s));
        }
    }
    match &*value_of(v) {
        Value::String(s) => Ok(Cow::Owned(s.clone())),
        other => Err(value_error(format!(
            "{}: expected {what}, got {}",
            subject(&path_of(v), "value"),
            describe(other)
        ))),
    }
}

fn b64enc(v: JValue) -> Result<String, Error> {
    let s = need_string(&v, "a string")?;
    Ok(base64::engine::general_purpose::STANDARD.encode(s.as_bytes()))
}

fn quote(v: JValue) -> Result<String, Error> {
    Ok(scalar::double_quoted(&need_string(&v, "a string")?))
}

fn yaml_string(v: JValue) -> Result<String, Error> {
    Ok(scalar::yaml_string(&need_string(&v, "a string")?))
}

/// A mapping value as Helm pastes it, quoted only where that would not
/// read back as the same string ([`scalar::yaml_value`]).
fn yaml_value(v: JValue) -> Result<String, Error> {
    Ok(scalar::yaml_value(&need_string(&v, "a string")?))
}

fn str_filter(v: JValue) -> Result<String, Error> {
    need_string(&v, "a string").map(Cow::into_owned)
}

/// A non-empty string, or an error: for fields that ESO requires.
fn required(v: JValue) -> Result<String, Error> {
    let s = need_string(&v, "a non-empty string")?;
    if s.is_empty() {
        let (_, path) = unwrap(&v);
        return Err(value_error(format!(
            "{}: expected a non-empty string, got an empty string",
            subject(&path, "value")
        )));
    }
    Ok(s.into_owned())
}

fn duration(v: JValue) -> Result<String, Error> {
    let s = need_string(&v, "a Go duration string such as \"15m\" or \"1h30m\"")?;
    scalar::check_go_duration(&s).map_err(|why| {
        let (_, path) = unwrap(&v);
        value_error(format!(
            "{}: {s:?} is not a valid duration ({why}); use a Go duration such as \"15m\", \"1h30m\" or \"30s\"",
            subject(&path, "duration")
        ))
    })?;
    Ok(s.into_owned())
}

fn one_of(v: JValue, allowed: Vec<String>) -> Result<String, Error> {
    let s = need_string(&v, OneOf(&allowed))?;
    if allowed.iter().any(|a| *a == s) {
        return Ok(s.into_owned());
    }
    let (_, path) = unwrap(&v);
    Err(value_error(format!(
        "{}: {s:?} is not allowed; expected one of {}",
        subject(&path, "value"),
        allowed.join(", ")
    )))
}

/// "one of a, b, c", for a message.
struct OneOf<'a>(&'a [String]);

impl fmt::Display for OneOf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "one of {}", self.0.join(", "))
    }
}

/// Helm's `toYaml`: any value as YAML text, keys sorted, no trailing newline.
fn to_yaml(v: JValue) -> String {
    let text = crate::values::emit::to_yaml(&unwrap(&v).0);
    text.trim_end_matches('\n').to_owned()
}

/// Helm's `default`: `fallback` when `v` is falsy by Go's rules, else `v` unchanged.
fn default(v: JValue, fallback: JValue) -> JValue {
    if value_of(&v).is_truthy() {
        v
    } else {
        fallback
    }
}

fn trunc(v: JValue, n: usize) -> Result<String, Error> {
    Ok(scalar::truncate_bytes(&need_string(&v, "a string")?, n).to_owned())
}

/// Removes `suffix` once from the end, as Sprig's `trimSuffix` does.
fn trim_suffix(v: JValue, suffix: String) -> Result<String, Error> {
    let s = need_string(&v, "a string")?;
    Ok(s.strip_suffix(suffix.as_str()).unwrap_or(&s).to_owned())
}

/// A port (or, with `what`, another number) for a URL: an integral number
/// in plain decimal, a string as is (SPEC §7.0 D6).
fn port(v: JValue, what: Option<String>) -> Result<String, Error> {
    match unwrap(&v) {
        (Value::String(s), _) => Ok(s),
        (Value::Int(i), _) => Ok(i.to_string()),
        (Value::Float(f), _) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok((f as i64).to_string()),
        (Value::Float(f), _) => Ok(format_float(f)),
        (other, path) => Err(value_error(format!(
            "{}: expected {}, got {}",
            subject(&path, "port"),
            what.as_deref().unwrap_or("a port number"),
            describe(&other)
        ))),
    }
}

/// Sprig's `int` (spf13/cast 1.7 `ToInt`) of a number or a numeric string;
/// where Sprig would silently give 0 (null, a boolean, a non-numeric
/// string, a list, a map), an error naming the path (CHART-VERSIONS §V V8).
fn sprig_int(v: &JValue) -> Result<i64, Error> {
    let (value, path) = unwrap(v);
    let n = match &value {
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.is_finite() => Some(f.trunc() as i64),
        Value::String(s) => go_parse_int(trim_zero_decimal(s)),
        _ => None,
    };
    n.ok_or_else(|| {
        value_error(format!(
            "{}: expected an integer, got {} (Helm's int would silently make it 0)",
            subject(&path, "value"),
            describe(&value)
        ))
    })
}

/// cast's `trimZeroDecimal`: "26379.0" and "26379.00" read as "26379".
fn trim_zero_decimal(s: &str) -> &str {
    let body = s.trim_end_matches('0');
    match body.strip_suffix('.') {
        Some(int) if body.len() < s.len() => int,
        _ => s,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: a sign, then decimal, `0x`/`0o`/`0b`
/// or a leading-`0` octal, `_` allowed between digits after a prefix or a digit.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d, true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d, true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    // Underscores only between digits (or right after a prefix).
    let bytes = digits.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'_' {
            let before_ok = if i == 0 {
                prefixed
            } else {
                bytes[i - 1] != b'_'
            };
            if !before_ok || i + 1 == bytes.len() {
                return None;
            }
        }
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() || clean.starts_with(['+', '-']) {
        return None;
    }
    let n = i64::from_str_radix(&clean, radix).ok()?;
    Some(if neg { -n } else { n })
}

/// `{{ x | int }}`: [`sprig_int`].
fn int(v: JValue) -> Result<i64, Error> {
    sprig_int(&v)
}

/// Sprig's `until (x | int)`: 0, 1, … up to the count `v`, which must not
/// be negative (Sprig would count down).
fn until(v: JValue) -> Result<Vec<i64>, Error> {
    let n = sprig_int(&v)?;
    if n < 0 {
        return Err(value_error(format!(
            "{}: expected a count of at least 0, got {n}",
            subject(&path_of(&v), "count")
        )));
    }
    Ok((0..n).collect())
}

/// The items of a list value, each knowing its path; null or absent gives
/// none (as Go's `range` over nil), anything else is an error.
fn items(v: JValue) -> Result<Vec<JValue>, Error> {
    let node = expect_node(&v)?;
    match node.value() {
        Value::Null => Ok(Vec::new()),
        Value::List(l) => Ok((0..l.len())
            .map(|i| JValue::from_object(node.child_index(i)))
            .collect()),
        other => Err(value_error(format!(
            "{}: expected a list, got {}",
            node.path(),
            describe(other)
        ))),
    }
}

/// `x is has_prefix("https://")`: Sprig's `hasPrefix`, for strings only.
fn has_prefix(v: JValue, prefix: String) -> Result<bool, Error> {
    Ok(need_string(&v, "a string")?.starts_with(prefix.as_str()))
}

/// `x is has_suffix(".com")`: Sprig's `hasSuffix`, for strings only.
fn has_suffix(v: JValue, suffix: String) -> Result<bool, Error> {
    Ok(need_string(&v, "a string")?.ends_with(suffix.as_str()))
}

/// Every entry of a map as `[key, value]` pairs, keys in byte-wise order.
fn entries(v: JValue) -> Result<Vec<JValue>, Error> {
    let node = expect_node(&v)?;
    match node.value() {
        Value::Map(m) => Ok(m
            .keys()
            .map(|k| {
                JValue::from(vec![
                    JValue::from(k.as_str()),
                    JValue::from_object(node.child_key(k)),
                ])
            })
            .collect()),
        other => Err(value_error(format!(
            "{}: expected a map, got {}",
            node.path(),
            describe(other)
        ))),
    }
}

/// The entries of a map named in `keys`, in that order, that are truthy.
fn pick(v: JValue, keys: Vec<String>) -> Result<Vec<JValue>, Error> {
    let node = expect_node(&v)?;
    let Value::Map(m) = node.value() else {
        return Err(value_error(format!(
            "{}: expected a map, got {}",
            node.path(),
            describe(node.value())
        )));
    };
    Ok(keys
        .iter()
        .filter(|k| m.get(k.as_str()).is_some_and(Value::is_truthy))
        .map(|k| {
            JValue::from(vec![
                JValue::from(k.as_str()),
                JValue::from_object(node.child_key(k)),
            ])
        })
        .collect())
}

/// The first element of a list.
fn first(v: JValue) -> Result<JValue, Error> {
    let Some(node) = v.downcast_object_ref::<Node>() else {
        return v.get_item_by_index(0);
    };
    match node.value() {
        Value::List(l) if !l.is_empty() => Ok(JValue::from_object(node.child_index(0))),
        other => Err(value_error(format!(
            "{}: expected a non-empty list, got {}",
            node.path(),
            describe(other)
        ))),
    }
}

fn expect_node(v: &JValue) -> Result<Node, Error> {
    v.downcast_object_ref::<Node>()
        .cloned()
        .ok_or_else(|| value_error(format!("expected a value from Values, got {v}")))
}

/// Checks that `v` is a valid Kubernetes object name. `source` names the
/// value(s) it was built from, for the message (SPEC §7.0 D5).
fn object_name(state: &State, v: JValue, source: String) -> Result<String, Error> {
    let name = need_string(&v, "a string")?;
    let source = path_of(&v).unwrap_or(source);
    if !scalar::is_dns1123_subdomain(&name) {
        return Err(value_error(format!(
            "{source}: the object name {name:?} is not a valid Kubernetes name \
             (lower-case letters, digits, '-' and '.', at most 253 characters, \
             starting and ending with a letter or digit)"
        )));
    }
    if name.len() > 63 {
        if let Some(scope) = scope_of(state) {
            scope.warn(format!(
                "{source}: the object name {name:?} is {} characters long; \
                 names over 63 characters break some tools (Helm does not shorten them)",
                name.len()
            ));
        }
    }
    Ok(name.into_owned())
}

fn label_value(v: JValue, source: String) -> Result<String, Error> {
    let value = need_string(&v, "a string")?;
    if !scalar::is_label_value(&value) {
        return Err(value_error(format!(
            "{source}: the label value {value:?} is not valid \
             (at most 63 of letters, digits, '-', '_' and '.', starting and ending with a letter or digit)"
        )));
    }
    Ok(value.into_owned())
}

/// `x is null`: absent or YAML null.
fn is_null(v: JValue) -> bool {
    *value_of(&v) == Value::Null
}

/// `x is streq("resend")`: string equality where null is simply unequal and
/// any other type is an error, as Go's `eq` does (SPEC §5.3.7).
fn streq(v: JValue, other: String) -> Result<bool, Error> {
    match unwrap(&v) {
        (Value::Null, _) => Ok(false),
        (Value::String(s), _) => Ok(s == other),
        (found, path) => Err(value_error(format!(
            "{}: expected a string, got {}",
            subject(&path, "value"),
            describe(&found)
        ))),
    }
}

/// The ESO template that copies fetched key `key` into the Secret:
/// `{{ .KEY }}` for a Go identifier, `{{ index . "some-key" }}` otherwise.
fn eso_ref(key: String) -> String {
    let identifier = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if identifier {
        format!("{{{{ .{key} }}}}")
    } else {
        let escaped = key.replace('\\', "\\\\").replace('"', "\\\"");
        format!("{{{{ index . \"{escaped}\" }}}}")
    }
}

/// Warns when a string that goes unescaped into the Celery broker URL holds
/// a character that makes the URL ambiguous (SPEC §7 B8); renders nothing.
fn warn_url_reserved(state: &State, v: JValue) -> String {
    if let (Value::String(s), Some(path)) = unwrap(&v) {
        if s.contains(['@', ':', '/', '#', '?']) {
            if let Some(scope) = scope_of(state) {
                scope.warn(format!(
                    "{path} contains a character reserved in URLs (@ : / # ?); CELERY_BROKER_URL \
                     embeds it unescaped, as upstream does, so Celery may misread the URL"
                ));
            }
        }
    }
    String::new()
}

fn fail(message: String) -> Result<String, Error> {
    Err(value_error(message))
}

fn scope_of(state: &State) -> Option<Arc<Scope>> {
    state
        .lookup("Values")
        .and_then(|v| v.downcast_object_ref::<Node>().map(|n| n.scope().clone()))
}

/// Records a warning for stderr; renders nothing.
fn warn(state: &State, message: Rest<String>) -> String {
    if let Some(scope) = scope_of(state) {
        scope.warn(message.join(""));
    }
    String::new()
}

/// Warns about each key of the map `refs` that is not in `supported` — the
/// chart ignores those silently (SPEC §7 B1) — with a "did you mean" hint.
fn warn_unsupported(refs: JValue, supported: Vec<String>) -> Result<String, Error> {
    let node = expect_node(&refs)?;
    let Value::Map(m) = node.value() else {
        return Ok(String::new());
    };
    for key in m.keys().filter(|k| !supported.contains(k)) {
        let hint = supported
            .iter()
            .find(|s| s.eq_ignore_ascii_case(key) || edit_distance(s, key) <= 2)
            .map(|s| format!(" Did you mean {s}?"))
            .unwrap_or_default();
        node.scope().warn(format!(
            "{}.{key} is not a key this ExternalSecret supports and is ignored.{hint} Supported: {}",
            node.path(),
            supported.join(", ")
        ));
    }
    Ok(String::new())
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("SECRET_KEY", "SECRET_KEY"), 0);
        assert_eq!(edit_distance("SECRET_KEY", "SECRET_KEYS"), 1);
        assert_eq!(edit_distance("DB_PASSWORD", "DB_PASWORD"), 1);
        assert_eq!(edit_distance("abc", "xyz"), 3);
    }

    #[test]
    fn eso_refs_use_index_for_non_identifiers() {
        assert_eq!(eso_ref("SECRET_KEY".into()), "{{ .SECRET_KEY }}");
        assert_eq!(
            eso_ref("postgres-password".into()),
            "{{ index . \"postgres-password\" }}"
        );
        assert_eq!(eso_ref("a\"b".into()), "{{ index . \"a\\\"b\" }}");
    }

    #[test]
    fn ports_print_as_plain_integers() {
        assert_eq!(port(JValue::from(6379), None).unwrap(), "6379");
        assert_eq!(port(JValue::from(1_000_000.0), None).unwrap(), "1000000");
        assert_eq!(port(JValue::from("06379"), None).unwrap(), "06379");
        assert!(port(JValue::from(true), None).is_err());
    }

    #[test]
    fn int_is_sprigs_but_fails_where_sprig_makes_zero() {
        let int = |v: JValue| sprig_int(&v).ok();
        assert_eq!(int(JValue::from(3)), Some(3));
        assert_eq!(int(JValue::from(2.9)), Some(2));
        assert_eq!(int(JValue::from("26379")), Some(26379));
        assert_eq!(int(JValue::from("26379.00")), Some(26379));
        assert_eq!(int(JValue::from("0x10")), Some(16));
        assert_eq!(int(JValue::from("010")), Some(8));
        assert_eq!(int(JValue::from("-2")), Some(-2));
        assert_eq!(int(JValue::from("1_000")), Some(1000));
        for bad in ["abc", "", "2.5", "2.", " 5", "1__0", "_1", "0x", "--1"] {
            assert_eq!(int(JValue::from(bad)), None, "{bad:?}");
        }
        assert_eq!(int(JValue::from(true)), None);
        assert_eq!(int(JValue::from(())), None);
        assert_eq!(until(JValue::from(3)).unwrap(), vec![0, 1, 2]);
        assert!(until(JValue::from(-1)).is_err());
    }
}
