//! The decoder of the embedded chart's default values, which `build.rs`
//! reads from `charts/dify/values.yaml` and encodes (`Encoded` there
//! describes the encoding).

use crate::values::{Map, Value};

/// The value `tree` and `text` encode; `None` if they are not one value's
/// encoding, all of it.
pub(super) fn decode(tree: &[u8], text: &str) -> Option<Value> {
    let mut input = Input { tree, text, at: 0 };
    let value = input.value()?;
    (input.tree.is_empty() && input.at == text.len()).then_some(value)
}

struct Input<'a> {
    tree: &'a [u8],
    text: &'a str,
    /// Where the next string's text starts.
    at: usize,
}

impl Input<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let (head, rest) = self.tree.split_at_checked(n)?;
        self.tree = rest;
        Some(head)
    }

    fn number(&mut self) -> Option<usize> {
        let bytes = self.take(4)?.try_into().ok()?;
        usize::try_from(u32::from_le_bytes(bytes)).ok()
    }

    fn string(&mut self) -> Option<String> {
        let end = self.number()?;
        let s = self.text.get(self.at..end)?;
        self.at = end;
        Some(s.to_owned())
    }

    fn value(&mut self) -> Option<Value> {
        let (&tag, rest) = self.tree.split_first()?;
        self.tree = rest;
        Some(match tag {
            b'~' => Value::Null,
            b't' => Value::Bool(true),
            b'f' => Value::Bool(false),
            b'd' => Value::Float(f64::from_le_bytes(self.take(8)?.try_into().ok()?)),
            b's' => Value::String(self.string()?),
            b'l' => {
                let n = self.number()?;
                // Each item is at least its tag byte: a bound on a bad length.
                let mut items = Vec::with_capacity(n.min(self.tree.len()));
                for _ in 0..n {
                    items.push(self.value()?);
                }
                Value::List(items)
            }
            b'm' => {
                let n = self.number()?;
                let mut entries = Vec::with_capacity(n.min(self.tree.len()));
                for _ in 0..n {
                    let key = self.string()?;
                    entries.push((key, self.value()?));
                }
                Value::Map(Map::from_entries(entries))
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree of `a: [null, true, false, 1.5]` and `bc: hi`, over the text "abchi".
    fn sample() -> Vec<u8> {
        let n = |n: u32| n.to_le_bytes();
        let mut tree = vec![b'm'];
        tree.extend(n(2));
        tree.extend(n(1)); // "a" ends at 1
        tree.push(b'l');
        tree.extend(n(4));
        tree.extend([b'~', b't', b'f', b'd']);
        tree.extend(1.5f64.to_le_bytes());
        tree.extend(n(3)); // "bc"
        tree.push(b's');
        tree.extend(n(5)); // "hi"
        tree
    }

    #[test]
    fn decodes_each_kind_of_value() {
        let expected =
            crate::values::yaml::parse_values("a: [null, true, false, 1.5]\nbc: hi\n", "t")
                .unwrap();
        assert_eq!(decode(&sample(), "abchi"), Some(Value::Map(expected)));
    }

    #[test]
    fn rejects_what_is_not_one_value() {
        let tree = sample();
        assert_eq!(decode(&tree, "abch"), None, "text cut short");
        assert_eq!(decode(&tree, "abchix"), None, "text left over");
        assert_eq!(
            decode(&tree[..tree.len() - 1], "abchi"),
            None,
            "tree cut short"
        );
        assert_eq!(
            decode(&[tree.as_slice(), b"~"].concat(), "abchi"),
            None,
            "tree left over"
        );
        assert_eq!(decode(b"x", ""), None, "unknown tag");
        assert_eq!(decode(b"l\xff\xff\xff\xff~", ""), None, "list cut short");
        assert_eq!(decode(b"s\x01\0\0\0", "\u{e9}"), None, "inside a character");
    }
}
