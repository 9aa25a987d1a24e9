//! CPU time of this process, for the debug log's cost of each step: a
//! worker reads one document at a time, so the difference over a step is
//! that step's cost on one core (all threads, rten's pool included),
//! whatever else the machine runs; and of another process, a worker's, for
//! the supervisor's page and document time limits. A leaf: imports nothing
//! of the crate.

/// CPU seconds this process has used so far (user + system, all threads).
pub fn process_cpu_seconds() -> f64 {
    read_clock(libc::CLOCK_PROCESS_CPUTIME_ID).unwrap_or(0.0)
}

/// CPU seconds process `pid` has used so far (user + system, all threads),
/// or None when its clock cannot be read (it has ended, or the system keeps
/// no such clock). The supervisor's time limits are counted in it: what a
/// page costs, not how busy the machine is.
pub fn cpu_seconds_of(pid: u32) -> Option<f64> {
    let mut id: libc::clockid_t = 0;
    // SAFETY: a valid out-pointer for the call.
    if unsafe { libc::clock_getcpuclockid(pid as libc::pid_t, &mut id) } != 0 {
        return None;
    }
    read_clock(id)
}

/// Seconds on clock `id`, or None when it cannot be read.
fn read_clock(id: libc::clockid_t) -> Option<f64> {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid out-pointer for the call.
    if unsafe { libc::clock_gettime(id, &mut t) } != 0 {
        return None;
    }
    Some(t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9)
}

#[cfg(test)]
mod tests {
    #[test]
    fn another_process_s_cpu_time_counts_its_work_not_its_wall_time() {
        let mut busy = std::process::Command::new("sh")
            .args([
                "-c",
                "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sleep 1",
            ])
            .spawn()
            .unwrap();
        let mut idle = std::process::Command::new("sleep")
            .arg("1")
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(500));
        let b = super::cpu_seconds_of(busy.id()).unwrap();
        let i = super::cpu_seconds_of(idle.id()).unwrap();
        busy.wait().unwrap();
        idle.wait().unwrap();
        assert!(b > i, "busy {b} s, idle {i} s");
        assert!(i < 0.25, "a sleeping process used {i} s");
        // An ended (and reaped) process has no clock.
        let mut gone = std::process::Command::new("true").spawn().unwrap();
        let pid = gone.id();
        gone.wait().unwrap();
        assert_eq!(super::cpu_seconds_of(pid), None);
    }

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
