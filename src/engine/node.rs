//! `Values` as the templates see it: a view that knows its own path.
//!
//! Every lookup (`Values.api.mail.type`) returns a [`Node`] that remembers the
//! dotted path it was reached by. Go-template rules come with it:
//!
//! * a missing key of a map reads as null (Go's `<no value>`), no error;
//! * reading *through* a null or a non-map is an error at that moment, named
//!   by the path (`api.mail: cannot read "type" from null`) — minijinja
//!   raises it as soon as the attribute is looked up;
//! * truth is Go's (`[]`, `{}`, `0`, `""` and null are false).
//!
//! Filters (see [`super::filters`]) use the path to name the offending value
//! in their own errors, so a template stays as short as Helm's
//! (`{{ Values.api.secretKey | b64enc }}`) and errors still say which key.

use std::borrow::Cow;
use std::fmt;
use std::ptr::NonNull;
use std::sync::{Arc, Mutex};

use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{Error, ErrorKind, Value as JValue};

use crate::values::gofmt::format_float;
use crate::values::Value;

/// State shared by every node of one render: the values and the warnings.
#[derive(Debug)]
pub struct Scope {
    /// Never mutated: [`Node`]s point into it.
    values: Arc<Value>,
    pub warnings: Mutex<Vec<String>>,
}

impl Scope {
    pub fn new(values: Arc<Value>) -> Arc<Self> {
        Arc::new(Scope {
            values,
            warnings: Mutex::new(Vec::new()),
        })
    }

    /// Records a warning once (templates may meet the same value repeatedly).
    pub fn warn(&self, message: String) {
        let mut w = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        if !w.contains(&message) {
            w.push(message);
        }
    }

    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// One step of a path.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// The path a node was reached by, innermost step first: children share
/// their parent's path instead of copying it.
#[derive(Debug)]
struct Path {
    parent: Option<Arc<Path>>,
    step: Step,
}

/// A position in the values tree: the value there, and the path from the
/// root it was reached by.
#[derive(Clone, Debug)]
pub struct Node {
    scope: Arc<Scope>,
    /// `None` for the root.
    path: Option<Arc<Path>>,
    /// The value here, inside `scope.values`; `None` when some step is absent.
    value: Option<NonNull<Value>>,
}

// SAFETY: `value` points into `scope.values`, an `Arc<Value>` that nothing
// mutates (the field is private and only read) and that the node keeps
// alive through `scope`. The pointer is a shared reference whose lifetime
// the type system cannot name; sharing it across threads is as safe as
// sharing `&Value`, which is `Send + Sync`.
unsafe impl Send for Node {}
unsafe impl Sync for Node {}

impl Node {
    /// The root: `.Values`.
    pub fn root(scope: Arc<Scope>) -> Self {
        let value = Some(NonNull::from(&*scope.values));
        Node {
            scope,
            path: None,
            value,
        }
    }

    /// The value here, or `None` when some step is absent.
    pub fn get(&self) -> Option<&Value> {
        self.raw()
    }

    /// [`Node::get`] for the node's own use: a step by key or index, or
    /// the kind of value.
    fn raw(&self) -> Option<&Value> {
        // SAFETY: see the `Send`/`Sync` impls: the pointee lives as long as
        // `self.scope` and is never mutated.
        self.value.map(|v| unsafe { v.as_ref() })
    }

    /// The value here, absent read as null.
    pub fn value(&self) -> &Value {
        static NULL: Value = Value::Null;
        self.get().unwrap_or(&NULL)
    }

    /// The dotted path, e.g. `externalSecret.api.remoteRefs.SECRET_KEY.key`.
    pub fn path(&self) -> String {
        let mut steps = Vec::new();
        let mut link = self.path.as_deref();
        while let Some(p) = link {
            steps.push(&p.step);
            link = p.parent.as_deref();
        }
        let mut out = String::new();
        for step in steps.into_iter().rev() {
            match step {
                Step::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        if out.is_empty() {
            out.push_str("(the values)");
        }
        out
    }

    pub fn scope(&self) -> &Arc<Scope> {
        &self.scope
    }

    pub fn child_key(&self, key: &str) -> Node {
        let value = match self.raw() {
            Some(Value::Map(m)) => m.get(key).map(NonNull::from),
            _ => None,
        };
        self.child(Step::Key(key.to_owned()), value)
    }

    pub fn child_index(&self, index: usize) -> Node {
        let value = match self.raw() {
            Some(Value::List(l)) => l.get(index).map(NonNull::from),
            _ => None,
        };
        self.child(Step::Index(index), value)
    }

    fn child(&self, step: Step, value: Option<NonNull<Value>>) -> Node {
        Node {
            scope: self.scope.clone(),
            path: Some(Arc::new(Path {
                parent: self.path.clone(),
                step,
            })),
            value,
        }
    }

    fn last_key(&self) -> Option<&str> {
        match self.path.as_deref().map(|p| &p.step) {
            Some(Step::Key(k)) => Some(k),
            _ => None,
        }
    }
}

/// Describes a value for an error: its type, and the value itself when short.
pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Int(i) => format!("a number ({i})"),
        Value::Float(f) => format!("a number ({})", format_float(*f)),
        Value::String(s) if s.is_empty() => "an empty string".into(),
        Value::String(_) => "a string".into(),
        Value::List(l) if l.is_empty() => "an empty list".into(),
        Value::List(_) => "a list".into(),
        Value::Map(m) if m.is_empty() => "an empty map".into(),
        Value::Map(_) => "a map".into(),
    }
}

/// An error raised by a template about a user's value.
pub fn value_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

impl Object for Node {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        match self.raw().unwrap_or(&Value::Null) {
            Value::Map(_) => ObjectRepr::Map,
            Value::List(_) => ObjectRepr::Seq,
            _ => ObjectRepr::Plain,
        }
    }

    fn get_value(self: &Arc<Self>, key: &JValue) -> Option<JValue> {
        let here = self.raw().unwrap_or(&Value::Null);
        // The index is only worked out for a list: minijinja's `as_usize`
        // builds (and drops) an error for every string key it is given.
        let index = || match here {
            Value::List(_) => key.as_usize(),
            _ => None,
        };
        let result = match (here, key.as_str(), index()) {
            (Value::Map(_), Some(k), _) => Ok(self.child_key(k)),
            (Value::List(l), _, Some(i)) if i < l.len() => Ok(self.child_index(i)),
            (Value::List(l), _, Some(i)) => Err(format!(
                "{}: index {i} is out of range (the list has {} items)",
                self.path(),
                l.len()
            )),
            (Value::Null, _, _) => Err(format!(
                "{}: cannot read {key} from null (expected a map)",
                self.path()
            )),
            (other, _, _) => Err(format!(
                "{}: cannot read {key} from {} (expected a map)",
                self.path(),
                describe(other)
            )),
        };
        Some(match result {
            Ok(node) => JValue::from_object(node),
            Err(message) => JValue::from(value_error(message)),
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.value() {
            Value::Map(m) => {
                Enumerator::Values(m.keys().map(|k| JValue::from(k.as_str())).collect())
            }
            Value::List(l) => Enumerator::Seq(l.len()),
            _ => Enumerator::NonEnumerable,
        }
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        match self.value() {
            Value::Map(m) => Some(m.len()),
            Value::List(l) => Some(l.len()),
            _ => None,
        }
    }

    fn is_true(self: &Arc<Self>) -> bool {
        let v = self.value();
        // SPEC §7 B10: a quoted "false" switches a feature *on*.
        if let (Value::String(s), Some("enabled" | "useSSL")) = (v, self.last_key()) {
            self.scope.warn(format!(
                "{} is the string {s:?}, which counts as {} (any non-empty string is true); \
                 write true or false without quotes",
                self.path(),
                if s.is_empty() { "false" } else { "true" },
            ));
        }
        v.is_truthy()
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            Value::Null => Ok(()),
            Value::String(s) => f.write_str(s),
            other => f.write_str(&crate::values::gofmt::format_value(other)),
        }
    }
}

/// A template value as a values-tree value: borrowed where it lies in the
/// values, converted for literals and computed values. For the hot paths
/// that need the path only in an error ([`path_of`]).
pub fn value_of(v: &JValue) -> Cow<'_, Value> {
    match v.downcast_object_ref::<Node>() {
        Some(node) => Cow::Borrowed(node.value()),
        None => Cow::Owned(from_jinja(v)),
    }
}

/// The path a template value was read from (`None` for literals and
/// computed values).
pub fn path_of(v: &JValue) -> Option<String> {
    v.downcast_object_ref::<Node>().map(Node::path)
}

/// Turns a template value into a values-tree value and the path it came from
/// (`None` for literals and computed strings).
pub fn unwrap(v: &JValue) -> (Value, Option<String>) {
    if let Some(node) = v.downcast_object_ref::<Node>() {
        return (node.value().clone(), Some(node.path()));
    }
    (from_jinja(v), None)
}

/// Converts a plain minijinja value (a literal or a computed one).
pub fn from_jinja(v: &JValue) -> Value {
    use minijinja::value::ValueKind;
    if let Some(node) = v.downcast_object_ref::<Node>() {
        return node.value().clone();
    }
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => Value::Null,
        ValueKind::Bool => Value::Bool(v.is_true()),
        ValueKind::String => Value::String(v.as_str().unwrap_or_default().to_owned()),
        ValueKind::Number => match i64::try_from(v.clone()) {
            Ok(i) if v.as_i64().is_some() => Value::Int(i),
            _ => Value::Float(f64::try_from(v.clone()).unwrap_or(f64::NAN)),
        },
        ValueKind::Seq | ValueKind::Iterable => Value::List(
            v.try_iter()
                .map(|it| it.map(|x| from_jinja(&x)).collect())
                .unwrap_or_default(),
        ),
        ValueKind::Map => {
            let mut m = crate::values::Map::new();
            if let Ok(keys) = v.try_iter() {
                for k in keys {
                    let val = v.get_item(&k).unwrap_or_default();
                    m.insert(k.to_string(), from_jinja(&val));
                }
            }
            Value::Map(m)
        }
        _ => Value::String(v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse_values;

    fn root(yaml: &str) -> Node {
        let values = parse_values(yaml, "t.yaml").expect("valid YAML");
        Node::root(Scope::new(Arc::new(Value::Map(values))))
    }

    #[test]
    fn children_find_their_values_and_remember_their_paths() {
        let r = root("a:\n  b:\n    - x: 1\n    - x: 2\n");
        let x = r
            .child_key("a")
            .child_key("b")
            .child_index(1)
            .child_key("x");
        assert_eq!(x.get(), Some(&Value::Float(2.0)));
        assert_eq!(x.path(), "a.b[1].x");
        assert_eq!(x.last_key(), Some("x"));
        assert_eq!(r.path(), "(the values)");
        assert_eq!(
            r.child_key("a").child_key("b").child_index(0).last_key(),
            None
        );
    }

    #[test]
    fn absent_steps_read_as_null_all_the_way_down() {
        let r = root("a:\n  b: text\nl: [1]\n");
        for node in [
            r.child_key("missing").child_key("deeper"),
            r.child_key("a").child_key("b").child_key("c"),
            r.child_key("l").child_index(1),
            r.child_key("a").child_index(0),
        ] {
            assert_eq!(node.get(), None, "{}", node.path());
            assert_eq!(node.value(), &Value::Null);
        }
        assert_eq!(
            r.child_key("missing").child_key("deeper").path(),
            "missing.deeper"
        );
    }

    #[test]
    fn a_node_outlives_the_handles_it_was_reached_by() {
        let leaf = {
            let r = root("a:\n  b: kept\n");
            let a = r.child_key("a");
            a.child_key("b")
        };
        let other_thread = std::thread::spawn(move || leaf.value().as_str().map(str::to_owned));
        assert_eq!(other_thread.join().unwrap().as_deref(), Some("kept"));
    }
}
