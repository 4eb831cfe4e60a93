//! [`Map`]: a mapping of values, keys in byte-wise order.
//!
//! A sorted vector of entries rather than a `BTreeMap`: a values file has
//! thousands of small maps (most hold one to ten keys), and a B-tree gives
//! each of them a 600-byte node from the allocator's slow path, while a
//! vector holds exactly its entries, contiguously. Lookups are binary
//! searches; the order of iteration is the same (`str`'s byte order, Go's
//! `range` order over a map).
//!
//! Inserting a key that sorts last is an append. Anything else shifts the
//! entries after it, so code that builds a map from many keys in any order
//! should collect them and use [`Map::from_entries`] (one sort) instead.

use std::cmp::Ordering;
use std::fmt;

use super::Value;

/// `str`'s order, deciding on the first bytes without a call to `memcmp`
/// when they differ, as the keys of one map mostly do.
#[inline]
fn cmp_keys(a: &str, b: &str) -> Ordering {
    match (a.as_bytes().first(), b.as_bytes().first()) {
        (Some(x), Some(y)) if x != y => x.cmp(y),
        _ => a.cmp(b),
    }
}

/// A mapping of values, keys unique and in byte-wise order.
#[derive(Clone, Default, PartialEq)]
pub struct Map {
    entries: Vec<(String, Value)>,
}

impl Map {
    pub const fn new() -> Self {
        Map {
            entries: Vec::new(),
        }
    }

    /// A map of `entries` in any order; of equal keys the last one wins (as
    /// in a YAML mapping read by goyaml).
    pub fn from_entries(mut entries: Vec<(String, Value)>) -> Self {
        if !entries.is_sorted_by(|a, b| cmp_keys(&a.0, &b.0).is_lt()) {
            // Stable: equal keys stay in input order, so the last of each
            // run is the one written last.
            entries.sort_by(|a, b| cmp_keys(&a.0, &b.0));
            entries.reverse();
            entries.dedup_by(|later, earlier| later.0 == earlier.0);
            entries.reverse();
        }
        Map { entries }
    }

    /// `self` with `other`'s entries laid over it: keys of one side only are
    /// kept as they are; for a key of both, `both(ours, theirs)` gives the
    /// value. Linear in the two sizes (a merge of two sorted lists).
    pub fn union_with(self, other: Map, mut both: impl FnMut(Value, Value) -> Value) -> Map {
        if self.is_empty() {
            return other;
        }
        let mut entries = Vec::with_capacity(self.len().max(other.len()));
        let mut ours = self.entries.into_iter().peekable();
        let mut theirs = other.entries.into_iter().peekable();
        loop {
            let order = match (ours.peek(), theirs.peek()) {
                (Some((a, _)), Some((b, _))) => cmp_keys(a, b),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => break,
            };
            let entry = match order {
                std::cmp::Ordering::Less => ours.next(),
                std::cmp::Ordering::Greater => theirs.next(),
                std::cmp::Ordering::Equal => {
                    let (key, mine) = ours.next().expect("peeked");
                    let (_, other) = theirs.next().expect("peeked");
                    Some((key, both(mine, other)))
                }
            };
            entries.extend(entry);
        }
        Map { entries }
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| cmp_keys(k, key))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get<K: AsRef<str> + ?Sized>(&self, key: &K) -> Option<&Value> {
        self.find(key.as_ref()).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut<K: AsRef<str> + ?Sized>(&mut self, key: &K) -> Option<&mut Value> {
        match self.find(key.as_ref()) {
            Ok(i) => Some(&mut self.entries[i].1),
            Err(_) => None,
        }
    }

    pub fn get_key_value<K: AsRef<str> + ?Sized>(&self, key: &K) -> Option<(&String, &Value)> {
        self.find(key.as_ref())
            .ok()
            .map(|i| (&self.entries[i].0, &self.entries[i].1))
    }

    pub fn contains_key<K: AsRef<str> + ?Sized>(&self, key: &K) -> bool {
        self.find(key.as_ref()).is_ok()
    }

    /// Sets `key` to `value`; the value it had, if any.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        // Appending in order is the common case (sorted input, merges).
        if self.entries.last().is_none_or(|(last, _)| *last < key) {
            self.entries.push((key, value));
            return None;
        }
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove<K: AsRef<str> + ?Sized>(&mut self, key: &K) -> Option<Value> {
        self.find(key.as_ref())
            .ok()
            .map(|i| self.entries.remove(i).1)
    }

    /// The entry of `key`, to read or fill in place.
    pub fn entry(&mut self, key: String) -> Entry<'_> {
        match self.find(&key) {
            Ok(index) => Entry::Occupied(OccupiedEntry { map: self, index }),
            Err(index) => Entry::Vacant(VacantEntry {
                map: self,
                index,
                key,
            }),
        }
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut Value) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    pub fn first_key_value(&self) -> Option<(&String, &Value)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    pub fn iter_mut(&mut self) -> IterMut<'_> {
        IterMut(self.entries.iter_mut())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = String> + ExactSizeIterator {
        self.entries.into_iter().map(|(k, _)| k)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = Value> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, v)| v)
    }
}

/// A place in a [`Map`], from [`Map::entry`].
pub enum Entry<'a> {
    Occupied(OccupiedEntry<'a>),
    Vacant(VacantEntry<'a>),
}

pub struct OccupiedEntry<'a> {
    map: &'a mut Map,
    index: usize,
}

pub struct VacantEntry<'a> {
    map: &'a mut Map,
    index: usize,
    key: String,
}

impl<'a> Entry<'a> {
    pub fn or_insert_with(self, value: impl FnOnce() -> Value) -> &'a mut Value {
        match self {
            Entry::Occupied(e) => &mut e.map.entries[e.index].1,
            Entry::Vacant(e) => {
                e.map.entries.insert(e.index, (e.key, value()));
                &mut e.map.entries[e.index].1
            }
        }
    }

    pub fn or_insert(self, value: Value) -> &'a mut Value {
        self.or_insert_with(|| value)
    }
}

/// `map["key"]`: the value of a key that must be there.
impl<K: AsRef<str> + ?Sized> std::ops::Index<&K> for Map {
    type Output = Value;
    fn index(&self, key: &K) -> &Value {
        self.get(key)
            .unwrap_or_else(|| panic!("no key {:?} in the map", key.as_ref()))
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// The entries of a [`Map`] by reference, in key order.
#[derive(Clone)]
pub struct Iter<'a>(std::slice::Iter<'a, (String, Value)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The entries of a [`Map`], values mutable, in key order.
pub struct IterMut<'a>(std::slice::IterMut<'a, (String, Value)>);

impl<'a> Iterator for IterMut<'a> {
    type Item = (&'a String, &'a mut Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&*k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for IterMut<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (&*k, v))
    }
}

impl ExactSizeIterator for IterMut<'_> {}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a String, &'a mut Value);
    type IntoIter = IterMut<'a>;
    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl FromIterator<(String, Value)> for Map {
    /// Of equal keys the last wins, as with repeated [`Map::insert`].
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Map::from_entries(iter.into_iter().collect())
    }
}

impl Extend<(String, Value)> for Map {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<const N: usize> From<[(String, Value); N]> for Map {
    fn from(entries: [(String, Value); N]) -> Self {
        Map::from_entries(Vec::from(entries))
    }
}

impl From<std::collections::BTreeMap<String, Value>> for Map {
    fn from(map: std::collections::BTreeMap<String, Value>) -> Self {
        // Already in key order.
        Map {
            entries: map.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn s(v: &str) -> Value {
        Value::from(v)
    }

    #[test]
    fn behaves_as_a_btreemap() {
        // The same operations on both, in a scrambled order.
        let mut ours = Map::new();
        let mut theirs = BTreeMap::new();
        let keys = ["b", "a", "", "c", "ab", "B", "é", "a", "b", "z", "0"];
        for (i, k) in keys.iter().enumerate() {
            let v = Value::Float(i as f64);
            assert_eq!(
                ours.insert(k.to_string(), v.clone()),
                theirs.insert(k.to_string(), v)
            );
        }
        assert_eq!(ours.remove("c"), theirs.remove("c"));
        assert_eq!(ours.remove("nope"), theirs.remove("nope"));
        *ours.entry("q".into()).or_insert(s("new")) = s("set");
        *theirs.entry("q".to_string()).or_insert(s("new")) = s("set");
        ours.entry("a".into()).or_insert_with(|| unreachable!());
        let got: Vec<_> = ours.iter().collect();
        let want: Vec<_> = theirs.iter().collect();
        assert_eq!(got, want);
        assert_eq!(ours.len(), theirs.len());
        assert_eq!(ours.get("ab"), theirs.get("ab"));
        assert_eq!(ours, Map::from(theirs));
    }

    #[test]
    fn key_order_is_str_order() {
        let keys = [
            "", "a", "A", "ab", "aB", "b", "ba", "é", "e", "\u{0}", "zz", "z", "~", "ÿ",
        ];
        for a in keys {
            for b in keys {
                assert_eq!(cmp_keys(a, b), a.cmp(b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn from_entries_sorts_and_keeps_the_last_of_equal_keys() {
        let map = Map::from_entries(vec![
            ("b".into(), s("1")),
            ("a".into(), s("2")),
            ("b".into(), s("3")),
            ("a".into(), s("4")),
            ("c".into(), s("5")),
            ("b".into(), s("6")),
        ]);
        let got: Vec<_> = map
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect();
        assert_eq!(got, [("a", "4"), ("b", "6"), ("c", "5")]);
        let sorted = Map::from_entries(vec![("a".into(), s("1")), ("b".into(), s("2"))]);
        assert_eq!(sorted.len(), 2);
    }

    #[test]
    fn union_with_merges_in_order() {
        let a = Map::from_entries(vec![
            ("a".into(), s("1")),
            ("c".into(), s("2")),
            ("e".into(), s("3")),
        ]);
        let b = Map::from_entries(vec![
            ("b".into(), s("4")),
            ("c".into(), s("5")),
            ("f".into(), s("6")),
        ]);
        let got = a.union_with(b, |mine, theirs| {
            Value::from(format!(
                "{}+{}",
                mine.as_str().unwrap(),
                theirs.as_str().unwrap()
            ))
        });
        let got: Vec<_> = got
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect();
        assert_eq!(
            got,
            [("a", "1"), ("b", "4"), ("c", "2+5"), ("e", "3"), ("f", "6")]
        );
        assert_eq!(Map::new().union_with(Map::new(), |_, t| t), Map::new());
    }

    #[test]
    fn debug_prints_as_a_map() {
        let map: Map = [("k".to_string(), s("v"))].into();
        assert_eq!(format!("{map:?}"), r#"{"k": String("v")}"#);
    }
}
