//! Stage 4, validate: problems that span pages and layouts, found before
//! anything is written. (Owners, parents and links arrive with `check`.)

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::render::{HOME_LAYOUT, MANUAL_INDEX_LAYOUT, Templates};
use crate::site::Site;

pub fn validate(site: &Site, templates: &Templates) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let known = || {
        templates
            .layouts
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (i, page) in site.pages.iter().enumerate() {
        let layout = Templates::layout_for(page, site.home_page == Some(i));
        if !templates.layouts.contains(layout) {
            diagnostics.push(
                Diagnostic::error(
                    "unknown-layout",
                    &page.path,
                    format!("unknown layout `{layout}`"),
                )
                .at(page.key_line("layout"), 1)
                .with_help(format!("use one of the layouts that exist: {}", known())),
            );
        }
    }
    for required in [HOME_LAYOUT, MANUAL_INDEX_LAYOUT] {
        if !templates.layouts.contains(required) {
            diagnostics.push(
                Diagnostic::error(
                    "layout-missing",
                    templates.dir().join(format!("{required}.html")),
                    format!(
                        "the `{required}` layout is needed for a generated page but does not exist"
                    ),
                )
                .with_help(format!("add {required}.html to the layouts folder")),
            );
        }
    }
    diagnostics
}
