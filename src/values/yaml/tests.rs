//! Unit tests of the reader. Every expectation about Helm was checked with
//! Helm 4.3.1 (`helm template` of a chart whose only template is
//! `{{ toYaml .Values }}`); `tests/helm_yaml.rs` checks thousands more.

use super::*;

fn parse(text: &str) -> Result<Map, String> {
    parse_values(text, "t.yaml").map_err(|e| e.message)
}

fn one(yaml: &str) -> Value {
    let m = parse(&format!("v: {yaml}\n")).expect(yaml);
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
    for s in ["\"no\"", "yEs", "oN", "tRUE"] {
        assert!(matches!(one(s), Value::String(_)), "{s}");
    }
}

#[test]
fn yaml_11_numbers_are_floats() {
    let cases: &[(&str, f64)] = &[
        ("6379", 6379.0),
        ("+12", 12.0),
        ("-0", 0.0),
        ("1_000", 1000.0),
        ("1__0", 10.0),
        ("1_000.5", 1000.5),
        ("0x1F", 31.0),
        ("0X1F", 31.0),
        ("-0x1F", -31.0),
        ("0o17", 15.0),
        ("0O17", 15.0),
        ("017", 15.0),
        ("0123", 83.0),
        ("-0123", -83.0),
        ("08", 8.0),
        ("019", 19.0),
        ("0123.5", 123.5),
        ("0b101", 5.0),
        ("-0b101", -5.0),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("1.e3", 1000.0),
        (".5", 0.5),
        // A leading `.` goes to Go's ParseFloat as written: `_` only
        // between digits (checked against Helm 4.3.1).
        (".5_0", 0.5),
        (".5e1_0", 5e9),
        ("+.5", 0.5),
        ("1.", 1.0),
        ("1e-400", 0.0),
        ("12345678901234567890", 12_345_678_901_234_567_890.0),
        ("-9223372036854775809", -9_223_372_036_854_775_809.0),
    ];
    for (src, want) in cases {
        assert_eq!(one(src), Value::Float(*want), "{src}");
    }
}

#[test]
fn nulls_and_strings() {
    assert_eq!(one("~"), Value::Null);
    assert_eq!(one("null"), Value::Null);
    assert_eq!(one("NULL"), Value::Null);
    assert_eq!(one(""), Value::Null);
    for s in [
        "2001-12-14",
        "1:30",
        "190:20:30",
        "0b",
        "0x",
        "0o8",
        "1e",
        "_1",
        "1,000",
        "1e400",
        "0xFFFFFFFFFFFFFFFFFF",
        "<<",
        "=",
        ".",
        "-x",
    ] {
        assert_eq!(one(s), Value::from(s), "{s}");
    }
    assert_eq!(one("'0123'"), Value::from("0123"));
}

#[test]
fn non_finite_floats_are_errors_where_they_stay() {
    for text in ["v: .inf\n", "v: -.Inf\n", "v: .nan\n", "v: [1, .inf]\n"] {
        let err = parse(text).unwrap_err();
        assert!(err.contains("json: unsupported value"), "{text}: {err}");
    }
    // Helm: a duplicate key whose first value is -.inf and last is true renders.
    assert_eq!(
        parse("k: -.inf\nk: true\n").unwrap()["k"],
        Value::Bool(true)
    );
}

#[test]
fn keys_become_strings() {
    let m = parse("on: a\n0x1F: b\n1e3: c\n1.5: d\n").unwrap();
    let keys: Vec<&str> = m.keys().map(String::as_str).collect();
    assert_eq!(keys, ["1.5", "1000", "31", "true"]);
    // Integer keys keep every digit; float keys are printed at single precision.
    let m = parse("123456789012345678: a\n1.23456789012345: b\n16777217.0: c\n0.1: d\n1e21: e\n")
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
    let m = parse("{.inf: 1, -.inf: 2, .nan: 3, .Inf: 4}\n").unwrap();
    let keys: Vec<&str> = m.keys().map(String::as_str).collect();
    assert_eq!(keys, ["-.inf", ".inf", ".nan"]);
    assert_eq!(m[".inf"], Value::Float(4.0));
    assert!(parse("~: x\n").unwrap_err().contains("unsupported map key"));
}

#[test]
fn uint64_keys_are_errors() {
    let err = parse("9223372036854775808: x\n").unwrap_err();
    assert!(err.contains("unsupported map key of type: uint64"), "{err}");
    // As in Go, only where the map survives: a later value replaces it.
    assert!(parse("a: {9223372036854775808: x}\na: 1\n").is_ok());
    assert!(parse("a: {~: x}\na: 1\n").is_ok());
}

#[test]
fn duplicate_keys_last_wins_and_merge_keys_apply() {
    let m = parse("a: 1\na: 2\n").unwrap();
    assert_eq!(m["a"], Value::Float(2.0));
    let m = parse("base: &b {k: x, j: why}\nm:\n  k: own\n  <<: *b\n").unwrap();
    let inner = m["m"].as_map().unwrap();
    // `<<` overrides keys written before it (SPEC §2.1).
    assert_eq!(inner["k"], Value::from("x"));
    assert_eq!(inner["j"], Value::from("why"));
    let m = parse("a: &a {k: 1}\nb: &b {k: 2}\nm: {<<: [*a, *b], k2: 3}\nafter: {<<: *a, k: 9}\n")
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
    for bad in [
        "v: {<<: 5}\n",
        "v: {<<: [5]}\n",
        "v: {<<: ~}\n",
        "b: &b [1]\na: {<<: [{a: 1}, *b]}\n",
        // An alias of a list of maps (Helm 4.3.1 fails too).
        "l: &l [{a: 1}]\nm: {<<: *l}\n",
        "l: &l [{a: 1}]\nm: {<<: [*l]}\n",
    ] {
        let err = parse(bad).unwrap_err();
        assert!(
            err.contains("map merge requires map or sequence of maps"),
            "{bad}: {err}"
        );
    }
}

/// Helm merges a `<<` inside a node reached through an alias.
#[test]
fn merge_keys_inside_aliased_nodes() {
    let m = parse("api: &a {remoteRefs: {K: {<<: {key: k}}}}\nworker: {<<: *a}\n").unwrap();
    for who in ["api", "worker"] {
        assert_eq!(
            m[who].lookup(["remoteRefs", "K", "key"]),
            Some(&Value::from("k")),
            "{who}: {m:?}"
        );
    }
}

/// Which spellings of `<<` merge, as Helm 4.3.1 reads them.
#[test]
fn only_goyaml_merge_keys_merge() {
    let merges = |key: &str| {
        let text = format!("k: &k <<\nx:\n  {key}: {{a: 1}}\n  b: 2\n");
        let m = parse(&text).unwrap_or_else(|e| panic!("{key}: {e}"));
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
}

#[test]
fn anchors_and_aliases() {
    // An alias is the last definition before it.
    let m = parse("a: &x 1\nb: *x\nc: &x 2\nd: *x\n").unwrap();
    assert_eq!(m["b"], Value::Float(1.0));
    assert_eq!(m["d"], Value::Float(2.0));
    assert!(parse("a: *x\nb: &x 1\n")
        .unwrap_err()
        .contains("unknown anchor 'x' referenced"));
    assert!(parse("a: &a {b: *a}\n")
        .unwrap_err()
        .contains("anchor 'a' value contains itself"));
}

#[test]
fn tags_as_goyaml_v2_reads_them() {
    let m = parse(
        "a1: !!str 123\na2: !!int \"5\"\na3: !!float 1\na4: !!bool yes\na5: !!null \"\"\n\
         b1: !!binary aGVsbG8=\nb2: !foo bar\nb3: !!map {a: 1}\nb4: !!seq [1]\nb5: ! 12\n",
    )
    .unwrap();
    assert_eq!(m["a1"], Value::from("123"));
    assert_eq!(m["a2"], Value::Float(5.0));
    assert_eq!(m["a3"], Value::Float(1.0));
    assert_eq!(m["a4"], Value::Bool(true));
    assert_eq!(m["a5"], Value::Null);
    assert_eq!(m["b1"], Value::from("hello"));
    assert_eq!(m["b2"], Value::from("bar"));
    assert!(matches!(m["b3"], Value::Map(_)));
    assert!(matches!(m["b4"], Value::List(_)));
    assert_eq!(m["b5"], Value::from("12"));
    // Invalid UTF-8 from !!binary: one U+FFFD per byte, as Go's JSON writes it.
    assert_eq!(
        one("!!binary 8J+Y"),
        Value::from("\u{fffd}\u{fffd}\u{fffd}")
    );
    for (text, msg) in [
        (
            "v: !!timestamp foo\n",
            "cannot decode !!str `foo` as a !!timestamp",
        ),
        ("v: !!int foo\n", "cannot decode !!str `foo` as a !!int"),
        (
            "v: !!float 18446744073709551615\n",
            "cannot decode !!int `18446744073709551615` as a !!float",
        ),
        (
            "v: !!binary '-'\n",
            "!!binary value contains invalid base64 data",
        ),
    ] {
        let err = parse(text).unwrap_err();
        assert!(err.contains(msg), "{text}: {err}");
    }
}

/// Helm renders `!!timestamp 2001-12-14` as the string it was written as.
#[test]
fn tagged_timestamps_stay_strings() {
    assert_eq!(
        parse("secretKey: !!timestamp 2001-12-14\n").unwrap()["secretKey"],
        Value::from("2001-12-14")
    );
    assert_eq!(
        one("!!timestamp 2001-12-14T21:59:43.10Z"),
        Value::from("2001-12-14T21:59:43.10Z")
    );
    assert_eq!(
        one("!!timestamp 2001-12-14 21:59:43.10"),
        Value::from("2001-12-14 21:59:43.10")
    );
    assert!(parse("v: !!timestamp 2001-02-30\n").is_err());
}

/// goyaml.v2's tags run on through `,`, `[` and `]`; libyaml-safer panicked
/// on `[!a,b]`, libyaml 0.2.5 reads an empty tagged node there.
#[test]
fn tags_with_flow_indicators() {
    assert_eq!(one("!a[b] 1"), Value::from("1"));
    assert_eq!(one("!!str,x 1"), Value::from("1"));
    assert_eq!(one("[!a, b]"), Value::List(vec!["b".into()]));
    assert_eq!(one("[!!str, b]"), Value::List(vec!["b".into()]));
    for bad in ["v: [!a,b]\n", "v: {k: !a,b}\n", "v: !a{b} 1\n"] {
        assert!(parse(bad).is_err(), "{bad}");
    }
}

/// Helm reads an unknown local tag's scalar as a string.
#[test]
fn local_tags_leave_strings() {
    assert_eq!(
        parse("apiKey: !local 6380\n").unwrap()["apiKey"],
        Value::from("6380")
    );
}

/// goyaml.v2 has no `\/` escape (libyaml 0.2.5 has), but has `\'`.
#[test]
fn double_quote_escapes_are_goyaml_v2_s() {
    let err = parse("key: \"dify\\/x\"\n").unwrap_err();
    assert!(err.contains("found unknown escape character"), "{err}");
    assert!(err.starts_with("failed to parse t.yaml:1:"), "{err}");
    assert_eq!(one("\"it\\'s\""), Value::from("it's"));
    assert_eq!(one("\"a\\\\/b\""), Value::from("a\\/b"));
    assert_eq!(one("\"\\x41\\u263A\\t\""), Value::from("A\u{263a}\t"));
}

/// goyaml.v2's plain scalars in flow collections: `?` ends one, a `:`
/// before `,[]{}` belongs to one.
#[test]
fn flow_plain_scalars_are_goyaml_v2_s() {
    // Found by tests/helm_yaml.rs: with a byte-order mark, and a complex key.
    assert_eq!(
        parse("\u{feff}x: [.:, a]\n").unwrap()["x"],
        Value::List(vec![".:".into(), "a".into()])
    );
    assert!(parse("\u{feff}b: {? complex: {}, q: \"a\\'\"}\n").is_ok());
    assert!(parse("\u{feff}b: \"a\\/\"\n").is_err());
    assert!(parse("c: [a?b]\n").is_err());
    assert!(parse("c: [a, b?]\n").is_err());
    assert_eq!(
        parse("c: [a:]\n").unwrap()["c"],
        Value::List(vec!["a:".into()])
    );
    assert_eq!(
        parse("c: [a:, b]\n").unwrap()["c"],
        Value::List(vec!["a:".into(), "b".into()])
    );
    let m = parse("b: {a:b}\nc: {a: b:c}\nu: [http://x:1]\n").unwrap();
    assert_eq!(m["b"].as_map().unwrap()["a:b"], Value::Null);
    assert_eq!(m["c"].as_map().unwrap()["a"], Value::from("b:c"));
    assert_eq!(m["u"], Value::List(vec!["http://x:1".into()]));
}

#[test]
fn documents_split_on_dash_lines_as_helm_does() {
    let m = parse("a: {p: 1, q: 1}\n---\na: {q: 2}\n").unwrap();
    let a = m["a"].as_map().unwrap();
    assert_eq!(a["p"], Value::Float(1.0));
    assert_eq!(a["q"], Value::Float(2.0));
    // Only the first document of a part: after `...` nothing is read.
    assert_eq!(parse("v: 1\n...\n]]]\n").unwrap().len(), 1);
    assert!(parse("v: 1\n--- # comment\nw: 2\n")
        .unwrap()
        .contains_key("w"));
    assert!(parse("---\nv: 1\n").unwrap().contains_key("v"));
    for (text, msg) in [
        // Helm: did not find expected <document start>
        (
            "%YAML 1.1\n---\n{}\n",
            "did not find expected <document start>",
        ),
        // Helm: did not find expected node content
        ("{}\n---\n...\n", "did not find expected node content"),
        ("--- {v: 1}\n", "invalid YAML document separator"),
        ("----\n", "invalid YAML document separator"),
    ] {
        let err = parse(text).unwrap_err();
        assert!(err.contains(msg), "{text:?}: {err}");
    }
}

#[test]
fn top_level_must_be_a_map() {
    let err = parse("- a\n- b\n").unwrap_err();
    assert!(err.contains("t.yaml"), "{err}");
    assert!(parse("").unwrap().is_empty());
    assert!(parse("# only a comment\n").unwrap().is_empty());
    assert!(parse("~\n").unwrap().is_empty());
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let err = parse_values("a: b\nc: [unclosed\n", "bad.yaml")
        .unwrap_err()
        .message;
    assert!(
        err.starts_with(
            "failed to parse bad.yaml:2:4: did not find expected ',' or ']' \
             (while parsing a flow sequence that starts here)"
        ),
        "{err}"
    );
    assert!(err.contains("2 | c: [unclosed\n  |    ^"), "{err}");
    let err = parse_values("a: 1\n---\nb: *nope\n", "bad.yaml")
        .unwrap_err()
        .message;
    assert!(
        err.starts_with("failed to parse bad.yaml:3:4: unknown anchor"),
        "{err}"
    );
    // The offending line is shown with a caret under the column.
    assert!(err.contains("3 | b: *nope\n  |    ^"), "{err}");
}

#[test]
fn crlf_and_byte_order_marks() {
    let m = parse("\u{feff}v: 1\r\nw: yes\r\n").unwrap();
    assert_eq!(m["v"], Value::Float(1.0));
    assert_eq!(m["w"], Value::Bool(true));
}

fn nested(depth: usize) -> String {
    let mut text = String::new();
    for i in 0..depth {
        text.push_str(&" ".repeat(i));
        text.push_str("k:\n");
    }
    text.push_str(&" ".repeat(depth));
    text.push_str("leaf: 1\n");
    text
}

#[test]
fn nesting_up_to_goyaml_s_limit() {
    crate::stack::with_big_stack(|| {
        let m = parse(&nested(150)).unwrap();
        let mut v = &Value::Map(m);
        for _ in 0..150 {
            v = &v.as_map().unwrap()["k"];
        }
        assert_eq!(v.as_map().unwrap()["leaf"], Value::Float(1.0));
        assert!(parse(&nested(9_000)).is_ok());
        // Helm's boundary: 10,000 collections in all read, 10,001 fail
        // (the top map and 9,999 lists; nested(n) holds n + 1 maps).
        let flow = |n: usize| format!("v: {}{}\n", "[".repeat(n), "]".repeat(n));
        assert!(parse(&flow(MAX_DEPTH - 1)).is_ok());
        let err = parse(&flow(MAX_DEPTH)).unwrap_err();
        assert!(err.contains("exceeded max depth of 10000"), "{err}");
        assert!(parse(&nested(MAX_DEPTH - 1)).is_ok());
        assert!(parse(&nested(MAX_DEPTH)).is_err());
    });
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
    }
    let err = parse(&text).unwrap_err();
    assert!(err.contains("excessive aliasing"), "{err}");
}

#[test]
fn parse_document_reads_one_document() {
    assert_eq!(parse_document("", "d").unwrap(), Value::Null);
    assert_eq!(
        parse_document("---\na: 1\n", "d").unwrap().lookup(["a"]),
        Some(&Value::Float(1.0))
    );
    assert!(parse_document("a: 1\n---\nb: 2\n", "d").is_err());
}

#[test]
fn go_number_parsing() {
    assert!(go_parse_int("0b", 0).is_err());
    assert_eq!(go_parse_int("0", 0).unwrap(), 0);
    assert_eq!(go_parse_int("-9223372036854775808", 0).unwrap(), i64::MIN);
    assert!(go_parse_int("9223372036854775808", 0).is_err());
    assert_eq!(go_parse_uint("9223372036854775808", 0).unwrap(), 1 << 63);
    assert!(
        is_yaml_style_float("1.e3") && is_yaml_style_float("-.5") && !is_yaml_style_float("1e")
    );
    assert!(is_timestamp("2001-1-2") && is_timestamp("2001-12-14t21:59:43.10+05:00"));
    assert!(!is_timestamp("2001-13-01") && !is_timestamp("2001-12-14 21:59:43.10 -5"));
}

#[test]
fn real_values_files_read() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in [
        "charts/dify/values.yaml",
        "tests/fixtures/production-values.yaml",
        "../shared/upstream/0.27.0/values.yaml",
    ] {
        let Ok(text) = std::fs::read_to_string(root.join(file)) else {
            continue;
        };
        let m = parse_values(&text, file).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(m.len() > 3, "{file}");
    }
}

#[test]
fn a_leading_dot_with_misplaced_underscores_stays_a_string() {
    // Go's ParseFloat refuses `_` next to a non-digit; so does goyaml.v2.
    for s in ["._5", "._", ".5_e1", ".5__0"] {
        assert_eq!(one(s), Value::from(s), "{s}");
    }
}

#[test]
fn plain_string_check_takes_the_short_way_only_where_the_long_way_agrees() {
    // Every short string over the characters of the short way (and a few
    // more) gets the same answer as reading `k: <s>` in full.
    let alphabet = [
        "a", "y", "e", "E", "n", "0", "1", "9", "_", ".", "/", "+", "-", "x", "o", "b", ":", "#",
        " ",
    ];
    let full = |s: &str| match parse_document(&format!("k: {s}\n"), "t") {
        Ok(Value::Map(m)) => m.len() == 1 && m.get("k").and_then(Value::as_str) == Some(s),
        _ => false,
    };
    let mut strings = vec![String::new()];
    for _ in 0..4 {
        let longer: Vec<String> = strings
            .iter()
            .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
            .collect();
        strings.extend(longer);
        strings.dedup();
    }
    for extra in [
        "yes",
        "Yes",
        "tRUE",
        "1e3",
        "1_000",
        ".inf",
        "0x1F",
        "0o17",
        "2001-12-14",
        "1:30",
        "dify/api",
        ".5_0",
    ] {
        strings.push(extra.to_owned());
    }
    for s in strings.iter().filter(|s| !s.is_empty()) {
        assert_eq!(reads_back_as_plain_string(s), full(s), "{s:?}");
    }
}

/// Reads `text`, counting how many times libyaml ran over it.
fn parse_counting(text: &str) -> (Result<Map, String>, usize) {
    PARSES.with(|p| p.set(0));
    let out = parse(text);
    (out, PARSES.with(std::cell::Cell::get))
}

/// Thousands of `\'` escapes read as Helm reads them, in a few reads of
/// the text (one rewrite and reread each made reading quadratic, and more
/// than 1,000 failed).
#[test]
fn many_quote_escapes_cost_a_few_reads() {
    let text: String = (0..2000)
        .map(|i| format!("k{i}: \"it\\'s {i}\"\n"))
        .collect();
    let (m, reads) = parse_counting(&text);
    let m = m.unwrap();
    assert_eq!(m.len(), 2000);
    for i in [0, 1, 999, 1999] {
        assert_eq!(m[&format!("k{i}")], Value::from(format!("it's {i}")));
    }
    assert!(reads <= 4, "{reads} reads");
    // Without escapes: one read.
    assert_eq!(parse_counting("a: \"b\"\n").1, 1);
}

/// A `\'` outside double quotes is two characters, whatever escapes come
/// before or after it (expectations from Helm 4.3.1).
#[test]
fn quote_escapes_only_in_double_quotes() {
    let text = r#"a: "x\'y"
b: 'it\''s'
c: plain\'s
# comment don\'t
d: |
  echo \'hi\'
e: "\\'"
f: "\\\'"
g: "p\'q" # r\'s
h: [a:, "b\'", !t[x] "c\'"]
i: !a[b] "c\'"
j: >
  fold\'d
k: "end\'"
"#;
    let (m, reads) = parse_counting(text);
    let m = m.unwrap();
    let s = |k: &str| m[k].clone();
    assert_eq!(s("a"), Value::from("x'y"));
    assert_eq!(s("b"), Value::from("it\\'s"));
    assert_eq!(s("c"), Value::from("plain\\'s"));
    assert_eq!(s("d"), Value::from("echo \\'hi\\'\n"));
    assert_eq!(s("e"), Value::from("\\'"));
    assert_eq!(s("f"), Value::from("\\'"));
    assert_eq!(s("g"), Value::from("p'q"));
    assert_eq!(
        s("h"),
        Value::List(vec!["a:".into(), "b'".into(), "c'".into()])
    );
    assert_eq!(s("i"), Value::from("c'"));
    assert_eq!(s("j"), Value::from("fold\\'d\n"));
    assert_eq!(s("k"), Value::from("end'"));
    assert!(reads < 20, "{reads} reads");
}

/// Errors after (or among) escapes point where they did.
#[test]
fn quote_escapes_keep_error_places() {
    let err = parse("a: \"x\\'\"\nb: \"y\\'\"\nc: [1, 2\nd: \"z\\'\"\n").unwrap_err();
    assert!(err.starts_with("failed to parse t.yaml:4:"), "{err}");
    let err = parse("a: \"x\\'\"\nb: 'y\\'s'\nc: \"\\'\"\n").unwrap_err();
    assert!(err.starts_with("failed to parse t.yaml:2:"), "{err}");
    let err = parse("a: \"x\\'\"\nb: \"y\\/\"\nc: \"\\'\"\n").unwrap_err();
    assert!(err.starts_with("failed to parse t.yaml:2:6:"), "{err}");
}

/// Many escapes and many other goyaml.v2 constructs in one text.
#[test]
fn quote_escapes_mixed_with_other_rewrites() {
    let text: String = (0..300)
        .map(|i| format!("k{i}: [\"it\\'s\", a:, !t[x] {i}]  # don\\'t\n"))
        .collect();
    let m = parse(&text).unwrap();
    assert_eq!(
        m["k299"],
        Value::List(vec!["it's".into(), "a:".into(), "299".into()])
    );
}

/// Speculative rewriting reads every text as one rewrite at a time does:
/// texts made of escapes, quotes, comments, block and flow scalars.
#[test]
fn quote_escapes_speculation_matches_one_at_a_time() {
    const BITS: &[&str] = &[
        "\\'", "\\\\'", "'", "\"", "\\", "#", " # ", "\n", "\n  ", ": ", "a", "k: ", "- ", "[",
        "]", "{", "}", ", ", "|\n  ", ">\n  ", "!t[x] ", "&a ", "*a", ":", "x:]", "\t",
    ];
    let mut seed: u64 = 0x5eed;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let mut differ = Vec::new();
    let (mut speculated, mut speculated_ok) = (0, 0);
    for case in 0..20_000 {
        let mut text = String::new();
        for line in 0..1 + next(6) {
            text.push_str(&format!("k{line}: "));
            let quoted = next(3) == 0;
            if quoted {
                text.push('"');
            }
            for _ in 0..next(8) {
                text.push_str(BITS[next(BITS.len())]);
            }
            if quoted {
                text.push('"');
            }
            text.push('\n');
        }
        PARSES.with(|p| p.set(0));
        let fast = parse(&text);
        if PARSES.with(std::cell::Cell::get) > 1 {
            speculated += 1;
            if fast.is_ok() {
                speculated_ok += 1;
            }
        }
        ONE_AT_A_TIME.with(|f| f.set(true));
        let slow = parse(&text);
        ONE_AT_A_TIME.with(|f| f.set(false));
        if fast != slow {
            differ.push(format!(
                "case {case}: {text:?}\n  fast {fast:?}\n  slow {slow:?}"
            ));
        }
    }
    eprintln!("{speculated} reread, {speculated_ok} of them read");
    assert!(speculated_ok > 100, "{speculated_ok}");
    assert!(
        differ.is_empty(),
        "{}\n{}",
        differ.len(),
        differ[..differ.len().min(5)].join("\n")
    );
}
