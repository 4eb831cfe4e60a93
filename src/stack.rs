//! A big stack for the whole command.
//!
//! Values nest as deep as Helm lets them (goyaml.v2 accepts 10,000 levels,
//! [`crate::values::yaml::MAX_DEPTH`]). Reading is iterative, but merging,
//! coalescing, rendering, printing and dropping such a tree recurse once
//! per level. As rustc does for its own deep recursion, difyx runs the
//! command on a thread with a large stack: the memory is only reserved,
//! and touched as deep as a run goes.

/// The stack [`with_big_stack`] gives: 256 MiB, as rustc's main thread.
pub const BIG_STACK: usize = 256 * 1024 * 1024;

/// Runs `f` on a thread with a [`BIG_STACK`]-byte stack and returns what
/// it returns. A panic in `f` is resumed on the calling thread. Should
/// the thread not start (no memory for the reservation), `f` runs here.
pub fn with_big_stack<F, T>(f: F) -> T
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    let mut f = Some(f);
    let outcome = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("difyx".into())
            .stack_size(BIG_STACK)
            .spawn_scoped(scope, || (f.take().expect("not yet run"))());
        spawned.map(|handle| handle.join())
    });
    match outcome {
        Ok(Ok(value)) => value,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => (f.take().expect("not run when the thread did not start"))(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_value_and_recurses_deep() {
        fn depth(n: u64) -> u64 {
            // At least 1 KiB a frame, kept live across the call: 30,000
            // frames need well over a default 8 MiB stack.
            let pad = std::hint::black_box([0u8; 1024]);
            if n == 0 {
                0
            } else {
                1 + depth(n - 1) + u64::from(std::hint::black_box(pad)[1])
            }
        }
        assert_eq!(with_big_stack(|| depth(30_000)), 30_000);
    }

    #[test]
    fn a_panic_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| with_big_stack(|| panic!("inside")));
        assert!(caught.is_err());
    }
}

/// Deep values through a whole render, as Helm takes them.
#[cfg(test)]
mod deep_values {
    use super::with_big_stack;
    use crate::chart::Chart;
    use crate::engine::Release;
    use crate::pipeline::{template, Options, UserValues};

    /// `extra:` holding `depth` nested maps (block style, as people write).
    fn nested(depth: usize) -> String {
        let mut text = String::from("extra:\n");
        for i in 1..=depth {
            text.push_str(&" ".repeat(i));
            text.push_str("k:\n");
        }
        text.push_str(&" ".repeat(depth + 1));
        text.push_str("leaf: 1\n");
        text
    }

    fn render(depth: usize) -> Result<String, String> {
        let user = UserValues::file("deep.yaml", nested(depth));
        let opts = Options::new(Release::install("dify", "dify"));
        template(&Chart::dify("0.27.0"), &user, &opts)
            .map(|out| out.text)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn values_150_and_9000_deep_render() {
        with_big_stack(|| {
            let plain = render(0).expect("the shallow render");
            for depth in [150, 9_000] {
                let out = render(depth).unwrap_or_else(|e| panic!("{depth} deep: {e}"));
                assert_eq!(out, plain, "{depth} deep");
            }
        });
    }

    #[test]
    fn past_the_limit_is_a_clear_error() {
        with_big_stack(|| {
            let err = render(crate::values::yaml::MAX_DEPTH + 5).unwrap_err();
            assert!(err.contains("exceeded max depth of 10000"), "{err}");
            assert!(err.contains("deep.yaml:"), "{err}");
        });
    }
}
