//! `config/tech-docs.yml.erb`: the gem's settings written as ERB, which
//! teams use to take a value from the environment (`host: <%= ENV['HOST'] %>`).
//! Only those reads are run, and only of the variables named with
//! `--env NAME` (read from the environment) or `--env NAME=VALUE`: reading
//! any other is an error naming it and the flag, since a settings file any
//! pull request can change must not publish a secret from the machine that
//! builds it. Any other Ruby is an error at its line.
//!
//! Written by hand because what is accepted is five forms of one
//! expression; running ERB in general (`parse::erb`) would let the settings
//! file do far more than it needs.

/// Where a tag that cannot be run is, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A Ruby string literal: `'text'` or `"text"` (no interpolation).
fn string_literal(code: &str) -> Option<&str> {
    let code = code.trim();
    let quote = code.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
    let inner = code.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains(quote) && !inner.contains("#{")).then_some(inner)
}

/// `NAME` from `ENV['NAME']`.
fn env_index(code: &str) -> Option<&str> {
    let inner = code.trim().strip_prefix("ENV[")?.strip_suffix(']')?;
    string_literal(inner)
}

/// What an expression gives: `Ok(None)` for Ruby's nil.
fn value(code: &str, env: &[(String, Option<String>)]) -> Result<Option<String>, String> {
    // Only a variable named with `--env` may be read; one named but not set
    // is nil, as in Ruby.
    let lookup = |name: &str| -> Result<Option<String>, String> {
        env.iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                format!(
                    "the settings read the environment variable {name}, which is not named with --env: run with `--env {name}` (or `--env {name}=VALUE`) to let them"
                )
            })
    };
    let code = code.trim();
    if let Some(text) = string_literal(code) {
        return Ok(Some(text.to_string()));
    }
    if let Some(name) = env_index(code) {
        return lookup(name);
    }
    if let Some((left, right)) = code.split_once("||")
        && let Some(name) = env_index(left)
        && let Some(fallback) = string_literal(right)
    {
        return Ok(Some(lookup(name)?.unwrap_or_else(|| fallback.to_string())));
    }
    if let Some(arguments) = code.strip_prefix("ENV.fetch") {
        let arguments = arguments.trim();
        // `ENV.fetch('NAME') { 'default' }`
        let (call, block) = match arguments.split_once('{') {
            Some((call, block)) => (call.trim(), Some(block.trim().strip_suffix('}'))),
            None => (arguments, None),
        };
        let inner = call
            .strip_prefix('(')
            .and_then(|c| c.strip_suffix(')'))
            .ok_or_else(|| format!("`{code}` is not a call manual reads"))?;
        let (name, fallback) = match inner.split_once(',') {
            Some((name, fallback)) => (name, Some(fallback)),
            None => (inner, None),
        };
        let name = string_literal(name).ok_or_else(|| format!("`{code}` names no variable"))?;
        let fallback = match (fallback, block) {
            (Some(text), None) => Some(
                string_literal(text)
                    .ok_or_else(|| format!("`{code}`: the default is not a string"))?,
            ),
            (None, Some(Some(text))) => Some(
                string_literal(text)
                    .ok_or_else(|| format!("`{code}`: the default is not a string"))?,
            ),
            (None, None) => None,
            _ => return Err(format!("`{code}` is not a call manual reads")),
        };
        return match (lookup(name)?, fallback) {
            (Some(found), _) => Ok(Some(found)),
            (None, Some(fallback)) => Ok(Some(fallback.to_string())),
            (None, None) => Err(format!(
                "`{code}` needs {name}, which is not given (Ruby stops here with KeyError)"
            )),
        };
    }
    Err(format!("`{code}` is Ruby that manual does not run"))
}

/// The YAML the ERB makes; `env` holds the values given with `--env`.
pub fn render(text: &str, env: &[(String, Option<String>)]) -> Result<String, Problem> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut offset = 0;
    let position = |at: usize| {
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1;
        (line, column)
    };
    while let Some(open) = rest.find("<%") {
        out.push_str(&rest[..open]);
        let tag_at = offset + open;
        let after_open = &rest[open + 2..];
        if let Some(literal) = after_open.strip_prefix('%') {
            out.push_str("<%");
            offset = tag_at + 3;
            rest = literal;
            continue;
        }
        let Some(close) = after_open.find("%>") else {
            let (line, column) = position(tag_at);
            return Err(Problem {
                line,
                column,
                message: "an ERB tag is never closed with `%>`".into(),
            });
        };
        let inner = &after_open[..close];
        let trims_newline = inner.ends_with('-');
        let inner = inner.strip_suffix('-').unwrap_or(inner);
        let inner = inner.strip_prefix('-').unwrap_or(inner);
        if inner.starts_with('#') {
            // A comment writes nothing.
        } else if let Some(code) = inner.strip_prefix('=') {
            match value(code, env) {
                Ok(found) => out.push_str(found.as_deref().unwrap_or("")),
                Err(message) => {
                    let (line, column) = position(tag_at);
                    return Err(Problem {
                        line,
                        column,
                        message,
                    });
                }
            }
        } else {
            let (line, column) = position(tag_at);
            return Err(Problem {
                line,
                column,
                message: format!("`<%{inner}%>` is Ruby that manual does not run"),
            });
        }
        let mut next = open + 2 + close + 2;
        if trims_newline && rest[next..].starts_with('\n') {
            next += 1;
        }
        offset += next;
        rest = &rest[next..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Vec<(String, Option<String>)> {
        vec![
            ("HOST".into(), Some("https://docs.example.org".into())),
            ("MISSING".into(), None),
        ]
    }

    #[test]
    fn environment_reads_take_only_the_variables_named() {
        for (template, expected) in [
            (
                "host: <%= ENV['HOST'] %>\n",
                "host: https://docs.example.org\n",
            ),
            ("host: <%= ENV[\"MISSING\"] %>\n", "host: \n"),
            ("a: <%= ENV['MISSING'] || 'x' %>\n", "a: x\n"),
            (
                "a: <%= ENV.fetch('HOST', 'x') %>\n",
                "a: https://docs.example.org\n",
            ),
            ("a: <%= ENV.fetch(\"MISSING\", \"x\") %>\n", "a: x\n"),
            ("a: <%= ENV.fetch('MISSING') { 'y' } %>\n", "a: y\n"),
            ("<%# a comment %>\na: 1\n", "\na: 1\n"),
            ("<%# trimmed -%>\na: 1\n", "a: 1\n"),
            ("a: '<%%= kept %>'\n", "a: '<%= kept %>'\n"),
        ] {
            assert_eq!(render(template, &env()).unwrap(), expected, "{template}");
        }
        // PATH is set on every machine; not named, it is never read.
        for template in [
            "p: <%= ENV['PATH'] %>",
            "p: <%= ENV.fetch('PATH', 'x') %>",
            "p: <%= ENV['PATH'] || 'x' %>",
        ] {
            let problem = render(template, &env()).unwrap_err();
            assert!(
                problem.message.contains("PATH") && problem.message.contains("--env PATH"),
                "{problem:?}"
            );
        }
    }

    #[test]
    fn other_ruby_is_an_error_at_its_line() {
        for (template, line, column) in [
            ("a: 1\nb: <%= File.read('/etc/passwd') %>\n", 2, 4),
            ("<% if true %>\na: 1\n<% end %>\n", 1, 1),
            ("a: <%= ENV.fetch('MISSING') %>\n", 1, 4),
            ("a: <%= ENV['HOST'\n", 1, 4),
            ("a: <%= `id` %>\n", 1, 4),
        ] {
            let problem = render(template, &env()).unwrap_err();
            assert_eq!((problem.line, problem.column), (line, column), "{template}");
        }
    }
}
