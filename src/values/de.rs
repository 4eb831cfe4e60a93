//! A [`Value`] read in place by serde: typed models (a Kubernetes `Secret`,
//! the ExternalSecret model of `manifests::validate`) straight from the
//! parsed document, without first building a `serde_json::Value` copy of it.
//!
//! It presents a value exactly as [`crate::manifests::validate::to_json`]
//! converts it: a float with no fraction (below 2^63) is an integer, a
//! non-finite float is null. What it reports on a mismatch is serde's plain
//! message; callers that show errors to people get their wording from the
//! JSON path (see `check_external_secret`).

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserializer, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use super::Value;

pub type Error = de::value::Error;

/// `T` read from `value`.
pub fn from_value<'de, T: de::Deserialize<'de>>(value: &'de Value) -> Result<T, Error> {
    T::deserialize(ValueDeserializer(value))
}

/// A borrowed [`Value`] as a serde [`Deserializer`].
#[derive(Clone, Copy)]
pub struct ValueDeserializer<'de>(&'de Value);

impl<'de> IntoDeserializer<'de, Error> for ValueDeserializer<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for ValueDeserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => integer(*i, visitor),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => integer(*f as i64, visitor),
            Value::Float(f) if f.is_finite() => visitor.visit_f64(*f),
            Value::Float(_) => visitor.visit_unit(),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::List(items) => {
                let mut seq = SeqDeserializer::new(items.iter().map(ValueDeserializer));
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Map(map) => {
                let mut entries = MapDeserializer::new(
                    map.iter()
                        .map(|(k, v)| (BorrowedStr(k.as_str()), ValueDeserializer(v))),
                );
                let value = visitor.visit_map(&mut entries)?;
                entries.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// Unit variants, written as their name (the only enums difyx reads).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(BorrowedStr(s).into_deserializer()),
            _ => Err(de::Error::custom("expected an enum variant name")),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// As serde_json's numbers: a non-negative integer is a u64.
fn integer<'de, V: Visitor<'de>>(i: i64, visitor: V) -> Result<V::Value, Error> {
    match u64::try_from(i) {
        Ok(u) => visitor.visit_u64(u),
        Err(_) => visitor.visit_i64(i),
    }
}

/// A map key or variant name borrowed from the value.
#[derive(Clone, Copy)]
struct BorrowedStr<'de>(&'de str);

impl<'de> IntoDeserializer<'de, Error> for BorrowedStr<'de> {
    type Deserializer = de::value::BorrowedStrDeserializer<'de, Error>;

    fn into_deserializer(self) -> Self::Deserializer {
        de::value::BorrowedStrDeserializer::new(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse_document;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Doc {
        name: String,
        count: Option<u32>,
        ratio: Option<f64>,
        flag: Option<bool>,
        labels: Option<BTreeMap<String, String>>,
        items: Option<Vec<Item>>,
        kind: Option<Kind>,
        nothing: Option<()>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        key: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    enum Kind {
        SecretStore,
        ClusterSecretStore,
    }

    /// `from_value` and the JSON path agree: the same result, or both fail.
    fn agree(yaml: &str) -> Option<Doc> {
        let v = parse_document(yaml, "t.yaml").unwrap();
        let direct = from_value::<Doc>(&v);
        let json = crate::manifests::validate::to_json(&v);
        let via_json = serde_json::from_value::<Doc>(json);
        match (direct, via_json) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "{yaml}");
                Some(a)
            }
            (Err(_), Err(_)) => None,
            (a, b) => panic!("{yaml}: direct {a:?}, via JSON {b:?}"),
        }
    }

    #[test]
    fn reads_what_the_json_path_reads() {
        let doc = agree(
            "name: a\ncount: 3\nratio: 0.5\nflag: true\nlabels: {x: z}\n\
             items: [{key: k}]\nkind: ClusterSecretStore\nnothing: null\n",
        )
        .unwrap();
        assert_eq!(doc.count, Some(3));
        assert_eq!(doc.kind, Some(Kind::ClusterSecretStore));
        assert!(agree("name: a\ncount: ~\nlabels: null\n").is_some());
        assert_eq!(agree("name: a\nratio: 2\n").unwrap().ratio, Some(2.0));
    }

    #[test]
    fn refuses_what_the_json_path_refuses() {
        for bad in [
            "name: 1",                 // a number for a string
            "name: a\ncount: -1",      // out of range
            "name: a\ncount: 1.5",     // a fraction for an integer
            "name: a\nextra: 1",       // unknown field
            "count: 1",                // missing field
            "name: a\nlabels: {x: 1}", // a number in a string map
            "name: a\nitems: {key: k}",
            "name: a\nkind: Store",
            "name: a\nkind: [SecretStore]",
            "name: a\nflag: \"true\"",
            "name: [a]",
        ] {
            assert!(agree(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn reads_kubernetes_types() {
        let v = parse_document(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  labels: {a: b}\n\
             type: Opaque\ndata:\n  K: aGVsbG8=\n",
            "s.yaml",
        )
        .unwrap();
        let direct: k8s_openapi::api::core::v1::Secret = from_value(&v).unwrap();
        let via_json: k8s_openapi::api::core::v1::Secret =
            serde_json::from_value(crate::manifests::validate::to_json(&v)).unwrap();
        assert_eq!(direct, via_json);
        assert_eq!(direct.data.unwrap()["K"].0, b"hello");
    }
}
