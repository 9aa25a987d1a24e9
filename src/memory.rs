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

/// Default memory ceiling of a worker process, in MiB (`--memory-limit`):
/// the private writable memory (heap, mappings, thread stacks) a worker may
/// hold. A PP-OCR worker peaks at about 300 MiB of it on an A4 page at 300
/// dpi and a Tesseract worker with its traditional-Chinese model at about
/// 400 MiB; 300-page packages are read one page at a time. An input that
/// needs more is a decompression bomb or an absurd image: it gets a
/// `too_large` line.
pub const DEFAULT_CEILING_MB: u64 = 2048;

/// Caps this process's data segment (RLIMIT_DATA: heap, anonymous mappings,
/// thread stacks; not the shared libraries or mapped model files) at
/// `mb` MiB; 0 leaves it unbounded. Beyond it an allocation fails: see
/// [`CeilingAlloc`].
pub fn set_ceiling(mb: u64) {
    if mb == 0 {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let bytes = mb.saturating_mul(1 << 20) as libc::rlim_t;
        let lim = libc::rlimit {
            rlim_cur: bytes,
            rlim_max: bytes,
        };
        // SAFETY: setrlimit reads the struct it is given.
        unsafe {
            libc::setrlimit(libc::RLIMIT_DATA, &lim);
        }
    }
}

static REPORT_ON_STDOUT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on, a failed allocation writes `{"type":"out_of_memory",
/// "bytes":N}` as a line of its own on stdout (a worker's channel to its
/// supervisor) before the process aborts.
pub fn report_allocation_failures_on_stdout() {
    REPORT_ON_STDOUT.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// The system allocator, telling the supervisor when an allocation fails
/// (the worker is at its memory ceiling; Rust then aborts the process).
pub struct CeilingAlloc;

impl CeilingAlloc {
    #[cold]
    fn failed(size: usize) {
        if !REPORT_ON_STDOUT.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        // No allocation here: the line is built on the stack.
        let mut buf = [0u8; 96];
        let head = b"\n{\"type\":\"out_of_memory\",\"bytes\":";
        buf[..head.len()].copy_from_slice(head);
        let mut n = head.len();
        let mut digits = [0u8; 20];
        let mut k = 0;
        let mut v = size as u64;
        loop {
            digits[k] = b'0' + (v % 10) as u8;
            k += 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        while k > 0 {
            k -= 1;
            buf[n] = digits[k];
            n += 1;
        }
        buf[n] = b'}';
        buf[n + 1] = b'\n';
        n += 2;
        // SAFETY: writes n initialised bytes of buf to fd 1.
        unsafe {
            libc::write(1, buf.as_ptr() as *const libc::c_void, n);
        }
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged.
unsafe impl std::alloc::GlobalAlloc for CeilingAlloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let p = std::alloc::System.alloc(layout);
        if p.is_null() {
            Self::failed(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        let p = std::alloc::System.alloc_zeroed(layout);
        if p.is_null() {
            Self::failed(layout.size());
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        let p = std::alloc::System.realloc(ptr, layout, new_size);
        if p.is_null() {
            Self::failed(new_size);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        std::alloc::System.dealloc(ptr, layout)
    }
}
