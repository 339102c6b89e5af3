//! The Ruby that tech-docs pages and layouts write inside ERB tags, as a
//! small expression language: literals, variables, method calls with or
//! without parentheses, indexing, `{ |x| ... }` blocks, comparison and
//! boolean operators, `?:`, and `if`/`unless` modifiers. Statements
//! (`if`, `each do |r|`, `end`, assignment) are recognised by `statement`;
//! the template module nests them. Nothing here runs code: the evaluator
//! gives meaning only to the names it knows.
//!
//! Offsets are byte offsets in the template file, so every error points at
//! the author's line and column.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// `name`, `empty?`, `fetch`
    Ident(String),
    /// `Time`, `RunRakeTask`
    Const(String),
    /// `alt:` in `image_tag "x", alt: "y"`
    Label(String),
    /// `:sidebar`
    Symbol(String),
    Str(Vec<StrPart>),
    Int(i64),
    Float(f64),
    Op(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    Text(String),
    /// `#{...}` in a double-quoted string.
    Code(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    pub token: Token,
    pub at: usize,
    /// Whether white space comes before it: `foo (x)` and `foo(x)` differ.
    pub space_before: bool,
}

/// A syntax error at an offset in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: usize,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

const OPERATORS: &[&str] = &[
    "&&", "||", "==", "!=", "<=", ">=", "=>", "&.", "::", "..", ".", ",", "(", ")", "[", "]", "{",
    "}", "|", "=", "!", "<", ">", "+", "-", "*", "/", "%", "?", ":", ";", "&",
];

const KEYWORDS: &[&str] = &[
    "do", "end", "if", "unless", "elsif", "else", "then", "and", "or", "not", "nil", "true",
    "false", "yield", "while", "until", "for", "in", "def", "class", "module", "begin", "rescue",
    "ensure", "case", "when", "return", "self", "lambda", "proc",
];

fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// Splits `code` (which starts at `base` in the file) into tokens.
pub fn tokenize(code: &str, base: usize) -> Result<Vec<Spanned>, SyntaxError> {
    let bytes = code.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut space_before = true;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b' ' || c == b'\t' || c == b'\r' || c == b'\n' {
            // A line ending outside brackets ends a statement, as `;` does;
            // the statement splitter sees both.
            if c == b'\n' {
                tokens.push(Spanned {
                    token: Token::Op(NEWLINE),
                    at: base + i,
                    space_before: true,
                });
            }
            space_before = true;
            i += 1;
            continue;
        }
        if c == b'#' {
            // A comment runs to the end of the line.
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let at = base + i;
        let (token, next) = if c == b'"' || c == b'\'' {
            let (parts, next) = string(code, i, base)?;
            (Token::Str(parts), next)
        } else if c.is_ascii_digit() {
            number(code, i, base)?
        } else if c == b':'
            && bytes
                .get(i + 1)
                .is_some_and(|&n| n == b'_' || n.is_ascii_alphabetic())
            && space_before_symbol(&tokens, space_before)
        {
            let end = identifier_end(bytes, i + 1);
            (Token::Symbol(code[i + 1..end].to_string()), end)
        } else if c == b':' && matches!(bytes.get(i + 1), Some(b'"' | b'\'')) {
            let (parts, next) = string(code, i + 1, base)?;
            let name = parts
                .into_iter()
                .map(|p| match p {
                    StrPart::Text(t) => Ok(t),
                    StrPart::Code(_) => Err(SyntaxError {
                        at,
                        message: "a symbol cannot hold `#{...}`".into(),
                    }),
                })
                .collect::<Result<String, _>>()?;
            (Token::Symbol(name), next)
        } else if c == b'_' || c == b'@' || c.is_ascii_alphabetic() || c >= 0x80 {
            let end = identifier_end(bytes, i);
            let name = &code[i..end];
            if name.starts_with('@') {
                return Err(SyntaxError {
                    at,
                    message: format!("instance variables such as `{name}` are not supported"),
                });
            }
            // `alt: "x"` is a label; `a ? b :c` and `A::B` are not.
            if bytes.get(end) == Some(&b':')
                && bytes.get(end + 1) != Some(&b':')
                && !name.ends_with('?')
            {
                (Token::Label(name.to_string()), end + 1)
            } else if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                (Token::Const(name.to_string()), end)
            } else {
                (Token::Ident(name.to_string()), end)
            }
        } else {
            match OPERATORS.iter().find(|op| code[i..].starts_with(**op)) {
                Some(op) => (Token::Op(op), i + op.len()),
                None => {
                    let ch = code[i..].chars().next().unwrap_or('?');
                    return Err(SyntaxError {
                        at,
                        message: format!("`{ch}` is not understood here"),
                    });
                }
            }
        };
        tokens.push(Spanned {
            token,
            at,
            space_before,
        });
        space_before = false;
        i = next;
    }
    Ok(tokens)
}

/// `:name` is a symbol where an operand may start; after an operand it is
/// the `:` of `a ? b : c` written without a space.
fn space_before_symbol(tokens: &[Spanned], space_before: bool) -> bool {
    match tokens.last() {
        None => true,
        Some(last) => match &last.token {
            Token::Op(op) => !matches!(*op, ")" | "]" | "}") || space_before,
            Token::Ident(name) => is_keyword(name) || space_before,
            _ => space_before,
        },
    }
}

fn identifier_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    if bytes.get(end) == Some(&b'@') {
        end += 1;
    }
    while end < bytes.len()
        && (bytes[end] == b'_' || bytes[end].is_ascii_alphanumeric() || bytes[end] >= 0x80)
    {
        end += 1;
    }
    // `empty?` and `strip!`, but not `a != b` or `a ?b`.
    if matches!(bytes.get(end), Some(b'?' | b'!'))
        && bytes.get(end + 1) != Some(&b'=')
        && !matches!(bytes.get(end + 1), Some(b'"' | b'\''))
    {
        end += 1;
    }
    end
}

fn number(code: &str, start: usize, base: usize) -> Result<(Token, usize), SyntaxError> {
    let bytes = code.as_bytes();
    let mut end = start;
    while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'_') {
        end += 1;
    }
    let is_float =
        bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
    if is_float {
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
    }
    let text = code[start..end].replace('_', "");
    let bad = || SyntaxError {
        at: base + start,
        message: format!("`{text}` is not a number this can read"),
    };
    let token = if is_float {
        Token::Float(text.parse().map_err(|_| bad())?)
    } else {
        Token::Int(text.parse().map_err(|_| bad())?)
    };
    Ok((token, end))
}

/// A quoted string starting at `start` (the quote): its parts and the
/// offset after the closing quote. Double quotes take escapes and `#{}`.
fn string(code: &str, start: usize, base: usize) -> Result<(Vec<StrPart>, usize), SyntaxError> {
    let quote = code.as_bytes()[start];
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = code[start + 1..].char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        let here = start + 1 + offset;
        if c == quote as char {
            if !text.is_empty() || parts.is_empty() {
                parts.push(StrPart::Text(text));
            }
            return Ok((parts, here + 1));
        }
        if c == '\\' {
            let Some((_, escaped)) = chars.next() else {
                break;
            };
            if quote == b'\'' {
                if escaped != '\'' && escaped != '\\' {
                    text.push('\\');
                }
                text.push(escaped);
            } else {
                text.push(match escaped {
                    'n' => '\n',
                    't' => '\t',
                    's' => ' ',
                    '0' => '\0',
                    other => other,
                });
            }
            continue;
        }
        if quote == b'"' && c == '#' && chars.peek().is_some_and(|(_, n)| *n == '{') {
            chars.next();
            let inner_start = here + 2;
            let mut depth = 1;
            let mut inner_end = None;
            for (offset, c) in chars.by_ref() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            inner_end = Some(start + 1 + offset);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some(inner_end) = inner_end else {
                return Err(SyntaxError {
                    at: base + here,
                    message: "`#{` is never closed with `}`".into(),
                });
            };
            if !text.is_empty() {
                parts.push(StrPart::Text(std::mem::take(&mut text)));
            }
            let tokens = tokenize(&code[inner_start..inner_end], base + inner_start)?;
            let expr = parse_expression(&tokens, base + inner_start)?;
            parts.push(StrPart::Code(expr));
            continue;
        }
        text.push(c);
    }
    Err(SyntaxError {
        at: base + start,
        message: "this string is never closed".into(),
    })
}

/// An expression, with the offset where it starts in the file.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Vec<StrPart>),
    Symbol(String),
    Array(Vec<Expr>),
    Hash(Vec<(Expr, Expr)>),
    /// A bare name: a local variable, or a call with no arguments.
    Name {
        name: String,
        at: usize,
    },
    Const {
        name: String,
        at: usize,
    },
    Call {
        receiver: Option<Box<Expr>>,
        name: String,
        args: Vec<Expr>,
        block: Option<Box<BraceBlock>>,
        /// `&.`: nil when the receiver is nil.
        safe: bool,
        at: usize,
    },
    Index {
        receiver: Box<Expr>,
        index: Box<Expr>,
        at: usize,
    },
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Binary {
        op: &'static str,
        left: Box<Expr>,
        right: Box<Expr>,
        at: usize,
    },
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `x if cond` / `x unless cond` (the condition already negated).
    Modifier {
        value: Box<Expr>,
        condition: Box<Expr>,
    },
    Yield {
        at: usize,
    },
}

/// `{ |a, b| expr }`
#[derive(Debug, Clone, PartialEq)]
pub struct BraceBlock {
    pub params: Vec<String>,
    pub body: Expr,
}

impl Expr {
    /// Where the expression starts, when it is known.
    pub fn at(&self) -> Option<usize> {
        match self {
            Expr::Name { at, .. }
            | Expr::Const { at, .. }
            | Expr::Call { at, .. }
            | Expr::Index { at, .. }
            | Expr::Binary { at, .. }
            | Expr::Yield { at } => Some(*at),
            _ => None,
        }
    }
}

/// What one statement in a code tag says.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    If(Expr),
    Unless(Expr),
    Elsif(Expr),
    Else,
    End,
    /// `call do |a, b|` or `call { |a, b|` opening a block that a later
    /// `end` (or `}`) closes.
    Block {
        call: Expr,
        params: Vec<String>,
    },
    Assign {
        name: String,
        value: Expr,
    },
    Expr(Expr),
}

/// A line end in code: it ends a statement, as `;` does, unless the
/// line plainly goes on (it ends with an operator or `,`, the next starts
/// with `.`, or a bracket is open).
const NEWLINE: &str = "\n";

fn is_layout(token: &Token) -> bool {
    matches!(token, Token::Op(op) if *op == NEWLINE)
}

/// Splits a code tag's tokens into statements.
pub fn statements(tokens: &[Spanned]) -> Vec<Vec<Spanned>> {
    let mut found = Vec::new();
    let mut current: Vec<Spanned> = Vec::new();
    let mut depth: i32 = 0;
    for (i, t) in tokens.iter().enumerate() {
        match t.token {
            Token::Op("(" | "[" | "{") => depth += 1,
            Token::Op(")" | "]" | "}") => depth -= 1,
            _ => {}
        }
        let ends = match &t.token {
            Token::Op(";") => depth <= 0,
            token if is_layout(token) => {
                let continues = depth > 0
                    || current.last().is_some_and(|last| {
                        matches!(
                            last.token,
                            Token::Op(
                                "," | "."
                                    | "&."
                                    | "&&"
                                    | "||"
                                    | "+"
                                    | "-"
                                    | "*"
                                    | "/"
                                    | "="
                                    | "=="
                                    | "!="
                                    | "=>"
                                    | "?"
                                    | ":"
                                    | "<"
                                    | ">"
                                    | "("
                                    | "["
                                    | "{"
                                    | "|"
                            )
                        )
                    })
                    || tokens[i + 1..]
                        .iter()
                        .find(|n| !is_layout(&n.token))
                        .is_some_and(|n| matches!(n.token, Token::Op("." | "&.")));
                if continues {
                    continue;
                }
                true
            }
            _ => false,
        };
        if ends {
            if !current.is_empty() {
                found.push(std::mem::take(&mut current));
            }
        } else {
            current.push(t.clone());
        }
    }
    if !current.is_empty() {
        found.push(current);
    }
    found
}

/// Reads one statement.
pub fn statement(tokens: &[Spanned]) -> Result<Statement, SyntaxError> {
    let tokens: Vec<Spanned> = tokens
        .iter()
        .filter(|t| !is_layout(&t.token) && t.token != Token::Op(";"))
        .cloned()
        .collect();
    let first_at = tokens.first().map_or(0, |t| t.at);
    let keyword = match tokens.first().map(|t| &t.token) {
        Some(Token::Ident(word)) => Some(word.as_str()),
        _ => None,
    };
    let rest = || {
        let mut rest = &tokens[1..];
        if let Some(Spanned {
            token: Token::Ident(then),
            ..
        }) = rest.last()
            && then == "then"
        {
            rest = &rest[..rest.len() - 1];
        }
        parse_expression(rest, first_at)
    };
    match keyword {
        Some("if") => return Ok(Statement::If(rest()?)),
        Some("unless") => return Ok(Statement::Unless(rest()?)),
        Some("elsif") => return Ok(Statement::Elsif(rest()?)),
        Some("else") if tokens.len() == 1 => return Ok(Statement::Else),
        Some("end") if tokens.len() == 1 => return Ok(Statement::End),
        _ => {}
    }
    if let [
        Spanned {
            token: Token::Op("}"),
            ..
        },
    ] = tokens.as_slice()
    {
        return Ok(Statement::End);
    }
    // `name = value` (but not `==`).
    if let [
        Spanned {
            token: Token::Ident(name),
            ..
        },
        Spanned {
            token: Token::Op("="),
            ..
        },
        rest @ ..,
    ] = tokens.as_slice()
        && !is_keyword(name)
    {
        return Ok(Statement::Assign {
            name: name.clone(),
            value: parse_expression(rest, first_at)?,
        });
    }
    // `call do |a, b|` / `call { |a, b|`
    let (body, params) = block_opening(&tokens)?;
    if let Some(params) = params {
        return Ok(Statement::Block {
            call: parse_expression(body, first_at)?,
            params,
        });
    }
    Ok(Statement::Expr(parse_expression(&tokens, first_at)?))
}

/// When a statement ends by opening a block, the tokens before it and the
/// block's parameters.
fn block_opening(tokens: &[Spanned]) -> Result<(&[Spanned], Option<Vec<String>>), SyntaxError> {
    // Find the last `do` (or an unclosed `{`) followed only by `|params|`.
    for (i, t) in tokens.iter().enumerate().rev() {
        let opens = match &t.token {
            Token::Ident(word) if word == "do" => true,
            Token::Op("{") => {
                // Only a `{` with nothing after it but `|params|`.
                true
            }
            _ => false,
        };
        if !opens {
            continue;
        }
        let after = &tokens[i + 1..];
        let params = match after {
            [] => Some(Vec::new()),
            [
                Spanned {
                    token: Token::Op("|"),
                    ..
                },
                middle @ ..,
                Spanned {
                    token: Token::Op("|"),
                    ..
                },
            ] => {
                let mut names = Vec::new();
                for (j, p) in middle.iter().enumerate() {
                    match (&p.token, j % 2) {
                        (Token::Ident(name), 0) => names.push(name.clone()),
                        (Token::Op(","), 1) => {}
                        _ => {
                            return Err(SyntaxError {
                                at: p.at,
                                message: "block parameters are names separated by commas, as in `|r|` or `|page, index|`".into(),
                            });
                        }
                    }
                }
                Some(names)
            }
            _ => None,
        };
        if let Some(params) = params {
            if i == 0 {
                return Err(SyntaxError {
                    at: t.at,
                    message: "a block needs a call before it, as in `items.each do |item|`".into(),
                });
            }
            return Ok((&tokens[..i], Some(params)));
        }
        // A `{` with more after it is a hash or an inline block.
        if matches!(t.token, Token::Op("{")) {
            continue;
        }
        break;
    }
    Ok((tokens, None))
}

/// Parses a whole expression; `at` locates an empty one.
pub fn parse_expression(tokens: &[Spanned], at: usize) -> Result<Expr, SyntaxError> {
    let tokens: Vec<&Spanned> = tokens
        .iter()
        .filter(|t| !is_layout(&t.token) && t.token != Token::Op(";"))
        .collect();
    if tokens.is_empty() {
        return Err(SyntaxError {
            at,
            message: "an expression is missing here".into(),
        });
    }
    let mut parser = Parser {
        tokens: &tokens,
        next: 0,
        depth: 0,
    };
    let expr = parser.modifier()?;
    if let Some(extra) = parser.peek() {
        return Err(SyntaxError {
            at: extra.at,
            message: format!("`{}` is not understood here", describe(&extra.token)),
        });
    }
    Ok(expr)
}

fn describe(token: &Token) -> String {
    match token {
        Token::Ident(s) | Token::Const(s) => s.clone(),
        Token::Label(s) => format!("{s}:"),
        Token::Symbol(s) => format!(":{s}"),
        Token::Str(_) => "a string".into(),
        Token::Int(n) => n.to_string(),
        Token::Float(n) => n.to_string(),
        Token::Op(op) => (*op).to_string(),
    }
}

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_NESTING: usize = 64;

struct Parser<'a> {
    tokens: &'a [&'a Spanned],
    next: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Spanned> {
        self.tokens.get(self.next).copied()
    }

    fn peek_token(&self) -> Option<&'a Token> {
        self.peek().map(|t| &t.token)
    }

    fn at(&self) -> usize {
        self.peek()
            .or_else(|| self.tokens.last().copied())
            .map_or(0, |t| t.at)
    }

    fn bump(&mut self) -> Option<&'a Spanned> {
        let t = self.peek();
        self.next += 1;
        t
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if matches!(self.peek_token(), Some(Token::Op(o)) if *o == op) {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if matches!(self.peek_token(), Some(Token::Ident(w)) if w == word) {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn expect_op(&mut self, op: &'static str) -> Result<(), SyntaxError> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(SyntaxError {
                at: self.at(),
                message: format!("`{op}` expected here"),
            })
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(SyntaxError {
                at: self.at(),
                message: format!("expressions nest more than {MAX_NESTING} deep"),
            });
        }
        Ok(())
    }

    /// `value if cond`, `value unless cond`
    fn modifier(&mut self) -> Result<Expr, SyntaxError> {
        let value = self.ternary()?;
        if self.eat_word("if") {
            let condition = self.ternary()?;
            return Ok(Expr::Modifier {
                value: Box::new(value),
                condition: Box::new(condition),
            });
        }
        if self.eat_word("unless") {
            let condition = self.ternary()?;
            return Ok(Expr::Modifier {
                value: Box::new(value),
                condition: Box::new(Expr::Not(Box::new(condition))),
            });
        }
        Ok(value)
    }

    fn ternary(&mut self) -> Result<Expr, SyntaxError> {
        self.enter()?;
        let condition = self.word_or()?;
        let result = if self.eat_op("?") {
            let yes = self.ternary()?;
            self.expect_op(":")?;
            let no = self.ternary()?;
            Expr::Ternary(Box::new(condition), Box::new(yes), Box::new(no))
        } else {
            condition
        };
        self.depth -= 1;
        Ok(result)
    }

    /// `a or b`, `a and b`, `not a` (the low-precedence words).
    fn word_or(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.word_and()?;
        while self.eat_word("or") {
            let right = self.word_and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn word_and(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.word_not()?;
        while self.eat_word("and") {
            let right = self.word_not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn word_not(&mut self) -> Result<Expr, SyntaxError> {
        if self.eat_word("not") {
            self.enter()?;
            let inner = self.word_not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.or()
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.and()?;
        while self.eat_op("||") {
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.not()?;
        while self.eat_op("&&") {
            let right = self.not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, SyntaxError> {
        if self.eat_op("!") {
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, SyntaxError> {
        let left = self.additive()?;
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            let at = self.at();
            if self.eat_op(op) {
                let right = self.additive()?;
                return Ok(Expr::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                    at,
                });
            }
        }
        Ok(left)
    }

    fn additive(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.multiplicative()?;
        loop {
            let at = self.at();
            let op = if self.eat_op("+") {
                "+"
            } else if self.eat_op("-") {
                "-"
            } else {
                return Ok(left);
            };
            let right = self.multiplicative()?;
            left = Expr::Binary {
                op,
                left: Box::new(left),
                right: Box::new(right),
                at,
            };
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.unary()?;
        loop {
            let at = self.at();
            let op = if self.eat_op("*") {
                "*"
            } else if self.eat_op("/") {
                "/"
            } else if self.eat_op("%") {
                "%"
            } else {
                return Ok(left);
            };
            let right = self.unary()?;
            left = Expr::Binary {
                op,
                left: Box::new(left),
                right: Box::new(right),
                at,
            };
        }
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        if self.peek_token() == Some(&Token::Op("-")) {
            let at = self.at();
            // A minus sign written against a number is part of it, as Ruby
            // reads it: `-5.abs` is 5, the call made on -5.
            if let Some(number) = self.tokens.get(self.next + 1).copied()
                && number.at == at + 1
            {
                let literal = match number.token {
                    Token::Int(n) => Some(Expr::Int(-n)),
                    Token::Float(f) => Some(Expr::Float(-f)),
                    _ => None,
                };
                if let Some(literal) = literal {
                    self.next += 2;
                    return self.postfix_on(literal);
                }
            }
            self.next += 1;
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Binary {
                op: "-",
                left: Box::new(Expr::Int(0)),
                right: Box::new(inner),
                at,
            });
        }
        if self.eat_op("!") {
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, SyntaxError> {
        let expr = self.primary()?;
        self.postfix_on(expr)
    }

    /// The calls and indexes after `expr`.
    fn postfix_on(&mut self, mut expr: Expr) -> Result<Expr, SyntaxError> {
        loop {
            let Some(next) = self.peek() else {
                return Ok(expr);
            };
            match &next.token {
                Token::Op(op @ ("." | "&.")) => {
                    let safe = *op == "&.";
                    self.next += 1;
                    let Some(name_token) = self.bump() else {
                        return Err(SyntaxError {
                            at: next.at,
                            message: "a method name is missing after `.`".into(),
                        });
                    };
                    let name = match &name_token.token {
                        Token::Ident(name) | Token::Const(name) => name.clone(),
                        // `x.y:` cannot be a label here.
                        other => {
                            return Err(SyntaxError {
                                at: name_token.at,
                                message: format!("`{}` is not a method name", describe(other)),
                            });
                        }
                    };
                    let (args, block) = self.call_rest(&name)?;
                    expr = Expr::Call {
                        receiver: Some(Box::new(expr)),
                        name,
                        args,
                        block,
                        safe,
                        at: name_token.at,
                    };
                }
                Token::Op("::") => {
                    self.next += 1;
                    let Some(Spanned {
                        token: Token::Const(name) | Token::Ident(name),
                        at,
                        ..
                    }) = self.bump()
                    else {
                        return Err(SyntaxError {
                            at: next.at,
                            message: "a name is missing after `::`".into(),
                        });
                    };
                    let qualified = match &expr {
                        Expr::Const { name: outer, .. } => format!("{outer}::{name}"),
                        _ => {
                            return Err(SyntaxError {
                                at: *at,
                                message: "`::` follows a constant such as `Time`".into(),
                            });
                        }
                    };
                    expr = Expr::Const {
                        name: qualified,
                        at: *at,
                    };
                }
                Token::Op("[") if !next.space_before => {
                    self.next += 1;
                    self.enter()?;
                    let index = self.ternary()?;
                    self.depth -= 1;
                    self.expect_op("]")?;
                    expr = Expr::Index {
                        receiver: Box::new(expr),
                        index: Box::new(index),
                        at: next.at,
                    };
                }
                _ => return Ok(expr),
            }
        }
    }

    /// The arguments and brace block after a method name, with or without
    /// parentheses.
    fn call_rest(
        &mut self,
        name: &str,
    ) -> Result<(Vec<Expr>, Option<Box<BraceBlock>>), SyntaxError> {
        let mut args = Vec::new();
        match self.peek() {
            // `(&:name)`: a block that calls `name` on each item.
            Some(t)
                if t.token == Token::Op("(") && !t.space_before && self.block_pass_follows() =>
            {
                let at = t.at;
                self.next += 2;
                let Some(Spanned {
                    token: Token::Symbol(method),
                    ..
                }) = self.bump().cloned()
                else {
                    unreachable!("block_pass_follows saw the symbol");
                };
                self.expect_op(")")?;
                let item = "__item".to_string();
                let body = Expr::Call {
                    receiver: Some(Box::new(Expr::Name {
                        name: item.clone(),
                        at,
                    })),
                    name: method,
                    args: Vec::new(),
                    block: None,
                    safe: false,
                    at,
                };
                return Ok((
                    args,
                    Some(Box::new(BraceBlock {
                        params: vec![item],
                        body,
                    })),
                ));
            }
            Some(t) if t.token == Token::Op("(") && !t.space_before => {
                self.next += 1;
                args = self.arguments(Some(")"))?;
            }
            Some(t) if t.space_before && starts_argument(&t.token) => {
                args = self.arguments(None)?;
            }
            _ => {}
        }
        let block = match self.peek() {
            Some(t) if t.token == Token::Op("{") && takes_brace_block(name, &args) => {
                self.next += 1;
                Some(Box::new(self.brace_block()?))
            }
            _ => None,
        };
        Ok((args, block))
    }

    /// Whether `(&:name)` comes next.
    fn block_pass_follows(&self) -> bool {
        let token = |n: usize| self.tokens.get(self.next + n).map(|t| &t.token);
        token(1) == Some(&Token::Op("&"))
            && matches!(token(2), Some(Token::Symbol(_)))
            && token(3) == Some(&Token::Op(")"))
    }

    /// `|a, b| expr }` after the `{`.
    fn brace_block(&mut self) -> Result<BraceBlock, SyntaxError> {
        let mut params = Vec::new();
        if self.eat_op("|") {
            loop {
                match self.bump() {
                    Some(Spanned {
                        token: Token::Ident(name),
                        ..
                    }) => params.push(name.clone()),
                    other => {
                        return Err(SyntaxError {
                            at: other.map_or(self.at(), |t| t.at),
                            message: "block parameters are names, as in `{ |r| ... }`".into(),
                        });
                    }
                }
                if self.eat_op("|") {
                    break;
                }
                self.expect_op(",")?;
            }
        }
        self.enter()?;
        let body = self.modifier()?;
        self.depth -= 1;
        self.expect_op("}")?;
        Ok(BraceBlock { params, body })
    }

    /// Comma-separated arguments up to `close` (or, without parentheses,
    /// up to the end of the arguments). `key: value` and `:key => value`
    /// pairs at the end become one hash, as in Ruby.
    fn arguments(&mut self, close: Option<&'static str>) -> Result<Vec<Expr>, SyntaxError> {
        self.enter()?;
        let mut args = Vec::new();
        let mut pairs = Vec::new();
        if let Some(close) = close
            && self.eat_op(close)
        {
            self.depth -= 1;
            return Ok(args);
        }
        loop {
            if let Some(Spanned {
                token: Token::Label(key),
                ..
            }) = self.peek()
            {
                self.next += 1;
                let value = self.ternary()?;
                pairs.push((Expr::Symbol(key.clone()), value));
            } else {
                let value = self.ternary()?;
                if self.eat_op("=>") {
                    let mapped = self.ternary()?;
                    pairs.push((value, mapped));
                } else {
                    if !pairs.is_empty() {
                        return Err(SyntaxError {
                            at: self.at(),
                            message: "`key: value` arguments go after the others".into(),
                        });
                    }
                    args.push(value);
                }
            }
            if !self.eat_op(",") {
                break;
            }
        }
        if let Some(close) = close {
            self.expect_op(close)?;
        }
        if !pairs.is_empty() {
            args.push(Expr::Hash(pairs));
        }
        self.depth -= 1;
        Ok(args)
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let Some(token) = self.bump() else {
            return Err(SyntaxError {
                at: self.at(),
                message: "an expression is missing here".into(),
            });
        };
        let at = token.at;
        Ok(match &token.token {
            Token::Str(parts) => Expr::Str(parts.clone()),
            Token::Symbol(name) => Expr::Symbol(name.clone()),
            Token::Int(n) => Expr::Int(*n),
            Token::Float(n) => Expr::Float(*n),
            Token::Const(name) => Expr::Const {
                name: name.clone(),
                at,
            },
            Token::Ident(word) => match word.as_str() {
                "nil" => Expr::Nil,
                "true" => Expr::Bool(true),
                "false" => Expr::Bool(false),
                "yield" => Expr::Yield { at },
                word if is_keyword(word) => {
                    return Err(SyntaxError {
                        at,
                        message: format!("`{word}` is not supported here"),
                    });
                }
                name => {
                    let name = name.to_string();
                    let (args, block) = self.call_rest(&name)?;
                    let called = !args.is_empty()
                        || block.is_some()
                        || self.tokens[self.next - 1].token == Token::Op(")");
                    if called {
                        Expr::Call {
                            receiver: None,
                            name,
                            args,
                            block,
                            safe: false,
                            at,
                        }
                    } else {
                        Expr::Name { name, at }
                    }
                }
            },
            Token::Op("(") => {
                self.enter()?;
                let inner = self.modifier()?;
                self.depth -= 1;
                self.expect_op(")")?;
                inner
            }
            Token::Op("[") => {
                self.enter()?;
                let mut items = Vec::new();
                if !self.eat_op("]") {
                    loop {
                        items.push(self.ternary()?);
                        if self.eat_op("]") {
                            break;
                        }
                        self.expect_op(",")?;
                        if self.eat_op("]") {
                            break;
                        }
                    }
                }
                self.depth -= 1;
                Expr::Array(items)
            }
            Token::Op("{") => {
                self.enter()?;
                let mut pairs = Vec::new();
                if !self.eat_op("}") {
                    loop {
                        if let Some(Spanned {
                            token: Token::Label(key),
                            ..
                        }) = self.peek()
                        {
                            self.next += 1;
                            pairs.push((Expr::Symbol(key.clone()), self.ternary()?));
                        } else {
                            let key = self.ternary()?;
                            self.expect_op("=>")?;
                            pairs.push((key, self.ternary()?));
                        }
                        if self.eat_op("}") {
                            break;
                        }
                        self.expect_op(",")?;
                        if self.eat_op("}") {
                            break;
                        }
                    }
                }
                self.depth -= 1;
                Expr::Hash(pairs)
            }
            other => {
                return Err(SyntaxError {
                    at,
                    message: format!("`{}` is not understood here", describe(other)),
                });
            }
        })
    }
}

/// Whether a token after a method name and a space starts its first
/// argument (`partial "x"`, `image_tag "x", alt: "y"`), rather than
/// continuing an expression (`a - b`, `x if y`).
fn starts_argument(token: &Token) -> bool {
    match token {
        Token::Str(_)
        | Token::Symbol(_)
        | Token::Int(_)
        | Token::Float(_)
        | Token::Const(_)
        | Token::Label(_) => true,
        Token::Ident(word) => {
            !is_keyword(word) || matches!(word.as_str(), "nil" | "true" | "false")
        }
        Token::Op("[") => true,
        _ => false,
    }
}

/// The calls that take a block (`{ |x| ... }` or `do |x| ... end`): the
/// ones that iterate, over lists and hashes. The parser reads `{` after
/// them as a block (after anything else it is a hash), and the evaluator
/// answers exactly these (`methods::Env::iterate`).
pub(super) const WITH_BLOCK: &[&str] = &[
    "each",
    "each_with_index",
    "select",
    "filter",
    "reject",
    "map",
    "collect",
    "flat_map",
    "find",
    "detect",
    "any?",
    "all?",
    "none?",
    "count",
    "sum",
    "sort_by",
    "min_by",
    "max_by",
    "group_by",
];

fn takes_brace_block(name: &str, args: &[Expr]) -> bool {
    args.is_empty() && WITH_BLOCK.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(code: &str) -> Expr {
        parse_expression(&tokenize(code, 0).unwrap(), 0).unwrap()
    }

    fn stmt(code: &str) -> Statement {
        statement(&tokenize(code, 0).unwrap()).unwrap()
    }

    fn call_name(e: &Expr) -> &str {
        match e {
            Expr::Call { name, .. } => name,
            other => panic!("not a call: {other:?}"),
        }
    }

    #[test]
    fn commands_take_arguments_without_parentheses() {
        let e = expr(r#"partial "partials/links""#);
        let Expr::Call { name, args, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(name, "partial");
        assert_eq!(args.len(), 1);
        let e = expr(r#"image_tag "a.png", { :alt => 'x' }"#);
        let Expr::Call { args, .. } = &e else {
            panic!()
        };
        assert!(matches!(&args[1], Expr::Hash(pairs) if pairs.len() == 1));
        let e = expr(r#"image_tag "a.png", alt: "x", class: "y""#);
        let Expr::Call { args, .. } = &e else {
            panic!()
        };
        assert!(matches!(&args[1], Expr::Hash(pairs) if pairs.len() == 2));
    }

    #[test]
    fn chains_indexes_and_operators() {
        let e = expr(r#"r.options[:layout] == "x" && r.data.title"#);
        assert!(matches!(e, Expr::And(..)), "{e:?}");
        let e = expr("Time.current.year");
        assert_eq!(call_name(&e), "year");
        let e = expr("current_page.data.title");
        assert_eq!(call_name(&e), "title");
        let e = expr("a ? b : c");
        assert!(matches!(e, Expr::Ternary(..)), "{e:?}");
        let e = expr("x.empty? ? 'a' : :b");
        assert!(matches!(e, Expr::Ternary(..)), "{e:?}");
    }

    #[test]
    fn statements_open_and_close_blocks() {
        assert!(matches!(
            stmt("sitemap.resources.each do |r|"),
            Statement::Block { ref params, .. } if params == &["r"]
        ));
        assert!(matches!(
            stmt("content_for :sidebar do"),
            Statement::Block { ref params, .. } if params.is_empty()
        ));
        assert!(matches!(stmt("if r.data.title"), Statement::If(_)));
        assert!(matches!(stmt("end"), Statement::End));
        assert!(matches!(stmt("x = 1"), Statement::Assign { .. }));
        assert!(matches!(
            stmt("items.select { |i| i.data.title }.each do |i|"),
            Statement::Block { .. }
        ));
    }

    #[test]
    fn strings_interpolate_and_escape() {
        let e = expr(r#""a #{b} \"c\"""#);
        let Expr::Str(parts) = e else { panic!() };
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[2], StrPart::Text(" \"c\"".into()));
        let e = expr(r"'it\'s'");
        assert_eq!(e, Expr::Str(vec![StrPart::Text("it's".into())]));
    }

    #[test]
    fn errors_point_at_the_token() {
        let tokens = tokenize("foo(1, ", 10).unwrap();
        let err = parse_expression(&tokens, 10).unwrap_err();
        assert!(err.at >= 10, "{err:?}");
        let err = tokenize("a = `ls`", 5).unwrap_err();
        assert_eq!(err.at, 9);
        let err = tokenize("@x", 0).unwrap_err();
        assert!(err.message.contains("instance variables"));
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
        let err = parse_expression(&tokenize(&deep, 0).unwrap(), 0).unwrap_err();
        assert!(err.message.contains("nest"), "{err:?}");
    }
}
