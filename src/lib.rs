//! `manual`: a static site generator for an operations manual.
//!
//! The pipeline, one module per stage: [`load`] -> [`parse`] -> [`site`] ->
//! [`validate`] -> [`render`] -> [`write`], run by [`pipeline`].
//! See ARCHITECTURE.md for the map and the invariants.

pub mod ci;
pub mod console;
pub mod diagnostics;
pub mod highlight;
pub mod history;
pub mod interrupt;
pub mod load;
pub mod machine_readable;
pub mod owners;
pub mod packed;
pub mod parse;
pub mod pipeline;
pub mod project;
pub mod render;
pub mod report;
pub mod safe_write;
pub mod seal;
pub mod search;
pub mod serve;
pub mod settings;
pub mod site;
pub mod starter;
pub mod url;
pub mod user_cache;
pub mod validate;
pub mod write;
pub mod yaml;
