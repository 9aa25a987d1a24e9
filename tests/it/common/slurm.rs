//! A real Slurm cluster on this machine, started by a test and stopped with it
//! (issue 16): Debian's `munge`, `slurmctld` and two `slurmd` (nodes `n1` and
//! `n2`, one CPU each) on 127.0.0.1, no systemd, no accounting.
//!
//! Everything lives under the folder given to [`Cluster::start`]: `slurm.conf`,
//! the munge key and socket, controller state, one spool folder per node, pid
//! files and logs (`log/`). Every Slurm command a test runs must go through
//! [`Cluster::command`] (it sets `SLURM_CONF`; the munge socket is named in the
//! conf's `AuthInfo`) or it talks to whatever cluster `/etc/slurm` describes.
//!
//! The daemons run in the foreground (`munged -F`, `slurmctld -D`, `slurmd -D`)
//! as children of the test, so their pids are ours to signal and to reap; each
//! is started with `PR_SET_PDEATHSIG(SIGKILL)`, so they die with the thread that
//! started them even when the test process is killed outright (keep the
//! `Cluster` on the test's own thread, not in a shared static). `Drop` stops
//! them by pid (SIGTERM, then SIGKILL after 5 s), together with every
//! `slurmstepd` of this cluster and its job processes; never by name, other
//! clusters and other tests may run on the machine.
//!
//! Ports: 6817 (controller), 6818 (`n1`) and 6819 (`n2`) when free; when one of
//! them is taken (another test's cluster, a real Slurm) three free ports the
//! kernel hands out are used instead, so two runs on one machine do not meet.
//!
//! Needs root (the daemons run as `SlurmUser=root`/`SlurmdUser=root`).
#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The nodes of every cluster.
pub const NODES: [&str; 2] = ["n1", "n2"];

/// The programs a cluster needs, found in `PATH`, `/usr/sbin` or `/sbin`.
const PROGRAMS: [&str; 7] = [
    "munged",
    "slurmctld",
    "slurmd",
    "sbatch",
    "scontrol",
    "sinfo",
    "scancel",
];

/// Where `prog` is, or `None`.
pub fn which(prog: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|d| d.join(prog))
        .find(|p| p.is_file())
}

/// `None` when every program is installed, else which are missing.
pub fn missing_programs() -> Option<String> {
    let missing: Vec<&str> = PROGRAMS
        .iter()
        .copied()
        .filter(|p| which(p).is_none())
        .collect();
    (!missing.is_empty()).then(|| missing.join(", "))
}

/// One record of `scontrol show job -o`: a job, or one task of an array
/// (pending tasks of an array share one record whose `ArrayTaskId` is a range).
#[derive(Debug, Clone)]
pub struct Job {
    pub fields: BTreeMap<String, String>,
}

impl Job {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty() && *v != "(null)")
    }
    pub fn id(&self) -> u64 {
        self.get("JobId").and_then(|v| v.parse().ok()).unwrap_or(0)
    }
    /// `ArrayTaskId` when it is one task (not a pending range like `2-7`).
    pub fn array_task(&self) -> Option<u32> {
        self.get("ArrayTaskId").and_then(|v| v.parse().ok())
    }
    pub fn state(&self) -> &str {
        self.get("JobState").unwrap_or("")
    }
    pub fn reason(&self) -> &str {
        self.get("Reason").unwrap_or("")
    }
    /// The node the batch script runs or ran on (the last run's, after a requeue).
    pub fn batch_host(&self) -> Option<&str> {
        self.get("BatchHost")
    }
    pub fn restarts(&self) -> u32 {
        self.get("Restarts")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
    /// Over for good: no state it can leave by itself (a requeued job is PENDING).
    pub fn is_finished(&self) -> bool {
        matches!(
            self.state(),
            "COMPLETED"
                | "FAILED"
                | "CANCELLED"
                | "TIMEOUT"
                | "NODE_FAIL"
                | "PREEMPTED"
                | "BOOT_FAIL"
                | "DEADLINE"
                | "OUT_OF_MEMORY"
        )
    }
    /// A line for messages.
    pub fn summary(&self) -> String {
        format!(
            "JobId={} ArrayTaskId={} JobState={} Reason={} BatchHost={} Restarts={} ExitCode={}",
            self.id(),
            self.get("ArrayTaskId").unwrap_or("-"),
            self.state(),
            self.reason(),
            self.batch_host().unwrap_or("-"),
            self.restarts(),
            self.get("ExitCode").unwrap_or("-"),
        )
    }
}

/// Splits one `scontrol -o` line into `Key=Value` fields. A value may hold
/// spaces (a reason, a command line): a word that does not start a new
/// `Key=` belongs to the value before it.
pub fn parse_record(line: &str) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut last: Option<String> = None;
    for word in line.split(' ').filter(|w| !w.is_empty()) {
        let key = word.split_once('=').map(|(k, _)| k).filter(|k| {
            k.starts_with(|c: char| c.is_ascii_alphabetic())
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_'))
        });
        match (key, &last) {
            (Some(k), _) => {
                m.insert(k.to_string(), word[k.len() + 1..].to_string());
                last = Some(k.to_string());
            }
            (None, Some(k)) => {
                let v: &mut String = m.get_mut(k).unwrap();
                v.push(' ');
                v.push_str(word);
            }
            (None, None) => {}
        }
    }
    m
}

/// [`Cluster::stepds`] of the cluster in `dir`: usable after it is dropped.
pub fn stepds_of(dir: &Path, node: &str) -> Vec<i32> {
    let log = dir.join(format!("log/slurmd-{node}.log"));
    let spool = dir.join(format!("spool/{node}"));
    let sockets: HashSet<String> = std::fs::read_to_string("/proc/net/unix")
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 8 && Path::new(f[7]).starts_with(&spool)).then(|| f[6].to_string())
        })
        .collect();
    all_pids()
        .into_iter()
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.starts_with(b"slurmstepd:"))
        })
        .filter(|pid| {
            let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
                return false;
            };
            fds.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
                .any(|t| {
                    t == log
                        || t.to_str()
                            .and_then(|s| s.strip_prefix("socket:["))
                            .and_then(|s| s.strip_suffix(']'))
                            .is_some_and(|i| sockets.contains(i))
                })
        })
        .collect()
}

/// A process, named by pid and start time (so that a reused pid is not
/// mistaken for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Proc {
    pid: i32,
    start: u64,
}

/// `(ppid, starttime)` of a live (not zombie) process, from `/proc/PID/stat`.
fn stat(pid: i32) -> Option<(i32, u64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: fields after ')'.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    // f[0] state, f[1] ppid, ..., f[19] starttime (field 22 of the man page).
    if f[0] == "Z" || f[0] == "X" {
        return None;
    }
    Some((f[1].parse().ok()?, f[19].parse().ok()?))
}

fn proc_of(pid: i32) -> Option<Proc> {
    stat(pid).map(|(_, start)| Proc { pid, start })
}

fn alive(p: Proc) -> bool {
    proc_of(p.pid) == Some(p)
}

fn all_pids() -> Vec<i32> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// `roots` and all their descendants (by parent pid in `/proc`).
fn with_descendants(roots: &[Proc]) -> Vec<Proc> {
    let mut set: Vec<Proc> = roots.to_vec();
    let table: Vec<(Proc, i32)> = all_pids()
        .into_iter()
        .filter_map(|pid| stat(pid).map(|(ppid, start)| (Proc { pid, start }, ppid)))
        .collect();
    loop {
        let pids: HashSet<i32> = set.iter().map(|p| p.pid).collect();
        let more: Vec<Proc> = table
            .iter()
            .filter(|(p, ppid)| pids.contains(ppid) && !set.contains(p))
            .map(|(p, _)| *p)
            .collect();
        if more.is_empty() {
            return set;
        }
        set.extend(more);
    }
}

fn signal(p: Proc, sig: i32) {
    if alive(p) {
        // SAFETY: kill(2) on a pid we just saw alive with the same start time.
        unsafe {
            libc::kill(p.pid, sig);
        }
    }
}

/// Stops `roots` and their descendants with SIGSTOP until no new process
/// appears (a stopped process cannot fork), then SIGKILLs them all: nothing of
/// the tree survives to finish its work, as on a machine that lost power.
fn kill_tree(roots: &[Proc]) -> Vec<Proc> {
    let mut stopped: Vec<Proc> = Vec::new();
    loop {
        let now = with_descendants(roots);
        let new: Vec<Proc> = now.into_iter().filter(|p| !stopped.contains(p)).collect();
        if new.is_empty() {
            break;
        }
        for p in &new {
            signal(*p, libc::SIGSTOP);
        }
        stopped.extend(new);
    }
    for p in &stopped {
        signal(*p, libc::SIGKILL);
    }
    stopped
}

struct Daemon {
    name: String,
    child: Child,
}

/// A running cluster; see the module's documentation.
pub struct Cluster {
    dir: PathBuf,
    conf: PathBuf,
    ports: [u16; 3],
    daemons: Vec<Daemon>,
    /// How long `start` took until both nodes were idle.
    pub start_time: Duration,
}

fn port_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// 6817..6819 when all are free, else three ports the kernel picks.
fn pick_ports() -> Result<[u16; 3], String> {
    if [6817, 6818, 6819].into_iter().all(port_free) {
        return Ok([6817, 6818, 6819]);
    }
    let ls: Vec<std::net::TcpListener> = (0..3)
        .map(|_| std::net::TcpListener::bind(("127.0.0.1", 0)))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("no free port: {e}"))?;
    let p: Vec<u16> = ls.iter().map(|l| l.local_addr().unwrap().port()).collect();
    Ok([p[0], p[1], p[2]])
}

/// The text of `slurm.conf` for a cluster under `dir` on `ports`
/// (controller, n1, n2).
pub fn slurm_conf(dir: &Path, ports: [u16; 3]) -> String {
    let d = dir.display();
    format!(
        "\
ClusterName=certscan
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={ctl}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire also delays a requeued job's restart (default 120 s).
AuthInfo=socket={d}/munge/munge.socket,cred_expire=10
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool/%n
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd-%n.pid
SlurmctldLogFile={d}/log/slurmctld.log
SlurmdLogFile={d}/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdTimeout=10
SlurmctldTimeout=10
InactiveLimit=0
KillWait=2
# Without accounting, scontrol is the only record of a finished job: keep it
# for 5 minutes (the default), long enough for a test to read it.
MinJobAge=300
JobRequeue=1
NodeName=n1 NodeHostname=localhost NodeAddr=127.0.0.1 Port={n1} CPUs=1 State=UNKNOWN
NodeName=n2 NodeHostname=localhost NodeAddr=127.0.0.1 Port={n2} CPUs=1 State=UNKNOWN
PartitionName=batch Nodes=n1,n2 Default=YES MaxTime=INFINITE State=UP
",
        ctl = ports[0],
        n1 = ports[1],
        n2 = ports[2],
    )
}

impl Cluster {
    /// Writes the configuration and munge key under `dir` (created; must be an
    /// absolute path without spaces, short enough for a unix socket path),
    /// starts munged, slurmctld and slurmd `n1` and `n2`, and returns once
    /// `sinfo` shows both nodes idle (error after 60 s). On error everything
    /// started so far is stopped again.
    pub fn start(dir: &Path) -> Result<Cluster, String> {
        // Clusters of one test binary start one at a time, so that a second
        // sees the first one's ports taken and picks others.
        static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one = STARTING.lock().unwrap_or_else(|e| e.into_inner());
        let t0 = Instant::now();
        if let Some(m) = missing_programs() {
            return Err(format!("not installed: {m}"));
        }
        if !dir.is_absolute() || dir.to_string_lossy().contains(char::is_whitespace) {
            return Err(format!(
                "{} must be absolute, without spaces",
                dir.display()
            ));
        }
        let e = |what: &str, err: std::io::Error| format!("{what}: {err}");
        for sub in ["state", "spool/n1", "spool/n2", "log", "munge", "jobs"] {
            std::fs::create_dir_all(dir.join(sub)).map_err(|err| e(sub, err))?;
        }
        // munged refuses a key or socket folder that others can read or write.
        std::fs::set_permissions(dir.join("munge"), std::fs::Permissions::from_mode(0o700))
            .map_err(|err| e("munge dir", err))?;
        let key = dir.join("munge/munge.key");
        let mut bytes = vec![0u8; 1024];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
            .map_err(|err| e("/dev/urandom", err))?;
        std::fs::write(&key, &bytes).map_err(|err| e("munge key", err))?;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))
            .map_err(|err| e("munge key", err))?;
        let ports = pick_ports()?;
        let conf = dir.join("slurm.conf");
        std::fs::write(&conf, slurm_conf(dir, ports)).map_err(|err| e("slurm.conf", err))?;

        let mut c = Cluster {
            dir: dir.to_path_buf(),
            conf,
            ports,
            daemons: Vec::new(),
            start_time: Duration::ZERO,
        };
        let socket = dir.join("munge/munge.socket");
        c.spawn(
            "munged",
            &[
                "-F",
                "--force",
                &format!("--socket={}", socket.display()),
                &format!("--key-file={}", key.display()),
                &format!("--pid-file={}", dir.join("munge/munged.pid").display()),
                &format!("--log-file={}", dir.join("log/munged.log").display()),
                &format!("--seed-file={}", dir.join("munge/munged.seed").display()),
            ],
        )?;
        c.wait_until("munged's socket", Duration::from_secs(20), |_| {
            Ok(socket.exists())
        })?;
        let conf_s = c.conf.to_string_lossy().into_owned();
        c.spawn("slurmctld", &["-D", "-f", &conf_s])?;
        c.wait_until("slurmctld answering", Duration::from_secs(30), |c| {
            let o = c.command("scontrol").arg("ping").output();
            Ok(o.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("is UP")))
        })?;
        for n in NODES {
            c.spawn(&format!("slurmd-{n}"), &["-D", "-f", &conf_s, "-N", n])?;
        }
        c.wait_until("both nodes idle", Duration::from_secs(60), |c| {
            Ok(NODES
                .iter()
                .all(|n| c.node_state(n).is_ok_and(|s| s == "idle")))
        })?;
        c.start_time = t0.elapsed();
        Ok(c)
    }

    /// Starts one daemon in the foreground as our child; `name` is `munged`,
    /// `slurmctld` or `slurmd-NODE`. Its stdout and stderr go to `log/NAME.out`.
    fn spawn(&mut self, name: &str, args: &[&str]) -> Result<(), String> {
        let prog = name.split('-').next().unwrap();
        let out = std::fs::File::create(self.dir.join(format!("log/{name}.out")))
            .map_err(|e| format!("log/{name}.out: {e}"))?;
        let mut cmd = self.command(prog);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(out.try_clone().map_err(|e| e.to_string())?)
            .stderr(out);
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
                Ok(())
            });
        }
        let child = cmd.spawn().map_err(|e| format!("{prog}: {e}"))?;
        self.daemons.push(Daemon {
            name: name.to_string(),
            child,
        });
        Ok(())
    }

    /// Polls `ok` every 100 ms; fails when it is not true within `timeout` or
    /// when a daemon exits meanwhile (with the tail of its log).
    fn wait_until(
        &mut self,
        what: &str,
        timeout: Duration,
        ok: impl Fn(&Cluster) -> Result<bool, String>,
    ) -> Result<(), String> {
        let t0 = Instant::now();
        loop {
            if ok(self)? {
                return Ok(());
            }
            let exited = self
                .daemons
                .iter_mut()
                .find_map(|d| Some((d.name.clone(), d.child.try_wait().ok()??)));
            if let Some((name, st)) = exited {
                return Err(format!(
                    "waiting for {what}: {name} exited ({st})\n{}",
                    self.logs_tail(30)
                ));
            }
            if t0.elapsed() > timeout {
                return Err(format!(
                    "{what}: not within {timeout:?}\n{}",
                    self.logs_tail(30)
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn conf(&self) -> &Path {
        &self.conf
    }

    /// Controller, n1 and n2 ports.
    pub fn ports(&self) -> [u16; 3] {
        self.ports
    }

    /// `prog` (a Slurm or munge program) pointed at this cluster: `SLURM_CONF`
    /// set, every inherited `SLURM_*`/`SBATCH_*`/`SALLOC_*`/`SRUN_*` variable
    /// removed (a test run inside a real Slurm job must not leak its job into
    /// ours), working directory `dir`.
    pub fn command(&self, prog: &str) -> Command {
        let mut c = Command::new(which(prog).unwrap_or_else(|| PathBuf::from(prog)));
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy();
            if ["SLURM_", "SBATCH_", "SALLOC_", "SRUN_"]
                .iter()
                .any(|p| k.starts_with(p))
            {
                c.env_remove(&*k);
            }
        }
        c.env("SLURM_CONF", &self.conf).current_dir(&self.dir);
        c
    }

    fn run(&self, prog: &str, args: &[&str]) -> Result<String, String> {
        let o = self
            .command(prog)
            .args(args)
            .output()
            .map_err(|e| format!("{prog}: {e}"))?;
        if !o.status.success() {
            return Err(format!(
                "{prog} {}: {}\n{}",
                args.join(" "),
                o.status,
                String::from_utf8_lossy(&o.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    }

    /// `sbatch --parsable ARGS` with `script` (it needs its `#!` line) as the
    /// batch script, kept as `jobs/script-N.sh`; returns the job id (an array's
    /// `ArrayJobId`).
    pub fn sbatch(&self, args: &[&str], script: &str) -> Result<u64, String> {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let path = self.dir.join(format!("jobs/script-{n}.sh"));
        std::fs::write(&path, script).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut a: Vec<&str> = vec!["--parsable"];
        a.extend_from_slice(args);
        let p = path.to_string_lossy().into_owned();
        a.push(&p);
        let out = self.run("sbatch", &a)?;
        let id = out.trim().split(';').next().unwrap_or("");
        id.parse()
            .map_err(|_| format!("sbatch printed {out:?}, not a job id"))
    }

    /// The records of job `id` (`123`, or one array task `123_4`), from
    /// `scontrol show job -o` (there is no accounting): an array gives one
    /// record per started task plus one for the tasks still pending.
    pub fn jobs(&self, id: &str) -> Result<Vec<Job>, String> {
        let out = self.run("scontrol", &["show", "job", "-o", id])?;
        Ok(out
            .lines()
            .filter(|l| l.starts_with("JobId="))
            .map(|l| Job {
                fields: parse_record(l),
            })
            .collect())
    }

    /// Waits until every record of job `id` is finished (see
    /// [`Job::is_finished`]) and returns them; fails after `timeout`, or as
    /// soon as one waits on a dependency that can never be satisfied.
    pub fn wait_job(&self, id: u64, timeout: Duration) -> Result<Vec<Job>, String> {
        let t0 = Instant::now();
        loop {
            let jobs = self.jobs(&id.to_string())?;
            if !jobs.is_empty() && jobs.iter().all(Job::is_finished) {
                return Ok(jobs);
            }
            if let Some(j) = jobs
                .iter()
                .find(|j| j.reason() == "DependencyNeverSatisfied")
            {
                return Err(format!("job {id} can never run: {}", j.summary()));
            }
            if t0.elapsed() > timeout {
                let s: Vec<String> = jobs.iter().map(Job::summary).collect();
                return Err(format!(
                    "job {id} not finished within {timeout:?}:\n{}\n{}",
                    s.join("\n"),
                    self.logs_tail(20)
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// The node that runs (or last ran) task `task` of array `job`, from its
    /// `BatchHost`; `None` while it has not started.
    pub fn node_of_task(&self, job: u64, task: u32) -> Result<Option<String>, String> {
        let jobs = self.jobs(&format!("{job}_{task}"))?;
        Ok(jobs
            .iter()
            .find(|j| j.array_task() == Some(task))
            .filter(|j| j.state() != "PENDING")
            .and_then(|j| j.batch_host().map(str::to_string)))
    }

    /// The state `sinfo` shows for `node`: `idle`, `alloc`, `down*`, ...
    pub fn node_state(&self, node: &str) -> Result<String, String> {
        Ok(self
            .run("sinfo", &["-h", "-N", "-n", node, "-o", "%t"])?
            .trim()
            .to_string())
    }

    /// The `slurmstepd` processes of `node`. slurmstepd runs detached (its
    /// parent is init, its environment is empty, its command line is only
    /// `slurmstepd: [JOB.STEP]`), so it is tied to its node by what it holds
    /// open: the node's log file `log/slurmd-NODE.log` (SlurmdLogFile has
    /// `%n`), or the unix socket it listens on, `spool/NODE/NODE_JOB.STEP`
    /// (SlurmdSpoolDir has `%n`; the socket's inode in `/proc/PID/fd` is
    /// looked up in `/proc/net/unix`). Both paths are under this cluster's
    /// folder, so no other cluster's processes match.
    pub fn stepds(&self, node: &str) -> Vec<i32> {
        stepds_of(&self.dir, node)
    }

    /// Pids of the daemons still running, by name (`munged`, `slurmctld`,
    /// `slurmd-n1`, `slurmd-n2`).
    pub fn daemon_pids(&self) -> Vec<(String, i32)> {
        self.daemons
            .iter()
            .map(|d| (d.name.clone(), d.child.id() as i32))
            .collect()
    }

    /// Kills node `node` as a power cut would: SIGSTOP then SIGKILL to its
    /// slurmd, every slurmstepd of the node (see [`Cluster::stepds`]) and all
    /// their descendants (the job's processes; with proctrack/linuxproc
    /// nothing else would kill them, and a job script left alive would finish
    /// its work on a dead node). Returns the pids killed. The controller
    /// notices after `SlurmdTimeout` (10 s) and more: see the test for timings.
    pub fn kill_node(&mut self, node: &str) -> Result<Vec<i32>, String> {
        let name = format!("slurmd-{node}");
        let i = self
            .daemons
            .iter()
            .position(|d| d.name == name)
            .ok_or_else(|| format!("no running {name}"))?;
        let mut roots: Vec<Proc> = proc_of(self.daemons[i].child.id() as i32)
            .into_iter()
            .collect();
        roots.extend(self.stepds(node).into_iter().filter_map(proc_of));
        let killed = kill_tree(&roots);
        let mut d = self.daemons.remove(i);
        let _ = d.child.wait();
        Ok(killed.iter().map(|p| p.pid).collect())
    }

    /// The last `n` lines of every log, for failure messages.
    pub fn logs_tail(&self, n: usize) -> String {
        let mut s = String::new();
        let mut logs: Vec<PathBuf> = std::fs::read_dir(self.dir.join("log"))
            .map(|d| d.filter_map(|e| Some(e.ok()?.path())).collect())
            .unwrap_or_default();
        logs.sort();
        for p in logs {
            let t = std::fs::read_to_string(&p).unwrap_or_default();
            let lines: Vec<&str> = t.lines().collect();
            if lines.is_empty() {
                continue;
            }
            s += &format!("--- {}\n", p.display());
            for l in &lines[lines.len().saturating_sub(n)..] {
                s += l;
                s.push('\n');
            }
        }
        s
    }
}

impl Drop for Cluster {
    /// Kills every slurmstepd of this cluster with its job processes, then
    /// stops the daemons (slurmds, slurmctld with its slurmscriptd, munged)
    /// by pid: SIGTERM, SIGKILL after 5 s.
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "slurm cluster in {} at the failure:\n{}",
                self.dir.display(),
                self.logs_tail(15)
            );
        }
        let stepds: Vec<Proc> = NODES
            .iter()
            .flat_map(|n| self.stepds(n))
            .filter_map(proc_of)
            .collect();
        kill_tree(&stepds);
        while let Some(mut d) = self.daemons.pop() {
            let Some(me) = proc_of(d.child.id() as i32) else {
                let _ = d.child.wait();
                continue;
            };
            // Children (slurmscriptd, a slurmd's forks) are noted first: once
            // their parent is gone they could not be found by parent pid.
            let tree = with_descendants(&[me]);
            signal(me, libc::SIGTERM);
            let t0 = Instant::now();
            while t0.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = d.child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            if d.child.try_wait().ok().flatten().is_none() {
                signal(me, libc::SIGKILL);
                let _ = d.child.wait();
            }
            for p in tree.iter().skip(1) {
                signal(*p, libc::SIGKILL);
            }
        }
    }
}
