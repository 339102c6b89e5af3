use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use manual::diagnostics::{Severity, display_path};
use manual::pipeline::{self, BuildOptions, CheckOptions, Inputs};
use manual::report::{self, Format};

#[derive(Parser)]
#[command(
    name = "manual",
    version = env!("MANUAL_VERSION"),
    about = "Build and check an operations manual written as markdown pages"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check, then build the complete static site into the output folder.
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
    },
    /// Check owners, parents, front matter, links and redirects.
    /// Exit status: 0 no errors, 1 errors found, 2 the check could not run.
    Check {
        #[command(flatten)]
        inputs: InputArgs,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Also request every link to another site (uses the network).
        #[arg(long)]
        external: bool,
        /// Treat warnings as errors: `--deny warnings`.
        #[arg(long, value_name = "WHAT", value_parser = ["warnings"])]
        deny: Option<String>,
    },
    /// Serve the site on this computer, rebuilding and reloading the
    /// browser when a page, layout or the settings change.
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
    },
    /// Pages per owner, overdue pages per owner, and unregistered owners.
    Owners {
        #[command(flatten)]
        inputs: InputArgs,
        #[arg(long, value_enum, default_value = "text")]
        format: OwnersFormat,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OwnersFormat {
    Text,
    Json,
}

#[derive(Args)]
struct InputArgs {
    /// Folder of pages and assets.
    #[arg(long, value_name = "DIR", default_value = "source")]
    source: PathBuf,
    /// Folder of Tera layouts (and their `assets/`).
    #[arg(long, value_name = "DIR", default_value = "layouts")]
    layouts: PathBuf,
    /// Settings file [default: site.yml in the source folder, if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The date review deadlines are compared with [default: today].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    today: Option<NaiveDate>,
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    manual::parse::review::parse_date(text)
}

impl From<InputArgs> for Inputs {
    fn from(args: InputArgs) -> Self {
        Inputs {
            root: PathBuf::from("."),
            source: args.source,
            layouts: args.layouts,
            settings: args.config,
            today: args
                .today
                .unwrap_or_else(|| chrono::Local::now().date_naive()),
        }
    }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Build {
            inputs,
            out,
            skip_check,
            force,
        } => {
            let options = BuildOptions { skip_check, force };
            build(inputs.into(), out, options)
        }
        Command::Check {
            inputs,
            format,
            external,
            deny,
        } => {
            let options = CheckOptions { external };
            check(inputs.into(), format, deny.is_some(), options)
        }
        Command::Owners { inputs, format } => owners(inputs.into(), format),
        Command::Serve {
            inputs,
            port,
            bind,
            open,
            allow_host,
        } => serve(manual::serve::ServeOptions {
            inputs: inputs.into(),
            bind,
            port,
            open,
            allowed_hosts: allow_host,
        }),
    }
}

fn serve(options: manual::serve::ServeOptions) -> ExitCode {
    match manual::serve::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            manual::errln!("serve stopped: {e}");
            ExitCode::from(2)
        }
    }
}

fn build(inputs: Inputs, out: PathBuf, options: BuildOptions) -> ExitCode {
    let started = Instant::now();
    manual::interrupt::catch();
    let (summary, diagnostics) = pipeline::build(&inputs, &out, options);
    let _ = report::print(diagnostics, Format::Human, &mut std::io::stderr().lock());
    let out = display_path(&out);
    match summary {
        Some(s) => {
            manual::errln!(
                "Built {} pages, {} generated files and {} assets into {} in {:.2}s{}",
                s.pages,
                s.generated,
                s.assets,
                out.display(),
                started.elapsed().as_secs_f64(),
                if options.skip_check {
                    " (checks skipped)"
                } else {
                    ""
                }
            );
            ExitCode::SUCCESS
        }
        None if manual::interrupt::requested() => {
            manual::errln!("Build stopped; {} was left unchanged.", out.display());
            ExitCode::from(manual::interrupt::EXIT_STATUS)
        }
        None => {
            manual::errln!("Build failed; {} was left unchanged.", out.display());
            ExitCode::FAILURE
        }
    }
}

fn check(inputs: Inputs, format: Format, deny_warnings: bool, options: CheckOptions) -> ExitCode {
    let started = Instant::now();
    let highlighter = manual::highlight::Highlighter::classify_only();
    let (prepared, diagnostics) = pipeline::check(&inputs, options, &highlighter);
    let failed =
        diagnostics.has_errors() || (deny_warnings && diagnostics.count(Severity::Warning) > 0);
    let pages = prepared.as_ref().map_or(0, |p| p.site.pages.len());
    let (mut stdout, mut stderr) = (std::io::stdout().lock(), std::io::stderr().lock());
    let _ = match format {
        Format::Human => report::print(diagnostics, format, &mut stderr),
        _ => report::print(diagnostics, format, &mut stdout),
    };
    if prepared.is_none() {
        manual::errln!("The check could not run.");
        return ExitCode::from(2);
    }
    if format == Format::Human {
        manual::errln!(
            "Checked {pages} pages in {:.2}s.",
            started.elapsed().as_secs_f64()
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn owners(inputs: Inputs, format: OwnersFormat) -> ExitCode {
    let (prepared, diagnostics) = pipeline::prepare(&inputs);
    let Some(prepared) = prepared else {
        let _ = report::print(diagnostics, Format::Human, &mut std::io::stderr().lock());
        return ExitCode::from(2);
    };
    let report = manual::owners::report(&prepared.site, &diagnostics);
    match format {
        OwnersFormat::Text => {
            let text = report.to_text();
            if !text.is_empty() {
                manual::outln!("{}", text.trim_end());
            }
        }
        OwnersFormat::Json => manual::outln!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report serializes")
        ),
    }
    if report.unreadable.is_empty() {
        ExitCode::SUCCESS
    } else {
        manual::errln!(
            "{} page(s) could not be read, so the report leaves them out.",
            report.unreadable.len()
        );
        ExitCode::FAILURE
    }
}
