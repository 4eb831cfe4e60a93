//! Values: the tree a chart's templates read, and every way Helm builds it.
//!
//! The pipeline is Helm's own (`pkg/cli/values` + `pkg/chart/common/util`):
//!
//! 1. [`yaml`] reads each `-f` file as YAML 1.1, every document of it, the way
//!    goyaml.v2 followed by a JSON round trip does (`yes` is true, `0123` is 83,
//!    every number is a float64);
//! 2. [`merge::merge_maps`] deep-merges those documents and files in order;
//! 3. [`strvals`] applies `--set-json`, `--set`, `--set-string`, `--set-file`
//!    and `--set-literal`, in that fixed order;
//! 4. [`merge::coalesce`] lays the result over the chart's default values.
//!
//! [`Value`] mirrors Go's `interface{}` as Helm sees it after JSON conversion:
//! maps are keyed by strings and iterate in byte-wise key order, as Go
//! templates range over them.

pub mod de;
pub mod emit;
pub mod file;
pub mod gofmt;
pub mod map;
pub mod merge;
pub mod schema;
pub mod strvals;
pub mod subcharts;
pub mod yaml;

pub use map::Map;

/// One node of a values tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A 64-bit integer. Only `--set` produces these; files give floats.
    Int(i64),
    /// A float64: every number read from YAML or JSON.
    Float(f64),
    String(String),
    List(Vec<Value>),
    Map(Map),
}

impl Value {
    /// Go-template truth: null, `false`, zero, `""`, `[]` and `{}` are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
        }
    }

    /// The type's name as a user reads it in an error message.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::List(_) => "a list",
            Value::Map(_) => "a map",
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Follows a dotted path of map keys; `None` where a step is absent or
    /// goes through a non-map.
    pub fn lookup<I, S>(&self, path: I) -> Option<&Value>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut cur = self;
        for key in path {
            cur = cur.as_map()?.get(key.as_ref())?;
        }
        Some(cur)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::String(v) => s.serialize_str(v),
            Value::List(l) => s.collect_seq(l),
            Value::Map(m) => s.collect_map(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_truthiness() {
        for falsy in [
            Value::Null,
            Value::Bool(false),
            Value::Int(0),
            Value::Float(0.0),
            Value::Float(-0.0),
            Value::from(""),
            Value::List(vec![]),
            Value::Map(Map::new()),
        ] {
            assert!(!falsy.is_truthy(), "{falsy:?} should be falsy");
        }
        for truthy in [
            Value::Bool(true),
            Value::Int(-1),
            Value::Float(0.5),
            Value::from("false"),
            Value::from("0"),
            Value::from(" "),
            Value::List(vec![Value::Bool(false)]),
        ] {
            assert!(truthy.is_truthy(), "{truthy:?} should be truthy");
        }
    }

    #[test]
    fn lookup_follows_maps_only() {
        let mut inner = Map::new();
        inner.insert("b".into(), Value::from("x"));
        let mut root = Map::new();
        root.insert("a".into(), Value::Map(inner));
        root.insert("s".into(), Value::from("str"));
        let root = Value::Map(root);
        assert_eq!(root.lookup(["a", "b"]), Some(&Value::from("x")));
        assert_eq!(root.lookup(["a", "c"]), None);
        assert_eq!(root.lookup(["s", "b"]), None);
    }
}
