//! The process's heap: large buffers (page images, network activations) are
//! handed back to the system when freed, so a worker's resident memory follows
//! what it holds rather than the highest it ever held.

/// Buffers of at least this many bytes get their own mapping, returned to the
/// system on free. glibc's default threshold grows up to 32 MB as large
/// buffers are freed, after which freed page images and tensors stay in the
/// heap. Measured on two bid packages at -j2 (the summed RSS of the process
/// tree): 571 MB with the default, 460 MB with 1 MB, the same wall time
/// within 2 %.
pub const MMAP_THRESHOLD: i32 = 1 << 20;

/// Fixes the allocator's mapping threshold at [`MMAP_THRESHOLD`].
pub fn bound_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const M_MMAP_THRESHOLD: std::os::raw::c_int = -3;
        extern "C" {
            fn mallopt(
                param: std::os::raw::c_int,
                value: std::os::raw::c_int,
            ) -> std::os::raw::c_int;
        }
        // SAFETY: mallopt only changes the allocator's tuning.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
}

/// Returns the heap's free pages to the system (glibc keeps them otherwise:
/// a dropped engine's memory would still count in the worker's RSS).
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: malloc_trim only releases memory no allocation holds.
        unsafe {
            malloc_trim(0);
        }
    }
}
