//! The `certscan` command line (SPEC §7).

use anyhow::{bail, Context, Result};
use certscan::discover::{discover, read_list_file, InputRef};
use certscan::model::{json_schema, Record};
use certscan::output::{open_output, Sink, Summary};
use certscan::pipeline::{EngineChoice, RunData, Settings};
use certscan::worker::{self, Event, Limits};
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
    /// Longest time one page may take, in seconds: that page is not read (a `timeout` line names it), the others are.
    #[arg(long, default_value_t = 180)]
    page_timeout: u64,
    /// Longest time one document may take, in seconds.
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
    /// No progress bar and no summary.
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
    limit_openmp(&cli);
    // rten sizes its thread pool on first use (unlike OpenMP, after `main`
    // starts): one thread, so that PP-OCR in this process (pages, ocr-floor)
    // costs what it costs in a worker. Workers get it in their environment.
    if std::env::var_os("RTEN_NUM_THREADS").is_none() {
        std::env::set_var("RTEN_NUM_THREADS", "1");
    }
    let code = match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("certscan: error: {e:#}");
            2
        }
    };
    std::process::exit(code);
}

fn run(cli: Cli) -> Result<()> {
    match cli.cmd {
        Cmd::Schema => {
            println!("{}", serde_json::to_string_pretty(&json_schema())?);
            Ok(())
        }
        Cmd::Worker { settings } => {
            let s: Settings = serde_json::from_str(&settings).context("worker settings")?;
            worker::child_main(s)
        }
        Cmd::Scan(a) => scan(a),
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
                Some(p) => certscan::rules::Rulebook::load(&p).map_err(anyhow::Error::msg)?,
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
    let paddle = match engine.resolve() {
        EngineChoice::Paddle => Some(certscan::paddle::Paddle::load(
            &certscan::paddle::models_dir(),
        )?),
        _ => None,
    };
    let mut engine = certscan::ocr::LazyEngine::new(langs);
    if paddle.is_none() {
        engine.get()?; // started before the clock, as a worker's is
    }
    // As a worker: a PP-OCR worker judges orientation with PP-OCR.
    let mut osd = if no_osd || paddle.is_some() {
        None
    } else {
        Some(certscan::ocr::Engine::new_osd()?)
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
        let orient = match (osd.as_mut(), paddle.as_ref()) {
            _ if no_osd => certscan::ocr::Orienter::Off,
            (_, Some(p)) => certscan::ocr::Orienter::Paddle(p),
            (Some(e), None) => certscan::ocr::Orienter::Osd(e),
            (None, None) => certscan::ocr::Orienter::Off,
        };
        certscan::ocr::read_page(&mut engine, orient, paddle.as_ref(), &img, 1, &opts)?;
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
    for p in pages {
        println!(
            "=== page {} {:?} {}x{} conf {:?} kind {:?}",
            p.number,
            p.source,
            p.width,
            p.height,
            p.mean_conf,
            certscan::classify::classify(&p.text())
        );
        for l in &p.lines {
            println!("[{:>5.1}] {}", l.conf, l.text);
            if words {
                for wd in &l.words {
                    println!(
                        "        {:?} {:.1} {}",
                        wd.bbox.to_array(),
                        wd.conf,
                        wd.text
                    );
                }
            }
        }
    }
    Ok(())
}

/// The output must not be one of the inputs named (the same file, by any
/// path): resuming into it would destroy it. An output inside a folder given
/// as input is fine (discovery skips it).
fn refuse_output_among_inputs(out: &std::path::Path, inputs: &[PathBuf]) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(o) = std::fs::metadata(out) else {
        return Ok(()); // a new file
    };
    for p in inputs {
        if let Ok(m) = std::fs::metadata(p) {
            if m.is_file() && (m.dev(), m.ino()) == (o.dev(), o.ino()) {
                bail!(
                    "refusing to write to {}: it is one of the inputs ({}); it is left untouched",
                    out.display(),
                    p.display()
                );
            }
        }
    }
    Ok(())
}

fn scan(a: ScanArgs) -> Result<()> {
    let started = Instant::now();
    let mut paths = a.inputs.clone();
    if let Some(l) = &a.files_from {
        paths.extend(
            read_list_file(l).with_context(|| format!("cannot read list file {}", l.display()))?,
        );
    }
    if paths.is_empty() {
        bail!("no inputs: give files, folders or archives, or --files-from FILE");
    }
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
        && !certscan::paddle::models_present(&certscan::paddle::models_dir())
    {
        bail!(
            "--engine {}: the PP-OCR models are not in {} (run scripts/setup)",
            if a.engine == EngineName::Paddle {
                "paddle"
            } else {
                "hybrid"
            },
            certscan::paddle::models_dir().display()
        );
    }
    if a.engine == EngineName::Auto && engine == EngineChoice::Tesseract && !a.quiet {
        eprintln!(
            "certscan: the PP-OCR models are not in {} (scripts/setup installs them): reading with Tesseract alone",
            certscan::paddle::models_dir().display()
        );
    }
    let settings = Settings {
        engine,
        as_of: a.as_of.unwrap_or_else(|| chrono::Local::now().date_naive()),
        ocr_langs: a.langs.clone(),
        traditional_langs: a.traditional_langs.clone(),
        page_deadline_ms: (a.page_timeout.saturating_mul(1000)).min(u32::MAX as u64) as u32,
        detect_orientation: !a.no_osd,
        ocr_long_side: a.ocr_long_side,
        triage: !a.no_triage,
        rules: a.rules.clone(),
        registry: a.registry.clone(),
        manifest: a.manifest.clone(),
        memory_ceiling_mb: a.memory_limit,
    };
    // Refuse broken data files before any work (file, line and reason).
    let data = RunData::load(&settings).map_err(anyhow::Error::msg)?;
    let stamp = data.stamp(&settings);
    let stamped = |mut records: Vec<Record>| {
        for r in &mut records {
            r.run = Some(stamp.clone());
        }
        records
    };

    let (mut sink, done) = match &a.out {
        Some(p) => {
            refuse_output_among_inputs(p, &paths)?;
            if certscan::output::is_stream(p) {
                let f = certscan::output::open_stream(p)
                    .with_context(|| format!("cannot open output {}", p.display()))?;
                (Sink::Stream(f), Default::default())
            } else {
                let (f, resume) = open_output(p)
                    .with_context(|| format!("cannot open output {}", p.display()))?;
                (Sink::File(f), resume.done)
            }
        }
        None => (Sink::Stdout(std::io::stdout()), Default::default()),
    };

    let found = discover(&paths, a.out.as_deref());
    for w in &found.warnings {
        eprintln!("certscan: warning: {w}");
    }
    if found.inputs.is_empty() && found.errors.is_empty() && found.warnings.is_empty() {
        eprintln!("certscan: warning: nothing to read in the inputs given: no line written");
    }
    let inputs = found.inputs;
    let mut summary = Summary::default();
    // On stdout (or another stream that cannot be rewritten), lines are held
    // until the run ends: the run-level duplicate rule can then judge them as
    // it judges a file (same verdicts either way).
    let hold = !matches!(sink, Sink::File(_));
    let mut written: Vec<Record> = Vec::new();
    // Paths that could not be expanded are lines of their own.
    for e in found.errors {
        if done.contains(&e.display) {
            summary.skipped += 1;
            continue;
        }
        let r = stamped(vec![Record::error(&e.display, e.sha256, e.error)]);
        if hold {
            written.extend(r.iter().cloned());
        } else {
            sink.write_records(&r).context("cannot write output")?;
        }
        summary.add(&r, 0);
    }
    let total = inputs.len();
    let todo: Vec<InputRef> = inputs
        .into_iter()
        .filter(|i| !done.contains(&i.display))
        .collect();
    summary.skipped += total - todo.len();

    let show = !a.quiet && std::io::stderr().is_terminal();
    let bar = if show {
        let b = indicatif::ProgressBar::new(todo.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} documents  {msg}  {elapsed_precise} ETA {eta}",
            )
            .expect("template"),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };

    let limits = Limits {
        page_timeout: Duration::from_secs(a.page_timeout.max(1)),
        doc_timeout: Duration::from_secs(a.doc_timeout.max(1)),
    };
    let (tx, rx) = crossbeam_channel::unbounded();
    let settings2 = settings.clone();
    let n_jobs = jobs;
    let mut assembler = worker::Assembler::new(settings.clone()).map_err(anyhow::Error::msg)?;
    let runner = std::thread::spawn(move || worker::run(todo, n_jobs, &settings2, limits, tx));
    let mut pages_done = 0u64;
    for ev in rx {
        match ev {
            Event::Page => {
                pages_done += 1;
                let secs = started.elapsed().as_secs_f64().max(0.001);
                bar.set_message(format!(
                    "{pages_done} pages, {:.2} pages/s",
                    pages_done as f64 / secs
                ));
            }
            other => {
                if let Some((_input, records, pages)) = assembler.take(other) {
                    let records = stamped(records);
                    if hold {
                        written.extend(records.iter().cloned());
                    } else {
                        sink.write_records(&records)
                            .context("cannot write output")?;
                    }
                    summary.add(&records, pages);
                    bar.inc(1);
                }
            }
        }
    }
    runner
        .join()
        .map_err(|_| anyhow::anyhow!("the worker pool panicked"))??;
    bar.finish_and_clear();
    // Run-level rule: the same number claimed by different organisations, across
    // this run and the lines of the runs it resumes. The output is rewritten
    // atomically with the findings added.
    let duplicates = match (&a.out, sink) {
        (Some(p), Sink::File(f)) => {
            drop(f);
            certscan::output::amend_duplicates(p, &data.rulebook)
                .context("cannot amend the output")?
        }
        (_, mut sink) => {
            let d = certscan::validate::mark_duplicates(&mut written, &data.rulebook);
            sink.write_records(&written)
                .context("cannot write output")?;
            d
        }
    };
    if !a.quiet {
        eprintln!("{}", summary.render_in(started.elapsed(), a.lang.lang()));
        for (number, orgs) in &duplicates {
            match a.lang {
                LangArg::En => eprintln!(
                    "  certificate number {number} is claimed by {} organisations: {}",
                    orgs.len(),
                    orgs.join("; ")
                ),
                LangArg::Zh => eprintln!(
                    "  证书编号 {number} 被 {} 个组织使用：{}",
                    orgs.len(),
                    orgs.join("；")
                ),
            }
        }
    }
    Ok(())
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
    let data = RunData::load(&settings).map_err(anyhow::Error::msg)?;
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
        Some(p) => Some(certscan::manifest::Manifest::load(p).map_err(anyhow::Error::msg)?),
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
