//! The bare floor for BENCHMARKS.md: read every page, render it with
//! pulldown-cmark alone, write it. No front matter, layouts, highlighting,
//! checks or atomic publishing: what any generator must at least do.
//!
//! Usage: floor SOURCE_DIR OUT_DIR

use std::path::Path;

use rayon::prelude::*;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(source), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: floor SOURCE_DIR OUT_DIR");
        std::process::exit(2);
    };
    let files: Vec<_> = walkdir::WalkDir::new(&source)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    let out = Path::new(&out);
    for dir in files
        .iter()
        .filter_map(|f| f.strip_prefix(&source).ok()?.parent())
    {
        std::fs::create_dir_all(out.join(dir)).expect("create output folder");
    }
    files.par_iter().for_each(|file| {
        let text = std::fs::read_to_string(file).expect("read page");
        let mut html = String::with_capacity(text.len() * 3 / 2);
        pulldown_cmark::html::push_html(
            &mut html,
            pulldown_cmark::Parser::new_ext(&text, manual::parse::markdown::options()),
        );
        let relative = file.strip_prefix(&source).expect("below source");
        let url = manual::url::url_for_page(&relative.to_string_lossy());
        std::fs::write(
            out.join(
                manual::url::OutputPath::of(&url)
                    .expect("a safe path")
                    .as_str(),
            ),
            html,
        )
        .expect("write page");
    });
}
