//! An ERB file as a tree: literal text, `<%= %>` output, and the blocks
//! that `<% %>` statements open and `<% end %>` closes.
//!
//! Whitespace follows Erubi, which Middleman uses: a `<% %>` or `<%# %>`
//! tag alone on its line takes the line with it; `-%>` and `=%>` eat the
//! line end after any tag; `<%-` eats the indentation before it; `<%%`
//! writes `<%`.

use super::ruby::{self, Expr, Statement, SyntaxError};

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Text copied from the file, starting at `at`.
    Text { text: String, at: usize },
    /// `<%= expr %>`
    Output { expr: Expr, at: usize },
    /// A statement run for what it does (`content_for(:x, "y")`).
    Run { expr: Expr, at: usize },
    Assign {
        name: String,
        value: Expr,
        at: usize,
    },
    If {
        branches: Vec<(Expr, Vec<Node>)>,
        otherwise: Vec<Node>,
    },
    /// `call do |params| ... end`
    Block {
        call: Expr,
        params: Vec<String>,
        body: Vec<Node>,
        at: usize,
    },
}

/// One piece of the file before blocks are matched.
#[derive(Debug)]
enum Piece {
    Text {
        text: String,
        at: usize,
    },
    Output {
        code: String,
        code_at: usize,
        at: usize,
    },
    Code {
        code: String,
        code_at: usize,
    },
}

/// Splits the file into text and tags.
fn pieces(source: &str, base: usize) -> Result<Vec<Piece>, SyntaxError> {
    let mut found: Vec<Piece> = Vec::new();
    let mut rest = 0;
    let bytes = source.as_bytes();
    let push_text = |found: &mut Vec<Piece>, text: &str, at: usize| {
        if !text.is_empty() {
            found.push(Piece::Text {
                text: text.to_string(),
                at,
            });
        }
    };
    while let Some(found_at) = source[rest..].find("<%") {
        let tag = rest + found_at;
        push_text(&mut found, &source[rest..tag], base + rest);
        let after = tag + 2;
        // `<%%` is a literal `<%`.
        if bytes.get(after) == Some(&b'%') {
            push_text(&mut found, "<%", base + tag);
            rest = after + 1;
            continue;
        }
        let Some(close) = source[after..].find("%>").map(|i| after + i) else {
            return Err(SyntaxError {
                at: base + tag,
                message: "this ERB tag is never closed with `%>`".into(),
            });
        };
        let (kind, code_start) = match bytes.get(after) {
            Some(b'=') => {
                // `<%==` (Erubi's escaping switch) writes the same here.
                let start = if bytes.get(after + 1) == Some(&b'=') {
                    after + 2
                } else {
                    after + 1
                };
                ('=', start)
            }
            Some(b'#') => ('#', after + 1),
            Some(b'-') => ('-', after + 1),
            _ => (' ', after),
        };
        // `-%>` and `=%>` eat the line end after the tag.
        let trims_after = close > code_start && matches!(bytes[close - 1], b'-' | b'=')
            // `a == b%>` is a comparison, not a trim.
            && !(bytes[close - 1] == b'=' && close >= 2 && matches!(bytes[close - 2], b'=' | b'!' | b'<' | b'>'));
        let code_end = if trims_after { close - 1 } else { close };
        let code = source[code_start..code_end.max(code_start)].to_string();
        let mut next = close + 2;
        let line_start = source[..tag].rfind('\n').map_or(0, |i| i + 1);
        let alone_before = source[line_start..tag]
            .bytes()
            .all(|b| b == b' ' || b == b'\t');
        let line_end = source[next..].find('\n').map_or(source.len(), |i| next + i);
        let alone_after = source[next..line_end]
            .bytes()
            .all(|b| b == b' ' || b == b'\t' || b == b'\r');
        // A statement or comment alone on its line leaves no blank line.
        let statement_alone = matches!(kind, ' ' | '#' | '-') && alone_before && alone_after;
        let eat_indent = kind == '-' || statement_alone;
        if eat_indent && alone_before {
            trim_indentation(&mut found, base + line_start, base + tag);
        }
        if trims_after || statement_alone {
            if source[next..].starts_with("\r\n") {
                next += 2;
            } else if source[next..].starts_with('\n') {
                next += 1;
            } else if statement_alone {
                next = (line_end + 1).min(source.len());
            }
        }
        match kind {
            '#' => {}
            '=' => found.push(Piece::Output {
                code,
                code_at: base + code_start,
                at: base + tag,
            }),
            _ => found.push(Piece::Code {
                code,
                code_at: base + code_start,
            }),
        }
        rest = next;
    }
    push_text(&mut found, &source[rest..], base + rest);
    Ok(found)
}

/// Removes the spaces before a tag on its line from the text just before it.
fn trim_indentation(found: &mut [Piece], line_start: usize, tag: usize) {
    if let Some(Piece::Text { text, at }) = found.last_mut()
        && *at + text.len() == tag
    {
        let keep = line_start.max(*at) - *at;
        text.truncate(keep);
    }
}

/// A block being read: what opened it and the nodes so far.
enum Open {
    If {
        branches: Vec<(Expr, Vec<Node>)>,
        condition: Expr,
        body: Vec<Node>,
        otherwise: Option<Vec<Node>>,
        at: usize,
        word: &'static str,
    },
    Block {
        call: Expr,
        params: Vec<String>,
        body: Vec<Node>,
        at: usize,
    },
}

impl Open {
    fn body(&mut self) -> &mut Vec<Node> {
        match self {
            Open::If {
                otherwise: Some(body),
                ..
            }
            | Open::If { body, .. }
            | Open::Block { body, .. } => body,
        }
    }
}

/// Blocks inside blocks in one file, at most this deep.
pub const MAX_BLOCK_DEPTH: usize = 128;

/// Parses an ERB file (which starts at `base` in its file) into a tree.
pub fn parse(source: &str, base: usize) -> Result<Vec<Node>, SyntaxError> {
    let mut root: Vec<Node> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    fn current<'a>(root: &'a mut Vec<Node>, open: &'a mut [Open]) -> &'a mut Vec<Node> {
        match open.last_mut() {
            Some(block) => block.body(),
            None => root,
        }
    }
    for piece in pieces(source, base)? {
        match piece {
            Piece::Text { text, at } => current(&mut root, &mut open).push(Node::Text { text, at }),
            Piece::Output { code, code_at, at } => {
                let tokens = ruby::tokenize(&code, code_at)?;
                let statement = ruby::statement(&tokens).map_err(|e| SyntaxError {
                    at: if code.trim().is_empty() { at } else { e.at },
                    message: e.message,
                })?;
                match statement {
                    Statement::Expr(expr) => {
                        current(&mut root, &mut open).push(Node::Output { expr, at });
                    }
                    Statement::Block { .. } => {
                        return Err(SyntaxError {
                            at,
                            message: "a block in `<%= %>` (such as `<%= link_to url do %>`) is not supported".into(),
                        });
                    }
                    _ => {
                        return Err(SyntaxError {
                            at,
                            message:
                                "`<%= %>` writes a value; `if`, `end` and assignments go in `<% %>`"
                                    .into(),
                        });
                    }
                }
            }
            Piece::Code { code, code_at } => {
                let tokens = ruby::tokenize(&code, code_at)?;
                for statement_tokens in ruby::statements(&tokens) {
                    let at = statement_tokens.first().map_or(code_at, |t| t.at);
                    // The tree is walked (and freed) by recursion, so its
                    // depth is bounded where it is built.
                    if open.len() > MAX_BLOCK_DEPTH {
                        return Err(SyntaxError {
                            at,
                            message: format!(
                                "`if`, `unless` and `do` blocks nest more than {MAX_BLOCK_DEPTH} deep"
                            ),
                        });
                    }
                    match ruby::statement(&statement_tokens)? {
                        Statement::If(condition) => open.push(Open::If {
                            branches: Vec::new(),
                            condition,
                            body: Vec::new(),
                            otherwise: None,
                            at,
                            word: "if",
                        }),
                        Statement::Unless(condition) => open.push(Open::If {
                            branches: Vec::new(),
                            condition: Expr::Not(Box::new(condition)),
                            body: Vec::new(),
                            otherwise: None,
                            at,
                            word: "unless",
                        }),
                        Statement::Elsif(next) => match open.last_mut() {
                            Some(Open::If {
                                branches,
                                condition,
                                body,
                                otherwise: None,
                                ..
                            }) => {
                                let done = std::mem::replace(condition, next);
                                branches.push((done, std::mem::take(body)));
                            }
                            _ => {
                                return Err(SyntaxError {
                                    at,
                                    message: "`elsif` without an `if` before it".into(),
                                });
                            }
                        },
                        Statement::Else => match open.last_mut() {
                            Some(Open::If { otherwise, .. }) if otherwise.is_none() => {
                                *otherwise = Some(Vec::new());
                            }
                            _ => {
                                return Err(SyntaxError {
                                    at,
                                    message: "`else` without an `if` before it".into(),
                                });
                            }
                        },
                        Statement::End => {
                            let node = match open.pop() {
                                Some(Open::If {
                                    mut branches,
                                    condition,
                                    body,
                                    otherwise,
                                    ..
                                }) => {
                                    branches.push((condition, body));
                                    Node::If {
                                        branches,
                                        otherwise: otherwise.unwrap_or_default(),
                                    }
                                }
                                Some(Open::Block {
                                    call,
                                    params,
                                    body,
                                    at,
                                }) => Node::Block {
                                    call,
                                    params,
                                    body,
                                    at,
                                },
                                None => {
                                    return Err(SyntaxError {
                                        at,
                                        message: "`end` without a block to close".into(),
                                    });
                                }
                            };
                            current(&mut root, &mut open).push(node);
                        }
                        Statement::Block { call, params } => open.push(Open::Block {
                            call,
                            params,
                            body: Vec::new(),
                            at,
                        }),
                        Statement::Assign { name, value } => {
                            current(&mut root, &mut open).push(Node::Assign { name, value, at });
                        }
                        Statement::Expr(expr) => {
                            current(&mut root, &mut open).push(Node::Run { expr, at });
                        }
                    }
                }
            }
        }
    }
    if let Some(unclosed) = open.last() {
        let (at, what) = match unclosed {
            Open::If { at, word, .. } => (*at, format!("this `{word}`")),
            Open::Block { at, .. } => (*at, "this block".to_string()),
        };
        return Err(SyntaxError {
            at,
            message: format!("{what} is never closed with `<% end %>`"),
        });
    }
    Ok(root)
}

/// The partial names a file asks for with a literal name
/// (`partial "documentation/about"`), found without running anything:
/// files used this way are fragments of pages.
pub fn literal_partials(nodes: &[Node]) -> Vec<String> {
    fn in_expr(expr: &Expr, found: &mut Vec<String>) {
        match expr {
            Expr::Call {
                receiver,
                name,
                args,
                block,
                ..
            } => {
                if receiver.is_none()
                    && name == "partial"
                    && let Some(Expr::Str(parts)) = args.first()
                    && let [ruby::StrPart::Text(text)] = parts.as_slice()
                {
                    found.push(text.clone());
                }
                if let Some(r) = receiver {
                    in_expr(r, found);
                }
                for a in args {
                    in_expr(a, found);
                }
                if let Some(b) = block {
                    in_expr(&b.body, found);
                }
            }
            Expr::Modifier { value, condition } => {
                in_expr(value, found);
                in_expr(condition, found);
            }
            Expr::Ternary(a, b, c) => {
                in_expr(a, found);
                in_expr(b, found);
                in_expr(c, found);
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                in_expr(a, found);
                in_expr(b, found);
            }
            _ => {}
        }
    }
    fn walk(nodes: &[Node], found: &mut Vec<String>) {
        for node in nodes {
            match node {
                Node::Output { expr, .. } | Node::Run { expr, .. } => in_expr(expr, found),
                Node::Assign { value, .. } => in_expr(value, found),
                Node::If {
                    branches,
                    otherwise,
                } => {
                    for (condition, body) in branches {
                        in_expr(condition, found);
                        walk(body, found);
                    }
                    walk(otherwise, found);
                }
                Node::Block { call, body, .. } => {
                    in_expr(call, found);
                    walk(body, found);
                }
                Node::Text { .. } => {}
            }
        }
    }
    let mut found = Vec::new();
    walk(nodes, &mut found);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(nodes: &[Node]) -> String {
        nodes
            .iter()
            .map(|n| match n {
                Node::Text { text, .. } => text.clone(),
                Node::Output { .. } => "{=}".into(),
                Node::If { branches, .. } => format!("{{if:{}}}", texts(&branches[0].1)),
                Node::Block { body, .. } => format!("{{block:{}}}", texts(body)),
                _ => "{}".into(),
            })
            .collect()
    }

    #[test]
    fn statements_alone_on_a_line_leave_no_blank_line() {
        let nodes = parse("a\n  <% if x %>\nb\n<% end %>\nc\n", 0).unwrap();
        assert_eq!(texts(&nodes), "a\n{if:b\n}c\n");
    }

    #[test]
    fn trims_and_escapes() {
        assert_eq!(texts(&parse("a <%= x -%>\nb", 0).unwrap()), "a {=}b");
        assert_eq!(texts(&parse("a <%= x =%>\nb", 0).unwrap()), "a {=}b");
        assert_eq!(texts(&parse("a <%= x %>\nb", 0).unwrap()), "a {=}\nb");
        assert_eq!(texts(&parse("<%%= x %>", 0).unwrap()), "<%= x %>");
        assert_eq!(texts(&parse("a\n    <%- x = 1 %>b", 0).unwrap()), "a\n{}b");
        assert_eq!(texts(&parse("a <%# note %> b", 0).unwrap()), "a  b");
        assert_eq!(texts(&parse("<%= a == b%>", 0).unwrap()), "{=}");
    }

    #[test]
    fn blocks_nest_and_report_where_they_open() {
        let nodes = parse(
            "<% xs.each do |x| %><% if x %><%= x %><% end %><% end %>",
            0,
        )
        .unwrap();
        assert_eq!(texts(&nodes), "{block:{if:{=}}}");
        let err = parse("line\n<% if a %>\n", 0).unwrap_err();
        assert_eq!(err.at, 8);
        assert!(err.message.contains("never closed"));
        let err = parse("<% end %>", 0).unwrap_err();
        assert!(err.message.contains("without a block"));
        let err = parse("a <%= x", 0).unwrap_err();
        assert_eq!(err.at, 2);
    }

    #[test]
    fn a_code_tag_may_hold_several_statements() {
        let nodes = parse("<%\nwrap_layout :core do\n  x = 1\n%>A<% end %>", 0).unwrap();
        assert_eq!(texts(&nodes), "{block:{}A}");
    }

    #[test]
    fn literal_partial_names_are_found_without_running() {
        let nodes = parse(
            "<%= partial 'documentation/about' %>\n<% if x %><%= partial(\"a/b\", locals: {}) %><% end %>",
            0,
        )
        .unwrap();
        assert_eq!(literal_partials(&nodes), ["documentation/about", "a/b"]);
    }
}
