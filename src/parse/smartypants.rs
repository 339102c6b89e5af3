//! SmartyPants as the tech-docs gem has it: Redcarpet's pass over the HTML
//! a page's Markdown became, making quotes, dashes, ellipses, `(c)`, `(r)`,
//! `(tm)` and the fractions ½ ¼ ¾ typographic, and leaving the insides of
//! tags and of `pre`, `code`, `kbd` and their kind alone.
//!
//! pulldown-cmark's smart punctuation decides a quote's direction from the
//! characters around it; Redcarpet's keeps one open-or-shut state for
//! single and one for double quotes across the whole page, and turns
//! `(c)` and `1/2` too. The two disagree on real pages (`' "x" '`), so on
//! a tech-docs site this pass runs instead. No crate does Redcarpet's
//! rules; they are written here and held to Redcarpet itself by
//! `tests/it/redcarpet.rs`.

/// Elements whose text is left as it is. `svg` is ours: a drawn diagram's
/// labels stay as the author wrote them.
const LEFT_ALONE: &[&str] = &[
    "pre", "code", "var", "samp", "kbd", "math", "script", "style", "svg",
];

/// `html` with Redcarpet's SmartyPants applied.
pub fn apply(html: &str) -> String {
    let text = html.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(text.len() + text.len() / 16);
    let mut state = Quotes::default();
    let mut i = 0;
    while i < text.len() {
        let previous = if i > 0 { text[i - 1] } else { 0 };
        let rest = &text[i..];
        let used = match text[i] {
            b'<' => left_alone(rest, &mut out),
            b'-' => dash(rest, &mut out),
            b'(' => symbol(rest, &mut out),
            b'\'' => single_quote(&mut state, previous, rest, 1, &mut out),
            b'"' => double_quote(&mut state, previous, at(rest, 1), &mut out, b"\""),
            b'&' => entity(&mut state, previous, rest, &mut out),
            b'.' => ellipsis(rest, &mut out),
            b'1' | b'3' => fraction(previous, rest, &mut out),
            b'`' => backticks(&mut state, previous, rest, &mut out),
            b'\\' => backslash(rest, &mut out),
            other => {
                out.push(other);
                1
            }
        };
        i += used;
    }
    // Only ASCII bytes were replaced, and only by whole characters, so the
    // text is still UTF-8.
    String::from_utf8(out).expect("SmartyPants keeps UTF-8 whole")
}

#[derive(Default)]
struct Quotes {
    single_open: bool,
    double_open: bool,
}

fn at(text: &[u8], n: usize) -> u8 {
    text.get(n).copied().unwrap_or(0)
}

/// Redcarpet's word boundary: the start or end, white space or ASCII
/// punctuation.
fn boundary(c: u8) -> bool {
    c == 0 || c.is_ascii_whitespace() || c.is_ascii_punctuation()
}

/// A quote that opens after a boundary or shuts before one, turning the
/// state over; `false` when it does neither.
fn quote(open: &mut bool, previous: u8, next: u8, double: bool, out: &mut Vec<u8>) -> bool {
    if (*open && !boundary(next)) || (!*open && !boundary(previous)) {
        return false;
    }
    let mark = match (*open, double) {
        (false, false) => "\u{2018}",
        (true, false) => "\u{2019}",
        (false, true) => "\u{201C}",
        (true, true) => "\u{201D}",
    };
    out.extend_from_slice(mark.as_bytes());
    *open = !*open;
    true
}

/// A tag, and the whole of an element left alone; the bytes used.
fn left_alone(text: &[u8], out: &mut Vec<u8>) -> usize {
    let mut i = text.iter().position(|&b| b == b'>').unwrap_or(text.len());
    if let Some(name) = LEFT_ALONE.iter().find(|name| opens(text, name)) {
        loop {
            while i < text.len() && text[i] != b'<' {
                i += 1;
            }
            if i == text.len() || closes(&text[i..], name) {
                break;
            }
            i += 1;
        }
        while i < text.len() && text[i] != b'>' {
            i += 1;
        }
    }
    let end = (i + 1).min(text.len());
    out.extend_from_slice(&text[..end]);
    end
}

/// Whether `text` starts with the opening tag `<name` (then `>`, white
/// space or `/`).
fn opens(text: &[u8], name: &str) -> bool {
    let n = name.len();
    text.len() > n + 1
        && text[1..=n].eq_ignore_ascii_case(name.as_bytes())
        && matches!(text[n + 1], b'>' | b' ' | b'\t' | b'\n' | b'/')
}

fn closes(text: &[u8], name: &str) -> bool {
    text.len() > 1 && text[1] == b'/' && opens(&text[1..], name)
}

fn dash(text: &[u8], out: &mut Vec<u8>) -> usize {
    if at(text, 1) == b'-' && at(text, 2) == b'-' {
        out.extend_from_slice("\u{2014}".as_bytes());
        3
    } else if at(text, 1) == b'-' {
        out.extend_from_slice("\u{2013}".as_bytes());
        2
    } else {
        out.push(b'-');
        1
    }
}

fn symbol(text: &[u8], out: &mut Vec<u8>) -> usize {
    let (t1, t2) = (
        at(text, 1).to_ascii_lowercase(),
        at(text, 2).to_ascii_lowercase(),
    );
    let (mark, used) = match (t1, t2, at(text, 3)) {
        (b'c', b')', _) => ("\u{a9}", 3),
        (b'r', b')', _) => ("\u{ae}", 3),
        (b't', b'm', b')') => ("\u{2122}", 4),
        _ => ("(", 1),
    };
    out.extend_from_slice(mark.as_bytes());
    used
}

/// A single quote written as `length` bytes at the start of `text` (`'`,
/// or `&#39;`, which is how Redcarpet writes one).
fn single_quote(
    state: &mut Quotes,
    previous: u8,
    text: &[u8],
    length: usize,
    out: &mut Vec<u8>,
) -> usize {
    let after = |n: usize| at(text, length - 1 + n);
    let (t1, t2) = (after(1).to_ascii_lowercase(), after(2).to_ascii_lowercase());
    if t1 == b'\'' && quote(&mut state.double_open, previous, after(2), true, out) {
        return length + 1;
    }
    let contraction = (matches!(t1, b's' | b't' | b'm' | b'd') && boundary(after(2)))
        || (matches!((t1, t2), (b'r', b'e') | (b'l', b'l') | (b'v', b'e')) && boundary(after(3)));
    if contraction {
        out.extend_from_slice("\u{2019}".as_bytes());
        return length;
    }
    if quote(&mut state.single_open, previous, after(1), false, out) {
        return length;
    }
    // A quote that ends a word and opens nothing is an apostrophe
    // (`students'`, `tryin'`).
    if boundary(after(1)) {
        out.extend_from_slice("\u{2019}".as_bytes());
    } else {
        out.extend_from_slice(&text[..length]);
    }
    length
}

fn double_quote(
    state: &mut Quotes,
    previous: u8,
    next: u8,
    out: &mut Vec<u8>,
    written: &[u8],
) -> usize {
    if !quote(&mut state.double_open, previous, next, true, out) {
        out.extend_from_slice(written);
    }
    written.len()
}

fn entity(state: &mut Quotes, previous: u8, text: &[u8], out: &mut Vec<u8>) -> usize {
    if text.starts_with(b"&quot;") {
        return double_quote(state, previous, at(text, 6), out, b"&quot;");
    }
    if text.starts_with(b"&#39;") {
        return single_quote(state, previous, text, 5, out);
    }
    out.push(b'&');
    1
}

fn ellipsis(text: &[u8], out: &mut Vec<u8>) -> usize {
    if text.starts_with(b"...") {
        out.extend_from_slice("\u{2026}".as_bytes());
        3
    } else if text.starts_with(b". . .") {
        out.extend_from_slice("\u{2026}".as_bytes());
        5
    } else {
        out.push(b'.');
        1
    }
}

fn fraction(previous: u8, text: &[u8], out: &mut Vec<u8>) -> usize {
    let ends = |n: usize| at(text, n) == 0 || (boundary(at(text, n)) && at(text, n) != b'/');
    let followed_by = |word: &[u8]| {
        text.len() >= 3 + word.len() && text[3..3 + word.len()].eq_ignore_ascii_case(word)
    };
    if boundary(previous) && at(text, 1) == b'/' {
        let mark = match (text[0], at(text, 2)) {
            (b'1', b'2') if ends(3) => Some("\u{bd}"),
            (b'1', b'4') if ends(3) || followed_by(b"th") => Some("\u{bc}"),
            (b'3', b'4') if ends(3) || followed_by(b"ths") => Some("\u{be}"),
            _ => None,
        };
        if let Some(mark) = mark {
            out.extend_from_slice(mark.as_bytes());
            return 3;
        }
    }
    out.push(text[0]);
    1
}

fn backticks(state: &mut Quotes, previous: u8, text: &[u8], out: &mut Vec<u8>) -> usize {
    if at(text, 1) == b'`' && quote(&mut state.double_open, previous, at(text, 2), true, out) {
        return 2;
    }
    out.push(b'`');
    1
}

fn backslash(text: &[u8], out: &mut Vec<u8>) -> usize {
    match at(text, 1) {
        c @ (b'\\' | b'"' | b'\'' | b'.' | b'-' | b'`') => {
            out.push(c);
            2
        }
        _ => {
            out.push(b'\\');
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::apply;

    #[test]
    fn quotes_open_and_shut_across_the_page() {
        assert_eq!(
            apply("<p>search for ' &quot;x&quot; AND &quot;y&quot; '.</p>"),
            "<p>search for \u{2018} \u{201C}x\u{201D} AND \u{201C}y\u{201D} \u{2019}.</p>"
        );
        assert_eq!(
            apply("<p>it's they're</p>"),
            "<p>it\u{2019}s they\u{2019}re</p>"
        );
    }

    #[test]
    fn code_and_tags_are_left_alone() {
        let html =
            "<p><code>a -- 'b'</code> <a title=\"x--y\">(c)</a></p><pre><code>1/2</code></pre>";
        assert_eq!(
            apply(html),
            "<p><code>a -- 'b'</code> <a title=\"x--y\">\u{a9}</a></p><pre><code>1/2</code></pre>"
        );
    }

    #[test]
    fn dashes_ellipses_and_fractions() {
        assert_eq!(
            apply("<p>a -- b --- c... 1/2 3/4ths 1/2/2020</p>"),
            "<p>a \u{2013} b \u{2014} c\u{2026} \u{bd} \u{be}ths 1/2/2020</p>"
        );
    }
}
