//! The one integration test binary (as ripgrep and mdBook have): each module
//! drives the real `manual` binary on fixture sites it makes. One binary links
//! once, so a test run builds and stores one executable rather than one per file.

mod alerts;
mod architecture;
mod bad_input;
mod browser;
mod build_site;
mod cache;
mod check;
mod ci;
mod cli;
mod common;
mod corpus;
mod external;
mod highlight;
mod install;
mod interrupt;
mod nasty;
mod output_lock;
mod properties;
mod reader;
mod redcarpet;
mod search;
mod security;
mod serve;
mod serve_equals_build;
mod tech_docs;
mod trust;
