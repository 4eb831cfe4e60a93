//! The process's memory allocator: small blocks by size class, carved from
//! chunks, recycled through per-thread free lists; everything else from the
//! system allocator.
//!
//! A render is a few thousand small allocations with short lives — the
//! values tree's keys and strings, minijinja's syntax trees (built, compiled,
//! dropped), the output's pieces — in a process that lives for a couple of
//! milliseconds. glibc's malloc spends ~160 instructions on a block carved
//! from a fresh heap and ~80 on a free that misses its thread cache: a
//! quarter of a production render went there (`docs/performance.md`).
//!
//! Here a block of at most [`MAX_SMALL`] bytes (alignment at most 16) has
//! one of 32 size classes, multiples of 16. Allocation pops the class's free
//! list or advances a pointer in the thread's current chunk; freeing pushes
//! the block on the freeing thread's list. Both are a few instructions, and
//! blocks are packed without headers. Memory freed to a class stays with
//! that class for the life of the process (a short one), and a chunk is taken
//! from the system allocator 64 KiB at a time, so the pages touched follow
//! the memory in use. Larger blocks, and any other alignment, go to
//! [`System`] unchanged.
//!
//! Which of the two a block belongs to is decided by its [`Layout`] alone,
//! and Rust hands `dealloc` and `realloc` the layout the block was allocated
//! with, so no block needs a header or an address lookup.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ptr;

/// Size classes are multiples of this; it is also every small block's alignment.
const GRAIN: usize = 16;
/// The number of size classes: 16, 32, …, 512 bytes.
const CLASSES: usize = 32;
/// The largest block served from size classes.
pub const MAX_SMALL: usize = GRAIN * CLASSES;
/// Bytes taken from the system allocator at a time for small blocks.
const CHUNK: usize = 64 * 1024;

/// The allocator; `main.rs` installs it with `#[global_allocator]`.
pub struct SizeClasses;

/// One thread's free lists and current chunk. Plain cells with a constant
/// initialiser and no destructor: reaching them never allocates.
struct Cache {
    /// The head of each class's free list; a free block holds the next one.
    free: [Cell<*mut u8>; CLASSES],
    /// The unused part of the current chunk: `next..end`.
    next: Cell<*mut u8>,
    end: Cell<*mut u8>,
}

thread_local! {
    static CACHE: Cache = const {
        Cache {
            free: [const { Cell::new(ptr::null_mut()) }; CLASSES],
            next: Cell::new(ptr::null_mut()),
            end: Cell::new(ptr::null_mut()),
        }
    };
}

/// The size class of a small layout, if it is one.
#[inline]
fn class_of(layout: Layout) -> Option<usize> {
    (layout.size() <= MAX_SMALL && layout.align() <= GRAIN)
        .then(|| layout.size().max(1).div_ceil(GRAIN) - 1)
}

#[inline]
fn class_size(class: usize) -> usize {
    (class + 1) * GRAIN
}

impl Cache {
    #[inline]
    unsafe fn alloc(&self, class: usize) -> *mut u8 {
        let head = self.free[class].get();
        if !head.is_null() {
            // SAFETY: a block on a free list holds the next block's address.
            self.free[class].set(unsafe { head.cast::<*mut u8>().read() });
            return head;
        }
        let size = class_size(class);
        let next = self.next.get();
        if (self.end.get() as usize).wrapping_sub(next as usize) >= size && !next.is_null() {
            // SAFETY: `next + size` is within the current chunk.
            self.next.set(unsafe { next.add(size) });
            return next;
        }
        unsafe { self.refill(size) }
    }

    /// Starts a new chunk and carves the first block of `size` from it. What
    /// is left of the old chunk (less than `size` bytes) is not used again.
    #[cold]
    unsafe fn refill(&self, size: usize) -> *mut u8 {
        // SAFETY: CHUNK is non-zero and GRAIN a power of two.
        let chunk = unsafe { System.alloc(Layout::from_size_align_unchecked(CHUNK, GRAIN)) };
        if chunk.is_null() {
            return chunk;
        }
        // SAFETY: size <= MAX_SMALL < CHUNK.
        unsafe {
            self.next.set(chunk.add(size));
            self.end.set(chunk.add(CHUNK));
        }
        chunk
    }

    #[inline]
    unsafe fn free(&self, block: *mut u8, class: usize) {
        // SAFETY: the block is at least GRAIN bytes and GRAIN-aligned, room
        // for the link, and no longer used by anyone.
        unsafe { block.cast::<*mut u8>().write(self.free[class].get()) };
        self.free[class].set(block);
    }
}

// SAFETY: small blocks are GRAIN-aligned (chunks are, class sizes are
// multiples of GRAIN) and at least as large as their layout; a block is
// handed out by one thread's cache at a time, and freed blocks only enter the
// freeing thread's lists. Large layouts are the system allocator's.
unsafe impl GlobalAlloc for SizeClasses {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class_of(layout) {
            Some(class) => CACHE
                .try_with(|cache| unsafe { cache.alloc(class) })
                // A thread's cache can only be missing while the thread is
                // torn down: a block of the class's size from the system is
                // interchangeable with the cache's.
                .unwrap_or_else(|_| unsafe {
                    System.alloc(Layout::from_size_align_unchecked(class_size(class), GRAIN))
                }),
            None => unsafe { System.alloc(layout) },
        }
    }

    #[inline]
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        match class_of(layout) {
            // Without a cache (thread teardown) the block is left unused.
            Some(class) => _ = CACHE.try_with(|cache| unsafe { cache.free(block, class) }),
            None => unsafe { System.dealloc(block, layout) },
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match class_of(layout) {
            Some(_) => {
                // A recycled block holds old bytes.
                let block = unsafe { self.alloc(layout) };
                if !block.is_null() {
                    unsafe { block.write_bytes(0, layout.size()) };
                }
                block
            }
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    #[inline]
    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees new_size, rounded up to the
        // alignment, does not overflow isize.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (class_of(layout), class_of(new_layout)) {
            // The block already has room.
            (Some(old), Some(new)) if old == new => block,
            (None, None) => unsafe { System.realloc(block, layout, new_size) },
            _ => {
                let moved = unsafe { self.alloc(new_layout) };
                if !moved.is_null() {
                    unsafe {
                        ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                        self.dealloc(block, layout);
                    }
                }
                moved
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn classes_cover_the_small_sizes() {
        assert_eq!(class_of(layout(0, 1)), Some(0));
        assert_eq!(class_of(layout(1, 1)), Some(0));
        assert_eq!(class_of(layout(16, 8)), Some(0));
        assert_eq!(class_of(layout(17, 8)), Some(1));
        assert_eq!(class_of(layout(MAX_SMALL, 16)), Some(CLASSES - 1));
        assert_eq!(class_of(layout(MAX_SMALL + 1, 8)), None);
        assert_eq!(class_of(layout(64, 32)), None, "over-aligned");
        for size in 1..=MAX_SMALL {
            let class = class_of(layout(size, 1)).unwrap();
            assert!(class_size(class) >= size && class_size(class) < size + GRAIN);
        }
    }

    #[test]
    fn blocks_are_aligned_distinct_and_recycled() {
        let a = SizeClasses;
        unsafe {
            let l = layout(24, 8);
            let blocks: Vec<*mut u8> = (0..10_000).map(|_| a.alloc(l)).collect();
            for (i, &b) in blocks.iter().enumerate() {
                assert!(!b.is_null() && (b as usize).is_multiple_of(GRAIN));
                b.write_bytes(i as u8, 24);
            }
            let mut sorted = blocks.clone();
            sorted.sort();
            // Blocks of a class never overlap.
            assert!(sorted
                .windows(2)
                .all(|w| w[1] as usize - w[0] as usize >= 32));
            for (i, &b) in blocks.iter().enumerate() {
                assert!(std::slice::from_raw_parts(b, 24)
                    .iter()
                    .all(|&x| x == i as u8));
            }
            let last = blocks[9_999];
            a.dealloc(last, l);
            assert_eq!(
                a.alloc(layout(20, 4)),
                last,
                "the same class reuses the block"
            );
            for &b in &blocks {
                a.dealloc(b, l);
            }
        }
    }

    #[test]
    fn zeroed_blocks_are_zero_even_when_recycled() {
        let a = SizeClasses;
        unsafe {
            let l = layout(100, 8);
            let b = a.alloc(l);
            b.write_bytes(0xAB, 100);
            a.dealloc(b, l);
            let z = a.alloc_zeroed(l);
            assert_eq!(z, b);
            assert!(std::slice::from_raw_parts(z, 100).iter().all(|&x| x == 0));
            a.dealloc(z, l);
            let big = layout(4096, 8);
            let z = a.alloc_zeroed(big);
            assert!(std::slice::from_raw_parts(z, 4096).iter().all(|&x| x == 0));
            a.dealloc(z, big);
        }
    }

    #[test]
    fn realloc_keeps_the_bytes_across_classes_and_the_system() {
        let a = SizeClasses;
        unsafe {
            let mut l = layout(8, 8);
            let mut b = a.alloc(l);
            b.write_bytes(7, 8);
            for size in [12, 40, 500, 513, 5000, 100_000, 600, 200, 3] {
                b = a.realloc(b, l, size);
                assert!(!b.is_null());
                let kept = l.size().min(size).min(8);
                assert!(std::slice::from_raw_parts(b, kept).iter().all(|&x| x == 7));
                l = layout(size, 8);
            }
            a.dealloc(b, l);
        }
    }

    #[test]
    fn threads_allocate_and_free_each_others_blocks() {
        let a = &SizeClasses;
        let l = layout(48, 8);
        let blocks: Vec<usize> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|t| {
                    s.spawn(move || {
                        (0..1000)
                            .map(|_| unsafe {
                                let b = a.alloc(l);
                                b.write_bytes(t, 48);
                                b as usize
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        let mut sorted = blocks.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 4000, "no block was handed out twice");
        for b in blocks {
            unsafe { a.dealloc(b as *mut u8, l) };
        }
    }
}
