//! A small JSON Schema evaluator that works on the values tree itself.
//!
//! Helm checks every render against the chart's `values.schema.json`. A
//! general validator (the `jsonschema` crate, [`super::general`]) handles
//! every keyword and draft, but compiling ours (936 lines, 303 `$ref`, 82
//! `if`) costs ~3 ms at every start and needs the whole values tree copied
//! into `serde_json` first — more than the rest of a render together.
//!
//! This module compiles the keywords values schemas use into a flat list of
//! nodes and checks the values in place, reporting the same violations at
//! the same paths with the same messages as the general validator. A schema
//! that uses anything else — another keyword, a remote `$ref`, a `format`, a
//! pattern `regex-lite` cannot compile, a keyword of the wrong type — is not
//! compiled here ([`compile`] returns `None`) and goes to the general
//! validator, which also words every error in the schema itself. The tests
//! hold the two to the same verdicts (`tests/schema.rs`).
//!
//! Semantics follow the `jsonschema` crate: `allOf`, `$ref`, `if`/`then`/
//! `else`, `properties`, `patternProperties`, `additionalProperties` and
//! `items` report their subschemas' violations; `anyOf` and `not` report one
//! violation at the value; `required` one per missing property. In drafts 4
//! to 7 a `$ref` hides its sibling keywords and an array `items` checks
//! items by position; in 2019-09 and 2020-12 (the default) siblings apply.

use regex_lite::Regex;
use serde_json::{Map as JsonMap, Value as Json};

use super::{messages, Violation};
use crate::values::{Map, Value};

type NodeId = usize;

/// A compiled schema: `nodes[0]` is the root.
#[derive(Debug)]
pub struct Compiled {
    nodes: Vec<Node>,
}

#[derive(Debug, Default)]
struct Node {
    keywords: Vec<Keyword>,
}

#[derive(Debug)]
enum Keyword {
    /// The schema `false`.
    False,
    /// A set of [`TYPE_NAMES`] bits.
    Type(u8),
    Enum {
        options: Vec<Json>,
        message: String,
    },
    Const {
        value: Json,
        message: String,
    },
    /// Sorted by name, for lookups from `additionalProperties`.
    Properties(Vec<(String, NodeId)>),
    PatternProperties(Vec<(Regex, NodeId)>),
    /// What `additionalProperties` applies to: keys neither in `properties`
    /// nor matching `patternProperties` of the same schema.
    AdditionalProperties {
        known: Vec<String>,
        patterns: Vec<Regex>,
        schema: Additional,
    },
    Required(Vec<String>),
    Items(NodeId),
    TupleItems(Vec<NodeId>),
    MinItems(u64),
    MaxItems(u64),
    MinLength(u64),
    MaxLength(u64),
    MinProperties(u64),
    MaxProperties(u64),
    Pattern {
        regex: Regex,
        source: String,
    },
    Minimum(Json),
    Maximum(Json),
    ExclusiveMinimum(Json),
    ExclusiveMaximum(Json),
    AllOf(Vec<NodeId>),
    AnyOf(Vec<NodeId>),
    Not(NodeId),
    If {
        condition: NodeId,
        then: Option<NodeId>,
        otherwise: Option<NodeId>,
    },
    Ref(NodeId),
}

#[derive(Debug)]
enum Additional {
    Forbidden,
    Schema(NodeId),
}

/// JSON type names in the order the validators list them (`jsonschema`'s
/// `JsonType` bits).
const TYPE_NAMES: [&str; 7] = [
    "null", "boolean", "integer", "number", "string", "array", "object",
];
const NULL: u8 = 1;
const BOOLEAN: u8 = 2;
const INTEGER: u8 = 4;
const NUMBER: u8 = 8;
const STRING: u8 = 16;
const ARRAY: u8 = 32;
const OBJECT: u8 = 64;

/// Keywords that only annotate, with the JSON type the meta-schema wants.
fn is_annotation(keyword: &str, value: &Json) -> bool {
    match keyword {
        "title" | "description" | "$comment" => value.is_string(),
        "readOnly" | "writeOnly" | "deprecated" => value.is_boolean(),
        "examples" => value.is_array(),
        "default" => true,
        _ => false,
    }
}

/// Compiles `doc`, or returns `None` when it uses anything this evaluator
/// does not implement exactly as the general validator does.
pub fn compile(doc: &Json) -> Option<Compiled> {
    let legacy = match doc.get("$schema") {
        None => false,
        Some(Json::String(uri)) => match dialect(uri)? {
            Dialect::Legacy => true,
            Dialect::Modern => false,
        },
        Some(_) => return None,
    };
    let mut compiler = Compiler {
        doc,
        legacy,
        nodes: vec![Node::default()],
        // `#` is the root, node 0.
        refs: vec![(String::new(), 0)],
        pending: Vec::new(),
    };
    compiler.node_into(doc, 0, true)?;
    // Definitions are compiled even when nothing refers to them, so that a
    // broken one is never accepted here while the general validator
    // (which checks the whole document against its meta-schema) refuses it.
    for key in ["definitions", "$defs"] {
        if let Some(Json::Object(defs)) = doc.get(key) {
            for name in defs.keys() {
                let pointer = format!("/{key}/{}", escape_pointer(name));
                compiler.reference(&pointer)?;
            }
        }
    }
    while let Some((id, pointer)) = compiler.pending.pop() {
        let target = doc.pointer(&pointer)?;
        compiler.node_into(target, id, false)?;
    }
    let compiled = Compiled {
        nodes: compiler.nodes,
    };
    // A loop of references that never descends into the value
    // (`{"$ref": "#"}`) would recurse forever here: such schemas are the
    // general validator's to judge.
    (!compiled.loops_in_place()).then_some(compiled)
}

enum Dialect {
    Legacy,
    Modern,
}

fn dialect(uri: &str) -> Option<Dialect> {
    let uri = uri.trim_end_matches('#');
    let uri = uri
        .strip_prefix("http://")
        .or_else(|| uri.strip_prefix("https://"))?;
    match uri {
        "json-schema.org/draft-04/schema"
        | "json-schema.org/draft-06/schema"
        | "json-schema.org/draft-07/schema" => Some(Dialect::Legacy),
        "json-schema.org/draft/2019-09/schema" | "json-schema.org/draft/2020-12/schema" => {
            Some(Dialect::Modern)
        }
        _ => None,
    }
}

fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

struct Compiler<'d> {
    doc: &'d Json,
    legacy: bool,
    nodes: Vec<Node>,
    /// JSON Pointer → node, for every `$ref` target seen.
    refs: Vec<(String, NodeId)>,
    /// Reference targets still to compile.
    pending: Vec<(NodeId, String)>,
}

impl<'d> Compiler<'d> {
    fn new_node(&mut self) -> NodeId {
        self.nodes.push(Node::default());
        self.nodes.len() - 1
    }

    fn subschema(&mut self, schema: &Json) -> Option<NodeId> {
        let id = self.new_node();
        self.node_into(schema, id, false)?;
        Some(id)
    }

    fn subschemas(&mut self, list: &Json) -> Option<Vec<NodeId>> {
        let list = list.as_array().filter(|l| !l.is_empty())?;
        list.iter().map(|s| self.subschema(s)).collect()
    }

    /// The node for a local JSON Pointer, compiled later if new.
    fn reference(&mut self, pointer: &str) -> Option<NodeId> {
        if let Some((_, id)) = self.refs.iter().find(|(p, _)| p == pointer) {
            return Some(*id);
        }
        self.doc.pointer(pointer)?;
        let id = self.new_node();
        self.refs.push((pointer.to_owned(), id));
        self.pending.push((id, pointer.to_owned()));
        Some(id)
    }

    fn node_into(&mut self, schema: &Json, id: NodeId, is_root: bool) -> Option<()> {
        let object = match schema {
            Json::Bool(true) => return Some(()),
            Json::Bool(false) => {
                self.nodes[id].keywords.push(Keyword::False);
                return Some(());
            }
            Json::Object(object) => object,
            _ => return None,
        };
        let mut keywords = Vec::new();
        if let Some(target) = object.get("$ref") {
            let pointer = percent_free_pointer(target.as_str()?)?;
            keywords.push(Keyword::Ref(self.reference(&pointer)?));
            if self.legacy {
                // Drafts 4-7: everything beside a $ref is ignored.
                self.nodes[id].keywords = keywords;
                return Some(());
            }
        }
        let mut if_then_else = (None, None, None);
        for (keyword, value) in object {
            match keyword.as_str() {
                "$ref" => {}
                "$schema" | "$id" if is_root => {}
                "definitions" | "$defs" if is_root && value.is_object() => {}
                "if" => if_then_else.0 = Some(value),
                "then" => if_then_else.1 = Some(value),
                "else" => if_then_else.2 = Some(value),
                "additionalProperties" | "patternProperties" | "properties" => {}
                _ if is_annotation(keyword, value) => {}
                _ => keywords.push(self.keyword(keyword, value)?),
            }
        }
        if let Some(k) = self.object_keywords(object)? {
            keywords.extend(k);
        }
        match if_then_else {
            (Some(condition), then, otherwise) => {
                let condition = self.subschema(condition)?;
                let then = match then {
                    Some(s) => Some(self.subschema(s)?),
                    None => None,
                };
                let otherwise = match otherwise {
                    Some(s) => Some(self.subschema(s)?),
                    None => None,
                };
                keywords.push(Keyword::If {
                    condition,
                    then,
                    otherwise,
                });
            }
            // `then`/`else` without `if` are ignored, but must be schemas.
            (None, then, otherwise) => {
                for s in [then, otherwise].into_iter().flatten() {
                    self.subschema(s)?;
                }
            }
        }
        self.nodes[id].keywords = keywords;
        Some(())
    }

    /// `properties`, `patternProperties` and `additionalProperties`, which
    /// depend on each other.
    fn object_keywords(&mut self, object: &JsonMap<String, Json>) -> Option<Option<Vec<Keyword>>> {
        let mut out = Vec::new();
        let mut known = Vec::new();
        if let Some(props) = object.get("properties") {
            let mut compiled = Vec::new();
            for (name, schema) in props.as_object()? {
                compiled.push((name.clone(), self.subschema(schema)?));
            }
            compiled.sort_by(|a, b| a.0.cmp(&b.0));
            known = compiled.iter().map(|(n, _)| n.clone()).collect();
            out.push(Keyword::Properties(compiled));
        }
        let mut patterns = Vec::new();
        if let Some(props) = object.get("patternProperties") {
            let mut compiled = Vec::new();
            for (pattern, schema) in props.as_object()? {
                let regex = regex(pattern)?;
                patterns.push(regex.clone());
                compiled.push((regex, self.subschema(schema)?));
            }
            out.push(Keyword::PatternProperties(compiled));
        }
        if let Some(additional) = object.get("additionalProperties") {
            let schema = match additional {
                Json::Bool(true) => None,
                Json::Bool(false) => Some(Additional::Forbidden),
                schema => Some(Additional::Schema(self.subschema(schema)?)),
            };
            if let Some(schema) = schema {
                out.push(Keyword::AdditionalProperties {
                    known,
                    patterns,
                    schema,
                });
            }
        }
        Some((!out.is_empty()).then_some(out))
    }

    fn keyword(&mut self, keyword: &str, value: &Json) -> Option<Keyword> {
        Some(match keyword {
            "type" => Keyword::Type(types(value)?),
            "enum" => {
                let options = value.as_array()?.clone();
                let message = messages::enumeration(&options);
                Keyword::Enum { options, message }
            }
            "const" => Keyword::Const {
                value: value.clone(),
                message: messages::constant(value),
            },
            "required" => Keyword::Required(unique_strings(value)?),
            "items" => match value {
                Json::Array(list) if self.legacy => Keyword::TupleItems(
                    list.iter()
                        .map(|s| self.subschema(s))
                        .collect::<Option<_>>()?,
                ),
                Json::Array(_) => return None,
                schema => Keyword::Items(self.subschema(schema)?),
            },
            "minItems" => Keyword::MinItems(value.as_u64()?),
            "maxItems" => Keyword::MaxItems(value.as_u64()?),
            "minLength" => Keyword::MinLength(value.as_u64()?),
            "maxLength" => Keyword::MaxLength(value.as_u64()?),
            "minProperties" => Keyword::MinProperties(value.as_u64()?),
            "maxProperties" => Keyword::MaxProperties(value.as_u64()?),
            "pattern" => {
                let source = value.as_str()?.to_owned();
                Keyword::Pattern {
                    regex: regex(&source)?,
                    source,
                }
            }
            "minimum" => Keyword::Minimum(number(value)?),
            "maximum" => Keyword::Maximum(number(value)?),
            "exclusiveMinimum" => Keyword::ExclusiveMinimum(number(value)?),
            "exclusiveMaximum" => Keyword::ExclusiveMaximum(number(value)?),
            "allOf" => Keyword::AllOf(self.subschemas(value)?),
            "anyOf" => Keyword::AnyOf(self.subschemas(value)?),
            "not" => Keyword::Not(self.subschema(value)?),
            _ => return None,
        })
    }
}

/// `#/definitions/x` → `/definitions/x`; only plain local pointers.
fn percent_free_pointer(reference: &str) -> Option<String> {
    let pointer = reference.strip_prefix('#')?;
    (pointer.is_empty() || pointer.starts_with('/') && !pointer.contains('%'))
        .then(|| pointer.to_owned())
}

fn regex(pattern: &str) -> Option<Regex> {
    // ECMA-262 escapes regex-lite reads differently, and anything it cannot
    // compile, go to the general validator.
    if pattern.contains("\\p") || pattern.contains("\\P") || pattern.contains("\\u") {
        return None;
    }
    Regex::new(pattern).ok()
}

fn number(value: &Json) -> Option<Json> {
    value.is_number().then(|| value.clone())
}

/// A list of distinct strings, as the meta-schemas want `required` and a
/// list of `type`s to be (the general validator refuses duplicates).
fn unique_strings(value: &Json) -> Option<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for name in value.as_array()? {
        let name = name.as_str()?;
        if names.iter().any(|n| n == name) {
            return None;
        }
        names.push(name.to_owned());
    }
    Some(names)
}

fn types(value: &Json) -> Option<u8> {
    let bit = |name: &str| TYPE_NAMES.iter().position(|t| *t == name).map(|i| 1u8 << i);
    match value {
        Json::String(name) => bit(name),
        Json::Array(list) if !list.is_empty() => unique_strings(value)?
            .iter()
            .try_fold(0u8, |acc, n| Some(acc | bit(n)?)),
        _ => None,
    }
}

/// A value as the evaluator sees it; the root is a bare map.
#[derive(Clone, Copy)]
enum Inst<'a> {
    Value(&'a Value),
    Root(&'a Map),
}

impl<'a> Inst<'a> {
    fn map(self) -> Option<&'a Map> {
        match self {
            Inst::Root(m) | Inst::Value(Value::Map(m)) => Some(m),
            _ => None,
        }
    }
    fn value(self) -> Option<&'a Value> {
        match self {
            Inst::Value(v) => Some(v),
            Inst::Root(_) => None,
        }
    }
    fn type_bits(self) -> u8 {
        match self.value() {
            None | Some(Value::Map(_)) => OBJECT,
            Some(Value::Null) => NULL,
            Some(Value::Bool(_)) => BOOLEAN,
            Some(Value::Int(_)) => INTEGER | NUMBER,
            Some(Value::Float(f)) if f.fract() == 0.0 => INTEGER | NUMBER,
            Some(Value::Float(_)) => NUMBER,
            Some(Value::String(_)) => STRING,
            Some(Value::List(_)) => ARRAY,
        }
    }
    fn type_name(self) -> &'static str {
        match self.value() {
            None | Some(Value::Map(_)) => "object",
            Some(Value::Null) => "null",
            Some(Value::Bool(_)) => "boolean",
            Some(Value::Int(_) | Value::Float(_)) => "number",
            Some(Value::String(_)) => "string",
            Some(Value::List(_)) => "array",
        }
    }
    fn number(self) -> Option<f64> {
        match self.value()? {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }
    fn json(self) -> Json {
        match self {
            Inst::Value(v) => super::general::to_json(v),
            Inst::Root(m) => super::general::map_to_json(m),
        }
    }
}

/// A step of the path to the value being checked.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn pointer(path: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in path {
        out.push('/');
        match step {
            Step::Key(k) => out.push_str(&escape_pointer(k)),
            Step::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

/// Where violations go: collected with their paths and messages, or only
/// noted (for conditions), in which case checking stops at the first.
enum Sink<'o> {
    Collect(&'o mut Vec<Violation>),
    Check(bool),
}

impl Sink<'_> {
    fn report(&mut self, path: &[Step<'_>], message: &dyn Fn() -> String) {
        match self {
            Sink::Collect(out) => out.push(Violation {
                path: pointer(path),
                message: message(),
            }),
            Sink::Check(failed) => *failed = true,
        }
    }
}

impl Compiled {
    /// The nodes a node applies to the same value (not to a part of it).
    fn in_place(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        for keyword in &self.nodes[id].keywords {
            match keyword {
                Keyword::Ref(n) | Keyword::Not(n) => out.push(*n),
                Keyword::AllOf(ns) | Keyword::AnyOf(ns) => out.extend(ns),
                Keyword::If {
                    condition,
                    then,
                    otherwise,
                } => {
                    out.push(*condition);
                    out.extend(then.iter().chain(otherwise));
                }
                _ => {}
            }
        }
        out
    }

    /// Whether some node reaches itself through [`Compiled::in_place`] edges.
    fn loops_in_place(&self) -> bool {
        // Depth-first search with colours: 0 unseen, 1 on the stack, 2 done.
        let mut colour = vec![0u8; self.nodes.len()];
        for root in 0..self.nodes.len() {
            if colour[root] != 0 {
                continue;
            }
            let mut stack = vec![(root, self.in_place(root), 0usize)];
            colour[root] = 1;
            while let Some((node, next, i)) = stack.last_mut() {
                match next.get(*i).copied() {
                    Some(child) => {
                        *i += 1;
                        match colour[child] {
                            1 => return true,
                            0 => {
                                colour[child] = 1;
                                let grandchildren = self.in_place(child);
                                stack.push((child, grandchildren, 0));
                            }
                            _ => {}
                        }
                    }
                    None => {
                        colour[*node] = 2;
                        stack.pop();
                    }
                }
            }
        }
        false
    }

    /// Every violation in `values`, unsorted.
    pub fn violations(&self, values: &Map) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut path = Vec::new();
        self.errors(
            0,
            Inst::Root(values),
            &mut path,
            &mut Sink::Collect(&mut out),
        );
        out
    }

    fn errors<'a>(&self, id: NodeId, inst: Inst<'a>, path: &mut Vec<Step<'a>>, out: &mut Sink<'_>) {
        for keyword in &self.nodes[id].keywords {
            self.keyword_errors(keyword, inst, path, out);
            if let Sink::Check(true) = out {
                return;
            }
        }
    }

    /// Whether `inst` is valid, without building a message: for `if`,
    /// `anyOf` and `not`, which ask only that.
    fn is_valid(&self, id: NodeId, inst: Inst<'_>) -> bool {
        let mut sink = Sink::Check(false);
        self.errors(id, inst, &mut Vec::new(), &mut sink);
        matches!(sink, Sink::Check(false))
    }

    fn keyword_errors<'a>(
        &self,
        keyword: &Keyword,
        inst: Inst<'a>,
        path: &mut Vec<Step<'a>>,
        out: &mut Sink<'_>,
    ) {
        let mut report = |message: &dyn Fn() -> String| out.report(path, message);
        match keyword {
            Keyword::False => report(&|| messages::FALSE_SCHEMA.to_owned()),
            Keyword::Type(bits) => {
                if inst.type_bits() & bits == 0 {
                    report(&|| {
                        let want: Vec<&str> = TYPE_NAMES
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| bits & (1 << i) != 0)
                            .map(|(_, n)| *n)
                            .collect();
                        messages::types(inst.type_name(), &want)
                    });
                }
            }
            Keyword::Enum { options, message } => {
                if !options.iter().any(|o| equals(inst, o)) {
                    report(&|| message.clone());
                }
            }
            Keyword::Const { value, message } => {
                if !equals(inst, value) {
                    report(&|| message.clone());
                }
            }
            Keyword::Required(names) => {
                if let Some(map) = inst.map() {
                    for name in names.iter().filter(|n| !map.contains_key(n.as_str())) {
                        report(&|| messages::required(name));
                    }
                }
            }
            Keyword::MinItems(limit) | Keyword::MaxItems(limit) => {
                if let Some(Value::List(items)) = inst.value() {
                    let n = items.len() as u64;
                    let min = matches!(keyword, Keyword::MinItems(_));
                    if (min && n < *limit) || (!min && n > *limit) {
                        let word = if min { "minItems" } else { "maxItems" };
                        report(&|| messages::count(word, n, *limit));
                    }
                }
            }
            Keyword::MinLength(limit) | Keyword::MaxLength(limit) => {
                if let Some(Value::String(s)) = inst.value() {
                    let n = s.chars().count() as u64;
                    let min = matches!(keyword, Keyword::MinLength(_));
                    if (min && n < *limit) || (!min && n > *limit) {
                        let word = if min { "minLength" } else { "maxLength" };
                        report(&|| messages::count(word, n, *limit));
                    }
                }
            }
            Keyword::MinProperties(limit) | Keyword::MaxProperties(limit) => {
                if let Some(map) = inst.map() {
                    let n = map.len() as u64;
                    let min = matches!(keyword, Keyword::MinProperties(_));
                    if (min && n < *limit) || (!min && n > *limit) {
                        let word = if min {
                            "minProperties"
                        } else {
                            "maxProperties"
                        };
                        report(&|| messages::count(word, n, *limit));
                    }
                }
            }
            Keyword::Pattern { regex, source } => {
                if let Some(Value::String(s)) = inst.value() {
                    if !regex.is_match(s) {
                        report(&|| messages::pattern(s, source));
                    }
                }
            }
            Keyword::Minimum(limit)
            | Keyword::Maximum(limit)
            | Keyword::ExclusiveMinimum(limit)
            | Keyword::ExclusiveMaximum(limit) => {
                if let (Some(x), Some(l)) = (inst.number(), limit.as_f64()) {
                    let (word, ok) = match keyword {
                        Keyword::Minimum(_) => ("minimum", x >= l),
                        Keyword::Maximum(_) => ("maximum", x <= l),
                        Keyword::ExclusiveMinimum(_) => ("exclusiveMinimum", x > l),
                        _ => ("exclusiveMaximum", x < l),
                    };
                    if !ok {
                        report(&|| messages::bound(word, &inst.json(), limit));
                    }
                }
            }
            Keyword::AnyOf(ids) => {
                if !ids.iter().any(|id| self.is_valid(*id, inst)) {
                    report(&|| messages::ANY_OF.to_owned());
                }
            }
            Keyword::Not(id) => {
                if self.is_valid(*id, inst) {
                    report(&|| messages::NOT.to_owned());
                }
            }
            Keyword::AllOf(ids) => {
                for id in ids {
                    self.errors(*id, inst, path, out);
                }
            }
            Keyword::Ref(id) => self.errors(*id, inst, path, out),
            Keyword::If {
                condition,
                then,
                otherwise,
            } => {
                let branch = if self.is_valid(*condition, inst) {
                    then
                } else {
                    otherwise
                };
                if let Some(id) = branch {
                    self.errors(*id, inst, path, out);
                }
            }
            Keyword::Properties(props) => {
                if let Some(map) = inst.map() {
                    for (name, id) in props {
                        if let Some((key, value)) = map.get_key_value(name.as_str()) {
                            path.push(Step::Key(key));
                            self.errors(*id, Inst::Value(value), path, out);
                            path.pop();
                        }
                    }
                }
            }
            Keyword::PatternProperties(patterns) => {
                if let Some(map) = inst.map() {
                    for (key, value) in map {
                        for (regex, id) in patterns {
                            if regex.is_match(key) {
                                path.push(Step::Key(key));
                                self.errors(*id, Inst::Value(value), path, out);
                                path.pop();
                            }
                        }
                    }
                }
            }
            Keyword::AdditionalProperties {
                known,
                patterns,
                schema,
            } => {
                if let Some(map) = inst.map() {
                    let extra = map.iter().filter(|(k, _)| {
                        known.binary_search_by(|n| n.as_str().cmp(k)).is_err()
                            && !patterns.iter().any(|r| r.is_match(k))
                    });
                    match schema {
                        Additional::Forbidden => {
                            let names: Vec<&str> = extra.map(|(k, _)| k.as_str()).collect();
                            if !names.is_empty() {
                                report(&|| messages::additional(&names));
                            }
                        }
                        Additional::Schema(id) => {
                            for (key, value) in extra {
                                path.push(Step::Key(key));
                                self.errors(*id, Inst::Value(value), path, out);
                                path.pop();
                            }
                        }
                    }
                }
            }
            Keyword::Items(id) => {
                if let Some(Value::List(items)) = inst.value() {
                    for (i, item) in items.iter().enumerate() {
                        path.push(Step::Index(i));
                        self.errors(*id, Inst::Value(item), path, out);
                        path.pop();
                    }
                }
            }
            Keyword::TupleItems(ids) => {
                if let Some(Value::List(items)) = inst.value() {
                    for (i, (item, id)) in items.iter().zip(ids).enumerate() {
                        path.push(Step::Index(i));
                        self.errors(*id, Inst::Value(item), path, out);
                        path.pop();
                    }
                }
            }
        }
    }
}

/// JSON equality as the validators define it: numbers by value.
fn equals(inst: Inst<'_>, json: &Json) -> bool {
    match inst {
        Inst::Root(map) => map_equals(map, json),
        Inst::Value(value) => value_equals(value, json),
    }
}

fn value_equals(value: &Value, json: &Json) -> bool {
    match (value, json) {
        (Value::Null, Json::Null) => true,
        (Value::Bool(a), Json::Bool(b)) => a == b,
        (Value::Int(i), Json::Number(n)) => match n.as_i64() {
            Some(j) => *i == j,
            None => n.as_f64() == Some(*i as f64),
        },
        (Value::Float(f), Json::Number(n)) => n.as_f64() == Some(*f),
        (Value::String(a), Json::String(b)) => a == b,
        (Value::List(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| value_equals(x, y))
        }
        (Value::Map(m), json) => map_equals(m, json),
        _ => false,
    }
}

fn map_equals(map: &Map, json: &Json) -> bool {
    match json {
        Json::Object(o) => {
            map.len() == o.len()
                && map
                    .iter()
                    .all(|(k, v)| o.get(k).is_some_and(|j| value_equals(v, j)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiles(schema: &str) -> bool {
        compile(&serde_json::from_str(schema).unwrap()).is_some()
    }

    #[test]
    fn the_embedded_schema_compiles_here() {
        let doc = serde_json::from_str(include_str!("../../../charts/dify/values.schema.json"));
        let doc = doc.unwrap();
        assert!(compile(&doc).is_some());
    }

    #[test]
    fn unsupported_schemas_go_to_the_general_validator() {
        for schema in [
            r#"{"format": "email"}"#,
            r#"{"oneOf": [true]}"#,
            r#"{"type": "strin"}"#,
            r#"{"pattern": "("}"#,
            r#"{"pattern": "\\p{L}"}"#,
            r#"{"$ref": "https://example.com/s.json"}"#,
            r##"{"$ref": "#/definitions/missing"}"##,
            r#"{"definitions": {"x": {"type": 5}}}"#,
            r#"{"title": 5}"#,
            r#"{"x-custom": 1}"#,
            r#"{"$schema": "https://example.com/own-dialect"}"#,
            r#"{"items": [true]}"#,
            r#"{"minLength": -1}"#,
            r#"{"properties": {"a": {"$id": "x"}}}"#,
            r##"{"$ref": "#"}"##,
            r#"{"required": ["a", "a"]}"#,
            r#"{"type": ["string", "string"]}"#,
            r##"{"definitions": {"a": {"$ref": "#/definitions/a"}}, "$ref": "#/definitions/a"}"##,
            r##"{"definitions": {"a": {"anyOf": [{"$ref": "#/definitions/b"}]}, "b": {"not": {"$ref": "#/definitions/a"}}}}"##,
        ] {
            assert!(!compiles(schema), "{schema}");
        }
        for schema in [
            r#"{}"#,
            r#"{"$schema": "http://json-schema.org/draft-07/schema#", "items": [true]}"#,
            // Recursion through a part of the value ends with the value.
            r##"{"properties": {"child": {"$ref": "#"}}, "items": {"$ref": "#"}}"##,
        ] {
            assert!(compiles(schema), "{schema}");
        }
    }

    #[test]
    fn numbers_compare_by_value() {
        let one = Value::Float(1.0);
        assert!(value_equals(&one, &serde_json::json!(1)));
        assert!(value_equals(&Value::Int(1), &serde_json::json!(1.0)));
        assert!(!value_equals(&Value::Float(1.5), &serde_json::json!(1)));
        assert!(value_equals(&Value::List(vec![]), &serde_json::json!([])));
        assert!(!value_equals(&Value::Null, &serde_json::json!(false)));
    }
}
