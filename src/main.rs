use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use manual::diagnostics::display_path;
use manual::pipeline::{self, Inputs};
use manual::report;

#[derive(Parser)]
#[command(name = "manual", version = env!("MANUAL_VERSION"), about = "Build an operations manual from markdown pages")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the complete static site into the output folder.
    Build {
        #[command(flatten)]
        inputs: InputArgs,
        /// Output folder; replaced only when the whole build succeeds.
        #[arg(long, value_name = "DIR", default_value = "build")]
        out: PathBuf,
    },
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
}

impl From<InputArgs> for Inputs {
    fn from(args: InputArgs) -> Self {
        Inputs {
            source: args.source,
            layouts: args.layouts,
            settings: args.config,
        }
    }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Build { inputs, out } => build(inputs.into(), out),
    }
}

fn build(inputs: Inputs, out: PathBuf) -> ExitCode {
    let started = Instant::now();
    let (summary, diagnostics) = pipeline::build(&inputs, &out);
    let mut stderr = std::io::stderr().lock();
    let _ = report::print_human(diagnostics, &mut stderr);
    match summary {
        Some(s) => {
            eprintln!(
                "Built {} pages, {} generated pages and {} assets into {} in {:.2}s",
                s.pages,
                s.generated,
                s.assets,
                display_path(&out).display(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        None => {
            eprintln!(
                "Build failed; {} was left unchanged.",
                display_path(&out).display()
            );
            ExitCode::FAILURE
        }
    }
}
