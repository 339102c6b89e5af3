//! Callouts: the GOV.UK Design System's warning text and inset text, the
//! one component behind both GitHub's alert syntax in markdown
//! (`> [!WARNING]`) and the tech-docs gem's `warning_text` ERB helper.

use pulldown_cmark::BlockQuoteKind;

const WARNING_ICON: &str = "<span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span>";

/// The warning text component around inline HTML, as the gem's helper
/// writes it.
pub fn warning_text(inline_html: &str) -> String {
    format!(
        // Laid out as the gem's helper writes it: the spaces between the
        // parts are part of the text a reader's browser shows.
        "<div class=\"govuk-warning-text\">\n  {WARNING_ICON}\n  <strong class=\"govuk-warning-text__text\">\n    <span class=\"govuk-visually-hidden\">Warning</span>\n    {}\n  </strong>\n</div>",
        inline_html.trim()
    )
}

/// What a callout of this kind is called, to readers.
fn label(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "Note",
        BlockQuoteKind::Tip => "Tip",
        BlockQuoteKind::Important => "Important",
        BlockQuoteKind::Warning => "Warning",
        BlockQuoteKind::Caution => "Caution",
    }
}

fn is_warning(kind: BlockQuoteKind) -> bool {
    matches!(kind, BlockQuoteKind::Warning | BlockQuoteKind::Caution)
}

/// The HTML that opens a markdown callout, whose blocks follow. Warnings
/// and cautions are warning text (its hidden prefix says which); the
/// others are inset text with their label shown.
pub fn open(kind: BlockQuoteKind) -> String {
    let label = label(kind);
    let class = label.to_lowercase();
    if is_warning(kind) {
        format!(
            "<div class=\"govuk-warning-text callout callout--{class}\">{WARNING_ICON}<div class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">{label}: </span>"
        )
    } else {
        format!(
            "<div class=\"govuk-inset-text callout callout--{class}\"><p class=\"callout__label\">{label}</p>"
        )
    }
}

/// The HTML that closes what `open` opened.
pub fn close(kind: BlockQuoteKind) -> &'static str {
    if is_warning(kind) {
        "</div></div>\n"
    } else {
        "</div>\n"
    }
}

/// The word of a quote's first line written as a callout (`> [!WORD]`)
/// that is not one of GitHub's five (which markdown draws as callouts).
pub fn unknown_kind(first_line: &str) -> Option<&str> {
    let rest = first_line.trim_start().strip_prefix('>')?.trim();
    let word = rest.strip_prefix("[!")?.strip_suffix(']')?;
    let known = ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"];
    (!word.is_empty()
        && word.chars().all(|c| c.is_ascii_alphabetic())
        && !known.contains(&word.to_ascii_uppercase().as_str()))
    .then_some(word)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_words_that_are_not_callouts_are_unknown() {
        assert_eq!(super::unknown_kind("> [!DANGER]"), Some("DANGER"));
        assert_eq!(super::unknown_kind("> [!Note]"), None);
        assert_eq!(super::unknown_kind("> [!WARNING]"), None);
        assert_eq!(super::unknown_kind("> a quote"), None);
        assert_eq!(super::unknown_kind("> [!not a word]"), None);
    }
}
