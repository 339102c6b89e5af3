use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use manual::diagnostics::display_path;
use manual::pipeline::{self, BuildOptions, CheckOptions, Failure};
use manual::project::Inputs;
use manual::report::{self, Format};
use manual::{detailln, errln, noteln, outln};

// Parsing allocates many small strings on every core at once; mimalloc's
// per-thread heaps did that faster than the system allocator (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The exit statuses of every command.
const CLEAN: u8 = 0;
const PROBLEMS: u8 = 1;
const COULD_NOT_RUN: u8 = 2;

const EXIT_STATUS: &str = "\
Exit status, for every command:
  0    done, no problems
  1    problems found (errors; warnings too with --deny warnings)
  2    could not run, or bad usage
  130  stopped by Ctrl-C";

const EXAMPLES: &str = "\
Examples:
  manual init my-manual          start a new manual in ./my-manual
  manual check                   check the manual in this folder
  manual -C my-manual build      build the manual in ./my-manual into build/
  manual serve --open            preview it in the browser while you write";

#[derive(Parser)]
#[command(
    name = "manual",
    version = env!("MANUAL_VERSION"),
    about = "Build, check and preview an operations manual written as markdown pages",
    after_help = format!("{EXAMPLES}\n\n{EXIT_STATUS}"),
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct GlobalArgs {
    /// The project folder; every other path is relative to it
    /// [default: the current folder].
    #[arg(short = 'C', long, value_name = "DIR", global = true)]
    root: Option<PathBuf>,
    /// When to colour the output: `auto` on a terminal unless NO_COLOR is
    /// set (CLICOLOR_FORCE forces it), `always` or `never`.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto, global = true)]
    color: ColorWhen,
    /// Print errors only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print what each stage took.
    #[arg(short, long, global = true)]
    verbose: bool,
}

/// Where highlighted code, and a record of what the last build wrote, are
/// kept between runs.
#[derive(Args)]
struct CacheArgs {
    /// Keep highlighted code blocks, and a record of what each build wrote
    /// (so the next makes only what changed), in DIR
    /// [default: the project's .manual-cache if it has one, else a folder
    /// of the project's own in ~/.cache/manual/projects].
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Make everything again, reading and writing no cache.
    #[arg(long, conflicts_with = "cache_dir")]
    no_cache: bool,
}

impl CacheArgs {
    fn folder(&self, inputs: &Inputs) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        inputs.cache_folder(self.cache_dir.as_deref())
    }
}

/// What `check` needs in CI: a baseline and a pull request's scope.
#[derive(Args)]
struct CiArgs {
    /// Report only findings that the baseline FILE does not record, and
    /// exit as if the recorded ones were gone; those no longer found are
    /// listed as fixed.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Record every finding in FILE (sorted JSON, meant to be committed)
    /// and exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// With --baseline: rewrite FILE without the findings that are fixed
    /// (it never adds new ones).
    #[arg(long, requires = "baseline")]
    prune_baseline: bool,
    /// Report only what changed since the git revision REV caused: every
    /// finding in the files changed since then, and findings elsewhere
    /// that the site at REV did not have (a link to a heading the change
    /// renamed). Uses the merge base with HEAD when history reaches it.
    #[arg(long, value_name = "REV", conflicts_with = "write_baseline")]
    since: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Start a new manual: a settings file with every key, a first page with
    /// every front matter key, and a .gitignore.
    #[command(after_help = "Refuses to replace files that exist, unless --force.")]
    Init {
        /// The folder to start it in [default: the project folder].
        dir: Option<PathBuf>,
        /// Replace files that exist.
        #[arg(long)]
        force: bool,
    },
    /// Check, then build the complete static site into the output folder.
    #[command(after_help = EXIT_STATUS)]
    Build {
        #[command(flatten)]
        inputs: InputArgs,
        /// Output folder; replaced only when the whole build succeeds.
        #[arg(long, value_name = "DIR", default_value = "build")]
        out: PathBuf,
        /// Build even if `check` finds errors (for sites being migrated).
        #[arg(long)]
        skip_check: bool,
        /// Replace an output folder that holds files `manual` did not write.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        cache: CacheArgs,
    },
    /// Check owners, parents, front matter, links and redirects.
    #[command(after_help = EXIT_STATUS)]
    Check {
        #[command(flatten)]
        inputs: InputArgs,
        /// How to print the problems found.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Also request every link to another site (uses the network).
        #[arg(long)]
        external: bool,
        /// With --external, also request loopback, private and link-local
        /// addresses (refused by default: a pull request's links must not
        /// reach the network CI runs in).
        #[arg(long, requires = "external")]
        allow_private_addresses: bool,
        /// Treat warnings as errors: `--deny warnings`.
        #[arg(long, value_name = "WHAT", value_parser = ["warnings"])]
        deny: Option<String>,
        #[command(flatten)]
        ci: CiArgs,
    },
    /// Serve the site on this computer, rebuilding and reloading the
    /// browser when a page, layout or the settings change.
    #[command(after_help = EXIT_STATUS)]
    Serve {
        #[command(flatten)]
        inputs: InputArgs,
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 4000)]
        port: u16,
        /// Address to listen on; other computers can reach the server only
        /// if you give one that is not 127.0.0.1.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Also answer requests addressed to this host name (the preview
        /// refuses names other than this computer's, so that no web page
        /// can read it through DNS rebinding). Repeat for several.
        #[arg(long, value_name = "NAME")]
        allow_host: Vec<String>,
        #[command(flatten)]
        cache: CacheArgs,
    },
    /// Pages per owner, overdue pages per owner, and unregistered owners.
    #[command(after_help = EXIT_STATUS)]
    Owners {
        #[command(flatten)]
        inputs: InputArgs,
        /// How to print the report (markdown and slack with --due).
        #[arg(long, value_enum, default_value = "text")]
        format: OwnersFormat,
        /// Only the pages whose review is overdue or due soon, by owner: to
        /// tell owners (a GitHub issue, a Slack message per channel).
        #[arg(long)]
        due: bool,
        /// With --due: how soon counts as soon, as days or weeks (`30d`,
        /// `2w`).
        #[arg(long, value_name = "PERIOD", default_value = "30d", requires = "due", value_parser = parse_within)]
        within: u32,
    },
    /// The built-in theme.
    Theme {
        #[command(subcommand)]
        action: ThemeAction,
    },
    /// Print a shell's completion script: `manual completions bash >
    /// ~/.local/share/bash-completion/completions/manual`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum ThemeAction {
    /// Write the built-in theme's layouts and assets into a folder, to change
    /// them: the site then uses each file there in place of the built-in one.
    Export {
        /// Where to write it [default: layouts].
        dir: Option<PathBuf>,
        /// Replace files that exist.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OwnersFormat {
    /// For people.
    Text,
    /// For tools.
    Json,
    /// With --due: for a GitHub issue's body.
    Markdown,
    /// With --due: one Slack Block Kit message per owner channel, to post
    /// with a webhook.
    Slack,
}

/// `30d`, `2w` or `30` as days.
fn parse_within(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let (number, unit) = match text.strip_suffix(['d', 'w']) {
        Some(number) => (number, &text[number.len()..]),
        None => (text, "d"),
    };
    let number: u32 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a period: write days or weeks, such as 30d or 2w"))?;
    Ok(if unit == "w" {
        number.saturating_mul(7)
    } else {
        number
    })
}

#[derive(Args)]
struct InputArgs {
    /// Folder of pages and assets.
    #[arg(long, value_name = "DIR", default_value = "source")]
    source: PathBuf,
    /// Folder of layouts that replace or add to the built-in theme's
    /// [default: layouts, if it exists].
    #[arg(long, value_name = "DIR")]
    layouts: Option<PathBuf>,
    /// Settings file [default: site.yml, or source/site.yml].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The date review deadlines are compared with [default: today].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    today: Option<NaiveDate>,
    /// Prometheus alert rules (a file, a folder or a glob) whose
    /// `runbook_url` links `check` follows into the manual; may be given
    /// more than once, and may name a folder beside the project.
    #[arg(long = "alerts", value_name = "PATH")]
    alerts: Vec<PathBuf>,
    /// An environment variable a `config/tech-docs.yml.erb` may read as
    /// `ENV['NAME']`: `NAME` takes its value from the environment,
    /// `NAME=VALUE` gives one. May be given more than once; no other
    /// variable is ever read.
    #[arg(long = "env", value_name = "NAME[=VALUE]", value_parser = parse_env)]
    env: Vec<(String, Option<String>)>,
}

fn parse_env(text: &str) -> Result<(String, Option<String>), String> {
    let (name, value) = match text.split_once('=') {
        Some((name, value)) => (name, Some(value.to_string())),
        None => (text, std::env::var(text).ok()),
    };
    if name.is_empty() {
        return Err(format!("`{text}` names no variable"));
    }
    Ok((name.to_string(), value))
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    manual::parse::review::parse_date(text)
}

impl From<InputArgs> for Inputs {
    fn from(args: InputArgs) -> Self {
        // A layouts folder is used when named, or when the project has one.
        let layouts = args
            .layouts
            .or_else(|| Some(PathBuf::from("layouts")).filter(|p| p.is_dir()));
        Inputs {
            root: PathBuf::from("."),
            source: args.source,
            layouts,
            settings: args.config,
            today: args
                .today
                .unwrap_or_else(|| chrono::Local::now().date_naive()),
            alerts: args.alerts,
            env: args.env,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    manual::console::set_color(match cli.global.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    });
    manual::console::set_verbosity(if cli.global.quiet {
        manual::console::Verbosity::Quiet
    } else if cli.global.verbose {
        manual::console::Verbosity::Verbose
    } else {
        manual::console::Verbosity::Normal
    });
    if let Some(root) = &cli.global.root
        && let Err(e) = std::env::set_current_dir(root)
    {
        errln!("cannot use {} as the project folder: {e}", root.display());
        return ExitCode::from(COULD_NOT_RUN);
    }
    match cli.command {
        Command::Init { dir, force } => init(dir.as_deref(), force),
        Command::Build {
            inputs,
            out,
            skip_check,
            force,
            cache,
        } => {
            let inputs: Inputs = inputs.into();
            let cache = cache.folder(&inputs);
            build(
                inputs,
                out,
                BuildOptions {
                    skip_check,
                    force,
                    cache,
                },
            )
        }
        Command::Check {
            inputs,
            format,
            external,
            allow_private_addresses,
            deny,
            ci,
        } => check(
            inputs.into(),
            format,
            deny.is_some(),
            CheckOptions {
                external,
                allow_private_addresses,
                progress: progress_bar("checking links to other sites"),
            },
            &ci,
        ),
        Command::Owners {
            inputs,
            format,
            due,
            within,
        } => owners(inputs.into(), format, due.then_some(within)),
        Command::Serve {
            inputs,
            port,
            bind,
            open,
            allow_host,
            cache,
        } => {
            let inputs: Inputs = inputs.into();
            serve(manual::serve::ServeOptions {
                cache: cache.folder(&inputs),
                inputs,
                bind,
                port,
                open,
                allowed_hosts: allow_host,
            })
        }
        Command::Theme {
            action: ThemeAction::Export { dir, force },
        } => export_theme(dir.as_deref().unwrap_or(Path::new("layouts")), force),
        Command::Completions { shell } => {
            // Written through the console, so a closed pipe (`| head -1`)
            // ends quietly instead of panicking.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "manual", &mut script);
            manual::console::write_out(&script);
            ExitCode::SUCCESS
        }
    }
}

/// A progress bar on standard error, when a person is watching it (a
/// terminal, and not `-q`); `None` otherwise, so logs stay clean.
fn progress_bar(what: &'static str) -> Option<manual::validate::external::Progress> {
    if !manual::console::stderr_is_terminal()
        || manual::console::verbosity() == manual::console::Verbosity::Quiet
    {
        return None;
    }
    let bar = indicatif::ProgressBar::hidden();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg}: {pos}/{len} {wide_bar}")
            .expect("a valid template"),
    );
    bar.set_message(what);
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    Some(std::sync::Arc::new(move |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if done == total {
            bar.finish_and_clear();
        }
    }))
}

/// Prints what each stage took, with `-v`.
fn print_timings(timings: &[(&'static str, std::time::Duration)]) {
    for (stage, took) in timings {
        detailln!("  {stage:<22} {:>8.1} ms", took.as_secs_f64() * 1000.0);
    }
}

fn serve(options: manual::serve::ServeOptions) -> ExitCode {
    match manual::serve::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("serve stopped: {e}");
            ExitCode::from(COULD_NOT_RUN)
        }
    }
}

fn print_report(diagnostics: manual::diagnostics::Diagnostics) {
    let _ = report::print(diagnostics, Format::Human, &mut anstream::stderr().lock());
}

fn build(inputs: Inputs, out: PathBuf, options: BuildOptions) -> ExitCode {
    let started = Instant::now();
    manual::interrupt::catch();
    let skip_check = options.skip_check;
    let (built, diagnostics) = pipeline::build(&inputs, &out, options);
    print_report(diagnostics);
    let out = display_path(&out);
    match built {
        Ok(s) => {
            for note in &s.notes {
                noteln!("note: {note}");
            }
            print_timings(&s.timings);
            if s.reused > 0 {
                manual::detailln!(
                    "  {} unchanged files taken from the site replaced",
                    s.reused
                );
            }
            noteln!(
                "Built {} pages, {} generated files and {} assets into {} in {:.2}s{}",
                s.pages,
                s.generated,
                s.assets,
                out.display(),
                started.elapsed().as_secs_f64(),
                if skip_check { " (checks skipped)" } else { "" }
            );
            ExitCode::from(CLEAN)
        }
        Err(Failure::Interrupted) => {
            errln!("Build stopped; {} was left unchanged.", out.display());
            ExitCode::from(manual::interrupt::EXIT_STATUS)
        }
        Err(Failure::Problems) => {
            errln!(
                "Build stopped by the problems above; {} was left unchanged.",
                out.display()
            );
            ExitCode::from(PROBLEMS)
        }
        Err(Failure::CouldNotRun) => {
            errln!("Build could not run; {} was left unchanged.", out.display());
            ExitCode::from(COULD_NOT_RUN)
        }
    }
}

fn check(
    inputs: Inputs,
    format: Format,
    deny_warnings: bool,
    options: CheckOptions,
    ci: &CiArgs,
) -> ExitCode {
    let started = Instant::now();
    let print = |diagnostics: manual::diagnostics::Diagnostics| {
        let _ = match format {
            Format::Human => report::print(diagnostics, format, &mut anstream::stderr().lock()),
            _ => report::print(diagnostics, format, &mut anstream::stdout().lock()),
        };
    };
    let could_not_run = |problem: manual::diagnostics::Diagnostic| {
        print(std::iter::once(problem).collect());
        errln!("The check could not run.");
        ExitCode::from(COULD_NOT_RUN)
    };
    // The baseline is read first: a broken one stops before any work.
    let baseline = match ci.baseline.as_deref().map(manual::ci::baseline::read) {
        Some(Err(problem)) => return could_not_run(problem),
        Some(Ok(baseline)) => Some(baseline),
        None => None,
    };
    let (prepared, diagnostics) = pipeline::check(
        &inputs,
        options,
        &manual::highlight::Highlighter::new(),
        manual::parse::Purpose::Check,
    );
    let Some(prepared) = prepared else {
        print(diagnostics);
        errln!("The check could not run.");
        return ExitCode::from(COULD_NOT_RUN);
    };
    let pages = prepared.site.pages.len();
    let findings = diagnostics.sorted();
    let root = Path::new(".");
    let found = manual::ci::count(&findings, root);
    let protected = inputs.protected_inputs();
    let protected: Vec<&Path> = protected.iter().map(|input| input.path.as_path()).collect();

    if let Some(path) = &ci.write_baseline {
        return match manual::ci::baseline::write(path, &found, &protected) {
            Ok(()) => {
                noteln!(
                    "Wrote {} finding(s) of {} kind(s) to {}.",
                    findings.len(),
                    found.len(),
                    path.display()
                );
                ExitCode::from(CLEAN)
            }
            Err(e) => {
                errln!("cannot write the baseline {}: {e}", path.display());
                ExitCode::from(COULD_NOT_RUN)
            }
        };
    }
    let scope = match ci
        .since
        .as_deref()
        .map(|rev| manual::ci::scope::since(&inputs, rev))
    {
        Some(Err(problem)) => return could_not_run(problem),
        Some(Ok(scope)) => Some(scope),
        None => None,
    };
    let narrowed = manual::ci::narrow(
        findings,
        baseline.as_ref().map(|b| &b.counts),
        scope.as_ref(),
    );
    let failed = narrowed.reported.iter().any(|d| d.is_error())
        || (deny_warnings && narrowed.reported.iter().any(|d| !d.is_error()));
    print(narrowed.reported.into_iter().collect());

    if let Some(scope) = &scope {
        noteln!(
            "{} file(s) changed since {}; {} finding(s) the change did not cause were left out.",
            scope.changed.len(),
            &scope.base[..scope.base.len().min(12)],
            narrowed.out_of_scope
        );
    }
    if let Some(baseline) = &baseline {
        report_baseline(
            baseline,
            &found,
            narrowed.baselined,
            ci.prune_baseline,
            &protected,
        );
    }
    if format == Format::Human {
        print_timings(&prepared.timings);
        noteln!(
            "Checked {pages} page{} in {:.2}s.",
            if pages == 1 { "" } else { "s" },
            started.elapsed().as_secs_f64()
        );
    }
    ExitCode::from(if failed { PROBLEMS } else { CLEAN })
}

/// Says what the baseline excused and what of it is fixed, and with
/// `--prune-baseline` rewrites it without the fixed findings.
fn report_baseline(
    baseline: &manual::ci::baseline::Baseline,
    found: &manual::ci::Counts,
    excused: usize,
    prune: bool,
    protected: &[&Path],
) {
    use manual::ci::baseline;
    let path = baseline.path.display();
    if excused > 0 {
        noteln!("{excused} finding(s) recorded in the baseline {path} were not reported.");
    }
    let fixed = baseline::fixed(&baseline.counts, found);
    if fixed.is_empty() {
        return;
    }
    let total: usize = fixed.iter().map(|(_, n)| n).sum();
    noteln!("{total} finding(s) in the baseline {path} are fixed:");
    for (key, count) in &fixed {
        let times = if *count > 1 {
            format!(" ({count} times)")
        } else {
            String::new()
        };
        noteln!("  {}: {}: {}{times}", key.file, key.code, key.subject);
    }
    if !prune {
        noteln!("Run with --prune-baseline to remove them from it.");
        return;
    }
    let kept: manual::ci::Counts = baseline
        .counts
        .iter()
        .map(|(key, recorded)| {
            (
                key.clone(),
                (*recorded).min(found.get(key).copied().unwrap_or(0)),
            )
        })
        .collect();
    match baseline::write(&baseline.path, &kept, protected) {
        Ok(()) => noteln!("Removed them from {path}."),
        Err(e) => errln!("cannot rewrite the baseline {path}: {e}"),
    }
}

fn owners(inputs: Inputs, format: OwnersFormat, due_within: Option<u32>) -> ExitCode {
    if due_within.is_none() && matches!(format, OwnersFormat::Markdown | OwnersFormat::Slack) {
        errln!("error: --format markdown and --format slack are for `owners --due`");
        return ExitCode::from(COULD_NOT_RUN);
    }
    // The report needs no HTML, no highlighted code and no commit dates
    // (so it runs no git).
    let (prepared, diagnostics) = pipeline::prepare_with(
        &inputs,
        &manual::highlight::Highlighter::new(),
        manual::parse::Purpose::Report,
    );
    let Some(prepared) = prepared else {
        print_report(diagnostics);
        return ExitCode::from(COULD_NOT_RUN);
    };
    if let Some(within) = due_within {
        let due = manual::owners::due(&prepared.site, within);
        match format {
            OwnersFormat::Text => outln!("{}", due.to_text().trim_end()),
            OwnersFormat::Json => outln!(
                "{}",
                serde_json::to_string_pretty(&due).expect("report serializes")
            ),
            OwnersFormat::Markdown => outln!("{}", due.to_markdown().trim_end()),
            OwnersFormat::Slack => outln!(
                "{}",
                serde_json::to_string_pretty(&due.to_slack()).expect("messages serialize")
            ),
        }
        return ExitCode::from(CLEAN);
    }
    let report = manual::owners::report(&prepared.site, &diagnostics);
    match format {
        OwnersFormat::Markdown | OwnersFormat::Slack => unreachable!("refused above"),
        OwnersFormat::Text => {
            let text = report.to_text();
            if !text.is_empty() {
                outln!("{}", text.trim_end());
            }
        }
        OwnersFormat::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report serializes")
        ),
    }
    if report.unreadable.is_empty() {
        ExitCode::from(CLEAN)
    } else {
        errln!(
            "{} page(s) could not be read, so the report leaves them out.",
            report.unreadable.len()
        );
        ExitCode::from(PROBLEMS)
    }
}

/// What `init` says to run next: a command that works as printed (a test
/// runs it).
fn init_next_step(dir: &Path) -> String {
    if dir == Path::new(".") {
        return "A new manual is ready. Next: manual serve --open".into();
    }
    let shown = dir.display().to_string();
    // Quoted for a shell when the folder's name needs it.
    let plain = shown
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    let folder = if plain {
        shown.clone()
    } else {
        format!("'{}'", shown.replace('\'', "'\\''"))
    };
    format!("A new manual is ready in {shown}. Next: manual -C {folder} serve --open")
}

fn init(dir: Option<&Path>, force: bool) -> ExitCode {
    let dir = dir.unwrap_or(Path::new("."));
    let today = chrono::Local::now().date_naive().to_string();
    match manual::starter::write(dir, &today, force) {
        Ok(written) => {
            for path in &written {
                noteln!("wrote {}", display_path(path).display());
            }
            noteln!("{}", init_next_step(dir));
            ExitCode::from(CLEAN)
        }
        Err(manual::starter::InitError::Exists(paths)) => {
            for path in &paths {
                errln!("{} exists", display_path(path).display());
            }
            errln!("Nothing was written. Run `manual init --force` to replace these files.");
            ExitCode::from(COULD_NOT_RUN)
        }
        Err(manual::starter::InitError::Io(path, e)) => {
            errln!("cannot write {}: {e}", path.display());
            ExitCode::from(COULD_NOT_RUN)
        }
    }
}

fn export_theme(dir: &Path, force: bool) -> ExitCode {
    match manual::render::templates::export(dir, force) {
        Ok((written, kept)) => {
            for path in &kept {
                noteln!(
                    "kept {} (exists; --force replaces it)",
                    display_path(path).display()
                );
            }
            noteln!(
                "wrote {} file(s) of the built-in theme into {}; edit any of them, and delete \
                 the ones you do not change so they follow the built-in theme",
                written.len(),
                dir.display()
            );
            ExitCode::from(CLEAN)
        }
        Err(e) => {
            errln!("cannot write the theme into {}: {e}", dir.display());
            ExitCode::from(COULD_NOT_RUN)
        }
    }
}
