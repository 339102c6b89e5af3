//! What a code fence's info string asks for beyond its language:
//! ```` ```yaml title="config/app.yml" {2,4-6} ```` or `hl_lines="2 4-6"`
//! (the two spellings other tools use for marked lines). Anything else is
//! kept as `ignored`, so `check` can say it was not acted on.

/// A fence's info string, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FenceInfo {
    pub language: String,
    pub title: Option<String>,
    /// Marked lines, 1-based, sorted, without repeats.
    pub marked_lines: Vec<usize>,
    /// Attributes not acted on, as written.
    pub ignored: Vec<String>,
}

/// More marked lines than this are taken as a mistake, not drawn: a range
/// such as `{1-999999999}` would otherwise cost memory for nothing.
const MOST_MARKED_LINES: usize = 10_000;

pub fn read(info: &str) -> FenceInfo {
    let info = info.trim();
    let language_end = info.find([' ', '\t', '{', ',']).unwrap_or(info.len());
    let mut found = FenceInfo {
        language: info[..language_end].to_string(),
        ..FenceInfo::default()
    };
    let mut rest = &info[language_end..];
    // Every turn of this loop consumes at least one character (the info
    // string is untrusted: an empty name must not loop for ever).
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix('{') {
            let end = after.find('}').unwrap_or(after.len());
            let inside = &after[..end];
            match lines_of(inside, ',') {
                Some(lines) => found.marked_lines.extend(lines),
                None => found.ignored.push(format!("{{{inside}}}")),
            }
            rest = after.get(end + 1..).unwrap_or("");
            continue;
        }
        let name_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        if name_end == 0 && !rest.starts_with('=') {
            // Not reached after the trim above; kept so progress never
            // depends on two lines agreeing about what white space is.
            let skip = rest.chars().next().map_or(1, char::len_utf8);
            rest = &rest[skip..];
            continue;
        }
        let name = &rest[..name_end];
        rest = &rest[name_end..];
        let value = if let Some(after) = rest.strip_prefix('=') {
            let (value, after) = match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let end = body.find(quote).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            rest = after;
            Some(value)
        } else {
            None
        };
        match (name, value) {
            ("title", Some(title)) if !title.trim().is_empty() => {
                found.title = Some(title.trim().to_string())
            }
            ("hl_lines", Some(lines)) => match lines_of(lines, ' ') {
                Some(lines) => found.marked_lines.extend(lines),
                None => found.ignored.push(format!("hl_lines=\"{lines}\"")),
            },
            (name, Some(value)) => found.ignored.push(format!("{name}=\"{value}\"")),
            (name, None) => found.ignored.push(name.to_string()),
        }
    }
    found.marked_lines.sort_unstable();
    found.marked_lines.dedup();
    found
}

/// `2,4-6` (or `2 4-6`) as line numbers; `None` if any part is not a line
/// number or range, or there are too many.
fn lines_of(text: &str, separator: char) -> Option<Vec<usize>> {
    let mut lines = Vec::new();
    for part in text
        .split(separator)
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (first, last): (usize, usize) = match part.split_once('-') {
            Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
            None => {
                let line = part.parse().ok()?;
                (line, line)
            }
        };
        if first == 0 || last < first || last - first >= MOST_MARKED_LINES {
            return None;
        }
        lines.extend(first..=last);
        if lines.len() > MOST_MARKED_LINES {
            return None;
        }
    }
    Some(lines)
}

/// Wraps each line of a code block's HTML (`html`, the inside of `<code>`:
/// text and `<span>`s, lines ending in `\n`) that `marked` names in
/// `<mark class="code-line">`. Spans a line break falls inside are closed
/// before it and opened again after it, so the HTML stays well nested.
pub fn mark_lines(html: &str, marked: &[usize]) -> String {
    if marked.is_empty() {
        return html.to_string();
    }
    const MARK: &str = "<mark class=\"code-line\">";
    let is_marked = |line: usize| marked.binary_search(&line).is_ok();
    let mut out = String::with_capacity(html.len() + marked.len() * 40);
    let mut open_spans: Vec<&str> = Vec::new();
    let mut line = 1;
    let mut in_mark = is_marked(line);
    if in_mark {
        out.push_str(MARK);
    }
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with("<span") {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            open_spans.push(&rest[..end]);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else if let Some(after) = rest.strip_prefix("</span>") {
            open_spans.pop();
            out.push_str("</span>");
            rest = after;
        } else if let Some(after) = rest.strip_prefix('\n') {
            for _ in &open_spans {
                out.push_str("</span>");
            }
            if in_mark {
                out.push_str("</mark>");
            }
            out.push('\n');
            rest = after;
            line += 1;
            in_mark = !rest.is_empty() && is_marked(line);
            if rest.is_empty() {
                break;
            }
            if in_mark {
                out.push_str(MARK);
            }
            for tag in &open_spans {
                out.push_str(tag);
            }
        } else {
            let end = rest
                .find(['<', '\n'])
                .filter(|&e| e > 0)
                .unwrap_or_else(|| rest.char_indices().nth(1).map_or(rest.len(), |(i, _)| i));
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    if in_mark {
        out.push_str("</mark>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_language_title_and_marked_lines_in_both_spellings() {
        let info = read(r#"yaml title="config/app.yml" {2,4-6}"#);
        assert_eq!(info.language, "yaml");
        assert_eq!(info.title.as_deref(), Some("config/app.yml"));
        assert_eq!(info.marked_lines, [2, 4, 5, 6]);
        assert!(info.ignored.is_empty());
        let info = read(r#"python hl_lines="1 3-4" linenums="1""#);
        assert_eq!(info.marked_lines, [1, 3, 4]);
        assert_eq!(info.ignored, [r#"linenums="1""#]);
        let info = read("sh{3}");
        assert_eq!(
            (info.language.as_str(), info.marked_lines.as_slice()),
            ("sh", &[3][..])
        );
        assert_eq!(read("ruby copy").ignored, ["copy"]);
        assert_eq!(read("js {1-999999999}").ignored, ["{1-999999999}"]);
        assert_eq!(read("").language, "");
        // White space of every kind, and `=` with no name, end the read.
        assert_eq!(read("sh \u{2003}x\u{a0}=y \r").ignored, ["x", "=\"y\""]);
        assert_eq!(read("sh =v").ignored, ["=\"v\""]);
    }

    #[test]
    fn marks_lines_and_keeps_spans_nested() {
        let html = "<span class=\"a\">one\ntwo</span>\nthree\n";
        let marked = mark_lines(html, &[2]);
        assert_eq!(
            marked,
            "<span class=\"a\">one</span>\n<mark class=\"code-line\"><span class=\"a\">two</span></mark>\nthree\n"
        );
        assert_eq!(
            mark_lines("a\nb\n", &[1, 2]),
            "<mark class=\"code-line\">a</mark>\n<mark class=\"code-line\">b</mark>\n"
        );
        assert_eq!(mark_lines("a\nb\n", &[]), "a\nb\n");
    }
}
