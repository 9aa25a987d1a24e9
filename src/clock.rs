//! CPU time of this process, for the debug log's cost of each step: a
//! worker reads one document at a time, so the difference over a step is
//! that step's cost on one core (all threads, rten's pool included),
//! whatever else the machine runs. A leaf: imports nothing of the crate.

/// CPU seconds this process has used so far (user + system, all threads).
pub fn process_cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid out-pointer for the call.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

#[cfg(test)]
mod tests {
    #[test]
    fn cpu_time_grows_with_work() {
        let t0 = super::process_cpu_seconds();
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(i);
        }
        std::hint::black_box(x);
        assert!(super::process_cpu_seconds() > t0);
    }
}
