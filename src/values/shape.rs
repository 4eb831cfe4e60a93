//! The keys a chart's templates can read, for reading values files lazily.
//!
//! Most of a production values file configures what this chart does not
//! render (deployments, probes, ingress): 2,800 of the 3,064 content lines
//! of `tests/fixtures/production-values.yaml`. A [`Shape`] lists, map by
//! map, the keys the embedded chart knows (its `values.schema.json`,
//! resolved at build time by `build.rs`). The values reader checks the
//! syntax of an entry whose key is in neither the shape nor the chart's
//! defaults, as strictly as it reads any other, but builds nothing for it
//! (see `yaml::parse_values_projected`); [`Pruned`] records the maps that
//! lost keys that way.
//!
//! The shape is a guess, never trusted for the output: the engine reports
//! any look at a map that lost keys (a missing key asked for, the map
//! iterated, measured, tested or printed), and the pipeline then renders
//! again from the whole file. A projected render that succeeds is
//! therefore the render of the whole file; `tests/projection.rs` holds the
//! two to byte-identical output.

/// The keys of one map a template can read: sorted, each with the shape of
/// its value (`None`: any key below it may be read).
#[derive(Debug, PartialEq)]
pub struct Shape(pub &'static [(&'static str, Option<&'static Shape>)]);

/// What a shape says about one key of its map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    /// No template reads it.
    Unread,
    /// Read, and so is everything below it.
    Whole,
    /// Read; the keys of its map as this shape says.
    Shaped(&'static Shape),
}

impl Shape {
    pub fn step(&self, key: &str) -> Step {
        match self.0.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => self.0[i].1.map_or(Step::Whole, Step::Shaped),
            Err(_) => Step::Unread,
        }
    }
}

/// The embedded chart's shape, from its `values.schema.json`.
pub static EMBEDDED: Option<&Shape> = include!(concat!(env!("OUT_DIR"), "/values.shape.rs"));

/// The entries left out of the values, as a tree of the key paths of their
/// maps: node 0 stands for "nothing left out here or below", node 1 is the
/// root of the values.
#[derive(Clone, Debug, Default)]
pub struct Pruned {
    nodes: Vec<PrunedNode>,
}

#[derive(Clone, Debug, Default)]
struct PrunedNode {
    /// The keys left out of the map here.
    lost: Vec<String>,
    children: Vec<(String, u32)>,
}

impl Pruned {
    /// Nothing left out.
    pub fn none() -> Self {
        Pruned::default()
    }

    /// The tree of `entries`: (key path of a map, key left out of it).
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = (&'a [String], &'a str)>) -> Self {
        let mut p = Pruned {
            nodes: vec![PrunedNode::default(), PrunedNode::default()],
        };
        for (path, key) in entries {
            let mut at = 1;
            for step in path {
                at = match p.child(at, step) {
                    0 => {
                        let new = p.nodes.len() as u32;
                        p.nodes.push(PrunedNode::default());
                        p.nodes[at as usize].children.push((step.clone(), new));
                        new
                    }
                    c => c,
                };
            }
            p.nodes[at as usize].lost.push(key.to_owned());
        }
        if p.nodes.len() == 2 && p.nodes[1].lost.is_empty() {
            return Pruned::none();
        }
        p
    }

    /// The node of the root (0 when nothing was left out).
    pub fn root(&self) -> u32 {
        if self.nodes.is_empty() {
            0
        } else {
            1
        }
    }

    /// The node of `key` below `node` (0: nothing left out below it).
    pub fn child(&self, node: u32, key: &str) -> u32 {
        if node == 0 {
            return 0;
        }
        self.nodes[node as usize]
            .children
            .iter()
            .find(|(k, _)| k == key)
            .map_or(0, |&(_, c)| c)
    }

    /// Whether entries were left out of the map at `node`.
    pub fn partial(&self, node: u32) -> bool {
        node != 0 && !self.nodes[node as usize].lost.is_empty()
    }

    /// Whether `key` was left out of the map at `node`.
    pub fn lost(&self, node: u32, key: &str) -> bool {
        node != 0 && self.nodes[node as usize].lost.iter().any(|k| k == key)
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_shape_is_sorted_and_knows_the_secret_keys() {
        fn sorted(s: &Shape) {
            assert!(s.0.windows(2).all(|w| w[0].0 < w[1].0));
            for (_, child) in s.0 {
                if let Some(c) = child {
                    sorted(c);
                }
            }
        }
        let root = EMBEDDED.expect("the embedded schema lists its keys");
        sorted(root);
        let Step::Shaped(es) = root.step("externalSecret") else {
            panic!("externalSecret has keys")
        };
        assert!(matches!(es.step("api"), Step::Shaped(_)));
        assert_eq!(root.step("ingress"), Step::Unread);
    }

    #[test]
    fn entries_left_out_form_a_tree() {
        let a = ["a".to_owned()];
        let ab = ["a".to_owned(), "b".to_owned()];
        let p = Pruned::from_entries([(&[][..], "x"), (&a[..], "y"), (&ab[..], "z")]);
        let root = p.root();
        assert!(p.partial(root) && p.lost(root, "x") && !p.lost(root, "y"));
        let na = p.child(root, "a");
        assert!(p.partial(na) && p.lost(na, "y"));
        assert!(p.lost(p.child(na, "b"), "z"));
        assert_eq!(p.child(root, "q"), 0);
        assert!(!p.partial(0) && !p.lost(0, "x"));
        let only_deep = Pruned::from_entries([(&ab[..], "z")]);
        assert!(!only_deep.partial(only_deep.root()));
        assert!(Pruned::from_entries(std::iter::empty()).is_empty());
    }
}
