//! The `certscan` command line (SPEC §7).

use anyhow::{bail, Context, Result};
use certscan::discover::read_list_file;
use certscan::model::json_schema;
use certscan::pipeline::{EngineChoice, RunData, Settings};
use certscan::run::scan::exit;
use certscan::run::worker::{self, Limits};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The allocator that tells a worker's supervisor when the worker reached
/// its memory ceiling.
#[global_allocator]
static ALLOC: certscan::memory::CeilingAlloc = certscan::memory::CeilingAlloc;

#[derive(Parser)]
#[command(
    name = "certscan",
    version,
    about = "Read certificates (PDF, images, ZIP), extract and validate their fields, write JSONL"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    /// Log on stderr why each page is read in full, triage's verdicts and
    /// the CPU seconds of every step.
    #[arg(long, short = 'v', global = true)]
    debug: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EngineName {
    /// Tesseract alone.
    Tesseract,
    /// PP-OCR (models in models/ocr/, installed by scripts/setup) for every page read in full.
    Paddle,
    /// Tesseract reads the page; PP-OCR re-reads the lines of key fields and poorly read lines.
    Hybrid,
    /// PP-OCR when its models are installed, else Tesseract.
    Auto,
}

impl EngineName {
    fn choice(self) -> EngineChoice {
        match self {
            EngineName::Tesseract => EngineChoice::Tesseract,
            EngineName::Paddle => EngineChoice::Paddle,
            EngineName::Hybrid => EngineChoice::Hybrid,
            EngineName::Auto => EngineChoice::Auto,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

impl LangArg {
    fn lang(self) -> certscan::texts::Lang {
        match self {
            LangArg::Zh => certscan::texts::Lang::Zh,
            LangArg::En => certscan::texts::Lang::En,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Xlsx,
    Csv,
    Html,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportTable {
    Bidders,
    Certificates,
    Findings,
}

#[derive(Subcommand)]
enum Cmd {
    /// Scan files, folders and ZIP archives; write one JSONL line per certificate or input.
    Scan(ScanArgs),
    /// Join the files of a sharded scan (`scan --shard I/N`) into one
    /// results file: every input once, the duplicate-number rule across all
    /// shards, written atomically.
    Merge {
        /// Shard files, or folders holding them (shard-IIII-of-NNNN.jsonl).
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// The merged results file.
        #[arg(short, long, value_name = "FILE")]
        out: PathBuf,
        /// Merge even when shards are missing or unfinished (they are named on stderr).
        #[arg(long)]
        partial: bool,
        /// Rulebook TOML for the duplicate rule's severity (default: the bundled one).
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        #[arg(short, long)]
        quiet: bool,
    },
    /// Print the JSON Schema of one output line.
    Schema,
    /// Print the active rulebook: every profile and every rule code with its meaning.
    Rules {
        /// Rulebook TOML (default: the bundled models/rules.toml).
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Language of the listing.
        #[arg(long, value_enum, default_value = "en")]
        lang: LangArg,
        /// Print it as JSON (codes, names, meanings, severities per profile).
        #[arg(long)]
        json: bool,
    },
    /// Judge an existing results file again (another rulebook, registry,
    /// manifest or as-of date) without reading a page.
    Revalidate {
        /// certscan JSONL results.
        results: PathBuf,
        /// Where to write the re-judged lines (default: stdout; may be RESULTS itself).
        #[arg(short, long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        registry: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Manifest or bidders file (the organisation expected per path prefix).
        #[arg(long, value_name = "FILE", alias = "bidders")]
        manifest: Option<PathBuf>,
        /// Date for time-dependent rules (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<NaiveDate>,
    },
    /// The screener's report from a results file: per bidder and required
    /// standard, per certificate, per finding, as xlsx, csv or html.
    Report {
        /// certscan JSONL results.
        results: PathBuf,
        #[arg(long, value_enum)]
        format: ReportFormat,
        /// The report file.
        #[arg(short, long, value_name = "FILE")]
        out: PathBuf,
        /// Bidders file: CSV `path_prefix,bidder,organization_name` (a manifest works too).
        #[arg(long, value_name = "FILE")]
        bidders: Option<PathBuf>,
        /// Standards the tender requires, comma-separated, matched whatever
        /// their year ("ISO/IEC 20000-1,ISO/IEC 27001"); default: those found.
        #[arg(long, value_name = "LIST")]
        require: Option<String>,
        /// Language of the report.
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
        /// CSV only: which table (the workbook and the page hold all three).
        #[arg(long, value_enum, default_value = "bidders")]
        table: ReportTable,
        /// Folder the results' input paths are relative to (html: the page
        /// pictures are drawn from the inputs); default: the current folder.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Print the label lexicon (models/labels.toml): per field, the wordings certificates print.
    Labels,
    /// Debugging: print the text certscan reads from each page of a file (text layer or OCR), with page kinds.
    Pages {
        file: PathBuf,
        /// Tesseract languages.
        #[arg(long, default_value = certscan::ocr::DEFAULT_LANGS)]
        langs: String,
        /// Print words with boxes and confidences.
        #[arg(long)]
        words: bool,
        /// OCR engine.
        #[arg(long, value_enum, default_value = "auto")]
        engine: EngineName,
    },
    /// Benchmark floor: OCR each image file with one reused engine (no
    /// extraction, no triage) and print {"pages": n, "seconds": s}.
    #[command(name = "ocr-floor", hide = true)]
    OcrFloor {
        files: Vec<PathBuf>,
        #[arg(long, default_value = certscan::ocr::DEFAULT_LANGS)]
        langs: String,
        /// Skip orientation detection.
        #[arg(long)]
        no_osd: bool,
        /// OCR engine.
        #[arg(long, value_enum, default_value = "tesseract")]
        engine: EngineName,
    },
    /// Worker process (internal).
    #[command(name = "__worker", hide = true)]
    Worker { settings: String },
}

#[derive(clap::Args)]
struct ScanArgs {
    /// Files, folders (recursed) and ZIP archives.
    inputs: Vec<PathBuf>,
    /// Read more input paths from this file, one per line.
    #[arg(long, value_name = "FILE")]
    files_from: Option<PathBuf>,
    /// JSONL results (default: stdout). With an existing FILE, inputs already recorded in it are skipped.
    #[arg(short, long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Certification-body registry CSV (default: the bundled snapshot).
    #[arg(long, value_name = "FILE")]
    registry: Option<PathBuf>,
    /// Rulebook TOML replacing the bundled models/rules.toml.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Expected organisation per path prefix: a manifest (CSV
    /// path_prefix,organization_name) or a bidders file (path_prefix,bidder,organization_name).
    #[arg(long, value_name = "FILE", alias = "bidders")]
    manifest: Option<PathBuf>,
    /// Date for time-dependent rules (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    /// Worker processes (default: all cores).
    #[arg(short, long, value_name = "N")]
    jobs: Option<usize>,
    /// OCR engine.
    #[arg(long, value_enum, default_value = "auto")]
    engine: EngineName,
    /// Tesseract languages.
    #[arg(long, default_value = certscan::ocr::DEFAULT_LANGS)]
    langs: String,
    /// Tesseract languages for a second reading of pages printed in traditional characters ("" to never).
    #[arg(long, default_value = certscan::ocr::TRADITIONAL_LANGS)]
    traditional_langs: String,
    /// Longest time one page may take, in seconds of the worker's CPU time (a
    /// busy machine does not count; a reader stuck without using CPU is
    /// stopped after ten times this in wall time): that page is not read (a
    /// `timeout` line names it), the others are.
    #[arg(long, default_value_t = 180)]
    page_timeout: u64,
    /// Longest time one document may take, in seconds of CPU time (ten times
    /// this in wall time).
    #[arg(long, default_value_t = 3600)]
    doc_timeout: u64,
    /// Memory ceiling of each worker process in MiB (heap and mappings); a
    /// document that needs more gets a `too_large` line. 0: no ceiling.
    #[arg(long, value_name = "MIB", default_value_t = certscan::memory::DEFAULT_CEILING_MB)]
    memory_limit: u64,
    /// Longest side in pixels that page images are scaled to for OCR.
    #[arg(long, default_value_t = certscan::ocr::DEFAULT_LONG_SIDE, hide = true)]
    ocr_long_side: u32,
    /// Read every image page of multi-page documents at full resolution (no cheap triage first).
    #[arg(long)]
    no_triage: bool,
    /// Do not detect pages turned by 90/180/270 degrees (faster when all scans are upright).
    #[arg(long)]
    no_osd: bool,
    /// Read only shard I of N (I from 0) of the inputs, by a hash of each
    /// input's name; `auto` takes I and N from a Slurm job array
    /// (SLURM_ARRAY_TASK_ID/COUNT) or a Kubernetes Indexed Job
    /// (JOB_COMPLETION_INDEX with CERTSCAN_SHARD_COUNT). With -o FOLDER/,
    /// the shard writes FOLDER/shard-IIII-of-NNNN.jsonl; join them with `certscan merge`.
    #[arg(long, value_name = "I/N|auto")]
    shard: Option<String>,
    /// Print the inputs this run holds (after --shard; inputs already in the output included), one per line, and stop.
    #[arg(long)]
    list: bool,
    /// Resuming: read again the inputs the output records as errors (their lines are replaced).
    #[arg(long)]
    retry_errors: bool,
    /// Exit with 4 when some inputs of this run ended as error lines (default: 0, see the README's exit codes).
    #[arg(long)]
    fail_on_error: bool,
    /// Write progress events as JSON lines to FILE (appended).
    #[arg(long, value_name = "FILE")]
    progress_json: Option<PathBuf>,
    /// When stderr is not a terminal: a progress line every SECS seconds (0: none).
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    progress_interval: u64,
    /// No progress bar, no progress lines and no summary.
    #[arg(short, long)]
    quiet: bool,
    /// Language of the summary on stderr.
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
}

/// OpenMP reads OMP_THREAD_LIMIT when libtesseract loads, before `main`:
/// subcommands that run Tesseract in this process re-execute it with the
/// variable set (measured 2-2.5x faster on 2 cores). `scan` runs Tesseract in
/// worker processes, which get it in their environment.
fn limit_openmp(cli: &Cli) {
    use std::os::unix::process::CommandExt;
    let in_process = matches!(cli.cmd, Cmd::Pages { .. } | Cmd::OcrFloor { .. });
    if in_process && std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        if let Ok(exe) = std::env::current_exe() {
            let err = std::process::Command::new(exe)
                .args(std::env::args_os().skip(1))
                .env("OMP_THREAD_LIMIT", "1")
                .exec();
            eprintln!("certscan: warning: could not limit OpenMP threads: {err}");
        }
    }
}

fn main() {
    certscan::memory::bound_heap();
    let cli = Cli::parse();
    certscan::logging::init(match (&cli.cmd, cli.debug) {
        (_, true) => log::LevelFilter::Debug,
        (Cmd::Worker { .. }, false) => certscan::logging::level_from_env(),
        _ => log::LevelFilter::Off,
    });
    limit_openmp(&cli);
    // rten sizes its thread pool on first use (unlike OpenMP, after `main`
    // starts): one thread, so that PP-OCR in this process (pages, ocr-floor)
    // costs what it costs in a worker. Workers get it in their environment.
    if std::env::var_os("RTEN_NUM_THREADS").is_none() {
        std::env::set_var("RTEN_NUM_THREADS", "1");
    }
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("certscan: error: {e:#}");
            exit::CANNOT_RUN
        }
    };
    std::process::exit(code);
}

fn run(cli: Cli) -> Result<i32> {
    match cli.cmd {
        Cmd::Scan(a) => scan(a),
        Cmd::Merge {
            shards,
            out,
            partial,
            rules,
            quiet,
        } => merge(&shards, &out, partial, rules, quiet),
        other => other_command(other).map(|()| exit::OK),
    }
}

fn other_command(cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Scan(_) | Cmd::Merge { .. } => unreachable!("handled in run"),
        Cmd::Schema => {
            println!("{}", serde_json::to_string_pretty(&json_schema())?);
            Ok(())
        }
        Cmd::Worker { settings } => {
            let s: Settings = serde_json::from_str(&settings).context("worker settings")?;
            worker::child_main(s)
        }
        Cmd::OcrFloor {
            files,
            langs,
            no_osd,
            engine,
        } => ocr_floor(&files, &langs, no_osd, engine.choice()),
        Cmd::Labels => {
            print!("{}", certscan::labels::Lexicon::bundled().describe());
            Ok(())
        }
        Cmd::Rules { rules, lang, json } => {
            let rb = match rules {
                Some(p) => certscan::rules::Rulebook::load(&p)?,
                None => certscan::rules::Rulebook::bundled(),
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&rb.to_json())?);
            } else {
                print!("{}", rb.describe_in(lang.lang()));
            }
            Ok(())
        }
        Cmd::Revalidate {
            results,
            out,
            registry,
            rules,
            manifest,
            as_of,
        } => revalidate(results, out, registry, rules, manifest, as_of),
        Cmd::Report {
            results,
            format,
            out,
            bidders,
            require,
            lang,
            table,
            root,
        } => report(
            results,
            format,
            out,
            bidders,
            require,
            lang.lang(),
            table,
            root,
        ),
        Cmd::Pages {
            file,
            langs,
            words,
            engine,
        } => pages(&file, &langs, words, engine.choice()),
    }
}

fn ocr_floor(files: &[PathBuf], langs: &str, no_osd: bool, engine: EngineChoice) -> Result<()> {
    use certscan::ocr::{Engine, LazyEngine, OcrEngine, Tesseract};
    let mut paddle = match engine.resolve() {
        EngineChoice::Paddle => Some(certscan::ocr::paddle::Paddle::load(
            &certscan::ocr::paddle::models_dir(),
        )?),
        _ => None,
    };
    let mut tesseract = LazyEngine::new(langs);
    if paddle.is_none() {
        tesseract.get()?; // started before the clock, as a worker's is
    }
    // As a worker: a PP-OCR worker judges orientation with PP-OCR.
    let mut osd = if no_osd || paddle.is_some() {
        None
    } else {
        Some(Engine::new_osd()?)
    };
    let mut reader: Box<dyn OcrEngine> = match paddle.as_mut() {
        Some(p) => Box::new(p),
        None => Box::new(Tesseract::new(&mut tesseract, osd.as_mut())),
    };
    let opts = certscan::ocr::OcrOptions {
        detect_orientation: !no_osd,
        ..Default::default()
    };
    let started = Instant::now();
    let mut n = 0;
    for f in files {
        let img = image::ImageReader::open(f)?
            .with_guessed_format()?
            .decode()?;
        certscan::ocr::read_page(&mut *reader, &img, 1, &opts)?;
        n += 1;
    }
    println!(
        "{}",
        serde_json::json!({"pages": n, "seconds": started.elapsed().as_secs_f64()})
    );
    Ok(())
}

fn pages(file: &std::path::Path, langs: &str, words: bool, engine: EngineChoice) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let doc = certscan::load::Document::open(bytes)?;
    let settings = Settings {
        engine: engine.resolve(),
        as_of: chrono::Local::now().date_naive(),
        ocr_langs: langs.to_string(),
        traditional_langs: certscan::ocr::TRADITIONAL_LANGS.to_string(),
        page_deadline_ms: 0,
        detect_orientation: true,
        ocr_long_side: certscan::ocr::DEFAULT_LONG_SIDE,
        triage: false,
        rules: None,
        registry: None,
        manifest: None,
        memory_ceiling_mb: 0,
    };
    let mut w = certscan::pipeline::Worker::new(settings).map_err(anyhow::Error::msg)?;
    let pages = w.read_pages(&doc, &mut |_| {})?;
    // A reader that stops early (`certscan pages f.pdf | head`) ends the
    // listing, not the program with a panic.
    match print_pages(&pages, words) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

/// `certscan pages`' listing of `pages` on stdout.
fn print_pages(pages: &[certscan::page::PageText], words: bool) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for p in pages {
        writeln!(
            out,
            "=== page {} {:?} {}x{} conf {:?} kind {:?}",
            p.number,
            p.source,
            p.width,
            p.height,
            p.mean_conf,
            certscan::classify::classify(&p.text())
        )?;
        for l in &p.lines {
            writeln!(out, "[{:>5.1}] {}", l.conf, l.text)?;
            if words {
                for wd in &l.words {
                    writeln!(
                        out,
                        "        {:?} {:.1} {}",
                        wd.bbox.to_array(),
                        wd.conf,
                        wd.text
                    )?;
                }
            }
        }
    }
    out.flush()
}

fn scan(a: ScanArgs) -> Result<i32> {
    let mut paths = a.inputs.clone();
    if let Some(l) = &a.files_from {
        paths.extend(
            read_list_file(l).with_context(|| format!("cannot read list file {}", l.display()))?,
        );
    }
    if paths.is_empty() {
        bail!("no inputs: give files, folders or archives, or --files-from FILE");
    }
    let shard = match &a.shard {
        Some(s) => Some(
            certscan::run::shard::Shard::parse(s, &|k| std::env::var(k).ok())
                .map_err(anyhow::Error::msg)?,
        ),
        None => None,
    };
    let jobs = a
        .jobs
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .max(1);
    let engine = a.engine.choice().resolve();
    if matches!(a.engine, EngineName::Paddle | EngineName::Hybrid)
        && !certscan::ocr::paddle::models_present(&certscan::ocr::paddle::models_dir())
    {
        bail!(
            "--engine {}: the PP-OCR models are not in {} (run scripts/setup)",
            if a.engine == EngineName::Paddle {
                "paddle"
            } else {
                "hybrid"
            },
            certscan::ocr::paddle::models_dir().display()
        );
    }
    if a.engine == EngineName::Auto && engine == EngineChoice::Tesseract && !a.quiet && !a.list {
        eprintln!(
            "certscan: the PP-OCR models are not in {} (scripts/setup installs them): reading with Tesseract alone",
            certscan::ocr::paddle::models_dir().display()
        );
    }
    let settings = Settings {
        engine,
        as_of: a.as_of.unwrap_or_else(|| chrono::Local::now().date_naive()),
        ocr_langs: a.langs.clone(),
        traditional_langs: a.traditional_langs.clone(),
        // Tesseract's own deadline is wall time: the supervisor's CPU-time
        // limit governs, this is its backstop.
        page_deadline_ms: (a.page_timeout)
            .saturating_mul(1000 * certscan::run::worker::WALL_BACKSTOP as u64)
            .min(u32::MAX as u64) as u32,
        detect_orientation: !a.no_osd,
        ocr_long_side: a.ocr_long_side,
        triage: !a.no_triage,
        rules: a.rules.clone(),
        registry: a.registry.clone(),
        manifest: a.manifest.clone(),
        memory_ceiling_mb: a.memory_limit,
    };
    let terminal = std::io::stderr().is_terminal();
    certscan::run::scan::scan(certscan::run::scan::ScanOptions {
        paths,
        out: a.out.clone(),
        settings,
        jobs,
        limits: Limits {
            page_timeout: Duration::from_secs(a.page_timeout.max(1)),
            doc_timeout: Duration::from_secs(a.doc_timeout.max(1)),
        },
        shard,
        retry_errors: a.retry_errors,
        fail_on_error: a.fail_on_error,
        list: a.list,
        progress: certscan::run::progress::Options {
            bar: !a.quiet && terminal,
            every: (!a.quiet && !terminal && a.progress_interval > 0)
                .then(|| Duration::from_secs(a.progress_interval)),
            json: a.progress_json.clone(),
        },
        quiet: a.quiet,
        lang: a.lang.lang(),
    })
}

fn merge(
    shards: &[PathBuf],
    out: &std::path::Path,
    partial: bool,
    rules: Option<PathBuf>,
    quiet: bool,
) -> Result<i32> {
    let started = Instant::now();
    let rulebook = match rules {
        Some(p) => certscan::rules::Rulebook::load(&p)?,
        None => certscan::rules::Rulebook::bundled(),
    };
    let m =
        certscan::run::merge::merge(shards, out, partial, &rulebook).map_err(anyhow::Error::msg)?;
    if !quiet {
        for i in &m.missing {
            eprintln!(
                "certscan: warning: shard {i} of {} is missing (--partial)",
                m.count
            );
        }
        for (i, why) in &m.unfinished {
            eprintln!("certscan: warning: shard {i} is not finished (--partial): {why}");
        }
        eprintln!(
            "certscan: merged {} of {} shard(s): {} line(s) in, {} written to {} in {:.1} s",
            m.shards,
            m.count,
            m.lines_in,
            m.lines_out,
            out.display(),
            started.elapsed().as_secs_f64()
        );
        if m.dropped_elsewhere + m.dropped_repeats > 0 {
            eprintln!(
                "  dropped: {} line(s) of inputs of other shards, {} line(s) of inputs already merged",
                m.dropped_elsewhere, m.dropped_repeats
            );
        }
        for (number, orgs) in &m.claimed {
            eprintln!(
                "  certificate number {number} is claimed by {} organisations: {}",
                orgs.len(),
                orgs.join("; ")
            );
        }
    }
    Ok(if m.missing.is_empty() && m.unfinished.is_empty() {
        exit::OK
    } else {
        exit::MISSING_INPUTS
    })
}

fn revalidate(
    results: PathBuf,
    out: Option<PathBuf>,
    registry: Option<PathBuf>,
    rules: Option<PathBuf>,
    manifest: Option<PathBuf>,
    as_of: Option<NaiveDate>,
) -> Result<()> {
    let settings = Settings {
        engine: EngineChoice::Tesseract,
        as_of: as_of.unwrap_or_else(|| chrono::Local::now().date_naive()),
        ocr_langs: String::new(),
        traditional_langs: String::new(),
        page_deadline_ms: 0,
        detect_orientation: false,
        ocr_long_side: 0,
        triage: false,
        rules,
        registry,
        manifest,
        memory_ceiling_mb: 0,
    };
    let data = RunData::load(&settings)?;
    let mut records = certscan::report::read_results(&results).map_err(anyhow::Error::msg)?;
    let fresh = data.stamp(&settings);
    for r in &mut records {
        certscan::validate::rejudge(
            r,
            settings.as_of,
            &data.rulebook,
            &data.registry,
            data.manifest.as_ref(),
        );
        // The engine is the one that read the pages.
        let engine = r
            .run
            .as_ref()
            .map(|s| s.engine.clone())
            .unwrap_or_else(|| "unknown".into());
        r.run = Some(certscan::model::RunStamp {
            engine,
            ..fresh.clone()
        });
    }
    certscan::validate::mark_duplicates(&mut records, &data.rulebook);
    let mut buf = Vec::new();
    for r in &records {
        serde_json::to_writer(&mut buf, r)?;
        buf.push(b'\n');
    }
    match out {
        Some(p) => certscan::output::write_atomically(&p, &buf)
            .with_context(|| format!("cannot write {}", p.display()))?,
        None => {
            use std::io::Write;
            let mut o = std::io::stdout().lock();
            o.write_all(&buf)?;
            o.flush()?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn report(
    results: PathBuf,
    format: ReportFormat,
    out: PathBuf,
    bidders: Option<PathBuf>,
    require: Option<String>,
    lang: certscan::texts::Lang,
    table: ReportTable,
    root: Option<PathBuf>,
) -> Result<()> {
    use certscan::report;
    let records = report::read_results(&results).map_err(anyhow::Error::msg)?;
    let manifest = match &bidders {
        Some(p) => Some(certscan::manifest::Manifest::load(p)?),
        None => None,
    };
    let require: Vec<String> = require
        .as_deref()
        .unwrap_or("")
        .split([',', ';', '，'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let rep = report::build(records, manifest.as_ref(), &require);
    match format {
        ReportFormat::Xlsx => report::xlsx::write(&rep, lang, &out).map_err(anyhow::Error::msg)?,
        ReportFormat::Csv => {
            let t = match table {
                ReportTable::Bidders => rep.bidder_table(lang),
                ReportTable::Certificates => rep.certificate_table(lang),
                ReportTable::Findings => rep.findings_table(lang),
            };
            let mut buf = Vec::new();
            report::csv::write(&t, &mut buf)?;
            certscan::output::write_atomically(&out, &buf)
                .with_context(|| format!("cannot write {}", out.display()))?;
        }
        ReportFormat::Html => {
            let root = match root {
                Some(r) => r,
                None => std::env::current_dir()?,
            };
            let generated = format!(
                "certscan {} · {} · {}",
                env!("CARGO_PKG_VERSION"),
                results.display(),
                chrono::Local::now().format("%Y-%m-%d %H:%M")
            );
            let html = report::html::write(&rep, lang, &root, &generated);
            certscan::output::write_atomically(&out, html.as_bytes())
                .with_context(|| format!("cannot write {}", out.display()))?;
        }
    }
    Ok(())
}
