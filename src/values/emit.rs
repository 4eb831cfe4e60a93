//! Values back to YAML text (`difyx values`), in the layout of Helm's
//! `toYaml`: keys sorted, block style, lists at their key's indentation.
//! Every string is written so that it reads back as the same string.

use super::gofmt::format_float_yaml;
use super::Value;
use crate::engine::scalar::yaml_string;

/// A values tree as a YAML document (a map gives `key: value` lines).
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Map(m) if m.is_empty() => out.push_str("{}\n"),
        Value::List(l) if l.is_empty() => out.push_str("[]\n"),
        Value::Map(_) | Value::List(_) => write_block(&mut out, v, 0),
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
    out
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_float_yaml(*f),
        Value::String(s) => yaml_string(s),
        Value::List(l) if l.is_empty() => "[]".into(),
        Value::Map(m) if m.is_empty() => "{}".into(),
        Value::List(_) | Value::Map(_) => unreachable!("containers are written as blocks"),
    }
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Map(m) => !m.is_empty(),
        Value::List(l) => !l.is_empty(),
        _ => false,
    }
}

fn write_block(out: &mut String, v: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match v {
        Value::Map(m) => {
            for (k, child) in m {
                out.push_str(&pad);
                out.push_str(&yaml_string(k));
                out.push(':');
                match child {
                    Value::Map(_) if is_block(child) => {
                        out.push('\n');
                        write_block(out, child, indent + 2);
                    }
                    Value::List(_) if is_block(child) => {
                        out.push('\n');
                        write_block(out, child, indent);
                    }
                    scalar => {
                        out.push(' ');
                        out.push_str(&scalar_text(scalar));
                        out.push('\n');
                    }
                }
            }
        }
        Value::List(l) => {
            for item in l {
                out.push_str(&pad);
                out.push('-');
                if is_block(item) {
                    // The first line of the item goes after "- ", the rest indented by 2.
                    let mut inner = String::new();
                    write_block(&mut inner, item, indent + 2);
                    out.push(' ');
                    out.push_str(&inner[indent + 2..]);
                } else {
                    out.push(' ');
                    out.push_str(&scalar_text(item));
                    out.push('\n');
                }
            }
        }
        scalar => {
            out.push_str(&pad);
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse_values;

    #[test]
    fn round_trips() {
        let src = "a:\n  b: [1, 2.5, x, \"yes\", null, {k: v, j: [z]}]\n  e: {}\n  l: []\nnum: 1000000\ns: 'a: b'\n";
        let parsed = Value::Map(parse_values(src, "t").unwrap());
        let text = to_yaml(&parsed);
        let again = Value::Map(parse_values(&text, "t").unwrap());
        assert_eq!(parsed, again, "{text}");
        // As Helm's toYaml (JSON in between): a whole float64 that fits an
        // int64 prints as an integer; %v would print 1e+06.
        assert!(text.contains("num: 1000000\n"), "{text}");
    }
}
