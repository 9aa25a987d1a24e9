//! Clean stops. SIGINT (Ctrl-C) and SIGTERM (what a scheduler sends first)
//! ask the run to stop: no new document is started, the workers are stopped,
//! the documents they were reading get no line (a resumed run reads them),
//! every finished document's lines are already whole in the output, and the
//! summary says what was finished. A second signal stops at once (a resumed
//! run cuts off an unfinished last line).
//!
//! Workers ignore both signals (a terminal's Ctrl-C reaches the whole process
//! group): the supervisor stops them, and they die with it in any case
//! (PR_SET_PDEATHSIG, see [`crate::run::worker`]).

use std::sync::atomic::{AtomicI32, Ordering};

static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    if SIGNAL.swap(sig, Ordering::SeqCst) != 0 {
        // The second signal: stop now (async-signal-safe).
        unsafe { libc::_exit(128 + sig) };
    }
}

fn set_handler(sig: libc::c_int, handler: libc::sighandler_t) {
    // SAFETY: a zeroed sigaction with a handler that only touches an atomic
    // (or calls _exit), or SIG_IGN; no pointers are kept.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler;
        sa.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(sig, &sa, std::ptr::null_mut());
    }
}

/// Makes SIGINT and SIGTERM requests to stop (the supervising process).
pub fn install() {
    let h = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    set_handler(libc::SIGINT, h);
    set_handler(libc::SIGTERM, h);
}

/// A worker process ignores SIGINT and SIGTERM: its supervisor decides.
pub fn ignore_in_worker() {
    set_handler(libc::SIGINT, libc::SIG_IGN);
    set_handler(libc::SIGTERM, libc::SIG_IGN);
}

/// The signal that asked the run to stop, if one did.
pub fn requested() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Asks the run to stop as a signal would (the writer lost its output, or a test).
pub fn request(sig: i32) {
    let _ = SIGNAL.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
}

/// "SIGINT", "SIGTERM", or the number.
pub fn name(sig: i32) -> String {
    match sig {
        libc::SIGINT => "SIGINT".into(),
        libc::SIGTERM => "SIGTERM".into(),
        s => format!("signal {s}"),
    }
}
