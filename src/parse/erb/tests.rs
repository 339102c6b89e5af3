//! Every ERB form tech-docs sites write, what it gives, and where its
//! errors point.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::*;

/// Partials held in memory, looked up as the real lookup does.
struct Memory(BTreeMap<String, String>);

impl Partials for Memory {
    fn find(&self, from: &str, name: &str) -> Option<PartialFile> {
        partial_candidates(from, name).into_iter().find_map(|c| {
            self.0.get(&c).map(|text| PartialFile {
                relative: c.clone(),
                path: PathBuf::from("source").join(&c),
                text: Ok(Arc::from(text.as_str())),
            })
        })
    }
}

fn resources() -> Vec<Resource> {
    vec![
        Resource {
            url: "/".into(),
            path: "index.html".into(),
            data: serde_json::json!({"title": "Home", "weight": 1}),
            layout: None,
        },
        Resource {
            url: "/a/".into(),
            path: "a/index.html".into(),
            data: serde_json::json!({"title": "Alpha", "weight": 20}),
            layout: Some("core".into()),
        },
        Resource {
            url: "/b.html".into(),
            path: "b.html".into(),
            data: serde_json::json!({"title": "Beta", "weight": 10, "tags": ["x", "y"]}),
            layout: Some("core".into()),
        },
    ]
}

struct Site {
    resources: Vec<Resource>,
    partials: Memory,
    helpers: Helpers,
    config: serde_json::Value,
}

impl Site {
    fn new() -> Site {
        Site {
            resources: resources(),
            partials: Memory(BTreeMap::new()),
            helpers: Helpers::default(),
            config: serde_json::json!({"service_name": "Docs"}),
        }
    }

    fn partial(mut self, relative: &str, text: &str) -> Site {
        self.partials.0.insert(relative.into(), text.into());
        self
    }

    fn helper(mut self, name: &str, template: &str) -> Site {
        let inline = indexmap::IndexMap::from([(name.to_string(), template.to_string())]);
        let (helpers, problems) = Helpers::load(None, &inline, std::path::Path::new("site.yml"));
        assert!(problems.is_empty(), "{problems:?}");
        self.helpers = helpers;
        self
    }

    fn world(&self) -> World<'_> {
        World {
            resources: &self.resources,
            today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            config: &self.config,
            partials: &self.partials,
            helpers: &self.helpers,
        }
    }

    /// Runs `body` as the page `b.html`, with one line of front matter.
    fn run(&self, body: &str) -> Result<Evaluated, ErbError> {
        let text = format!("---\ntitle: Beta\n---\n{body}");
        let start = text.len() - body.len();
        evaluate_page(
            &self.world(),
            Some(2),
            &self.resources[2],
            PathBuf::from("source/b.html.md.erb"),
            Arc::from(text.as_str()),
            start,
        )
    }

    fn text(&self, body: &str) -> String {
        match self.run(body) {
            Ok(done) => done.output.text,
            Err(e) => panic!("{body:?}: {e:?}"),
        }
    }

    fn error(&self, body: &str) -> ErbError {
        match self.run(body) {
            Ok(done) => panic!("{body:?} gave {:?}", done.output.text),
            Err(e) => e,
        }
    }
}

#[test]
fn output_and_statement_tags() {
    let site = Site::new();
    assert_eq!(site.text("# <%= current_page.data.title %>\n"), "# Beta\n");
    assert_eq!(
        site.text("<% if current_page.data.weight > 5 %>big<% end %>"),
        "big"
    );
    assert_eq!(
        site.text("<% unless current_page.data.missing %>none<% else %>some<% end %>"),
        "none"
    );
    assert_eq!(
        site.text(
            "<% if false %>a<% elsif current_page.data.title == \"Beta\" %>b<% else %>c<% end %>"
        ),
        "b"
    );
    assert_eq!(site.text("<% x = 2 + 3 %><%= x * 2 %>"), "10");
    assert_eq!(site.text("<%= \"#{current_page.url}!\" %>"), "/b.html!");
    assert_eq!(
        site.text("<%= current_page.data.tags.join(\", \") %>"),
        "x, y"
    );
    assert_eq!(site.text("<%= current_page.data[:title].upcase %>"), "BETA");
    assert_eq!(
        site.text("<%= current_page.data.fetch(:nope, 'dflt') %>"),
        "dflt"
    );
    assert_eq!(
        site.text("<%= nil %>|<%= 1.5 %>|<%= [1, 'a'] %>"),
        "|1.5|[1, \"a\"]"
    );
    assert_eq!(site.text("<%# a comment %>x"), "x");
}

/// As in Ruby: a missing value is nil, and nil
/// answers `eql?`, `==` and `nil?` rather than stopping the page.
#[test]
fn nil_answers_what_every_ruby_value_answers() {
    let site = Site::new();
    assert_eq!(
        site.text("<%= current_page.data.nope.eql? \"withdrawn\" %>"),
        "false"
    );
    assert_eq!(
        site.text("<%= nil.eql?(nil) %>|<%= nil == nil %>"),
        "true|true"
    );
    assert_eq!(
        site.text("<%= 1.eql?(1.0) %>|<%= 1 == 1.0 %>"),
        "false|true"
    );
    assert_eq!(site.text("<%= \"a\".eql?(\"a\") %>"), "true");
    assert_eq!(
        site.text("<%= nil.to_a.size %>|<%= nil.to_h.size %>"),
        "0|0"
    );
}

/// Each found by the generated differential test against Ruby
/// (`tests/it/redcarpet.rs`), which first gave another answer.
#[test]
fn numbers_splits_and_block_passing_follow_ruby() {
    let site = Site::new();
    for (ruby, answer) in [
        ("-8 % 3", "1"),
        ("8 % -3", "-1"),
        ("-7 / 2", "-4"),
        ("7 / 2", "3"),
        ("-7.0 % 2", "1.0"),
        ("\"\".split(\",\").size", "0"),
        ("\"a,b,,\".split(\",\").size", "2"),
        ("\" a  b \".split(\" \").join(\"|\")", "a|b"),
        ("[\"a\", \"b\"].map(&:upcase).join", "AB"),
        ("[3, 1, 2].min", "1"),
        ("[\"b\", \"a\"].max", "b"),
        ("[].min.to_s", ""),
        ("4.even?", "true"),
        ("-3.odd?", "true"),
    ] {
        assert_eq!(site.text(&format!("<%= {ruby} %>")), answer, "{ruby}");
    }
}

/// Front matter and a hash literal holding the same keys answer every
/// hash method alike: one table serves both.
#[test]
fn front_matter_answers_as_a_hash_does() {
    let site = Site::new();
    let literal = "{ \"title\" => \"Beta\", \"weight\" => 10, \"tags\" => [\"x\", \"y\"] }";
    for call in [
        ".keys.join(\",\")",
        ".values.size",
        ".size",
        ".length",
        ".count",
        ".empty?",
        ".any?",
        ".key?(\"title\")",
        ".include?(:weight)",
        ".fetch(\"title\")",
        ".fetch(\"nope\", \"default\")",
        ".dig(\"tags\").join",
        ".to_h.size",
    ] {
        assert_eq!(
            site.text(&format!("<%= current_page.data{call} %>")),
            site.text(&format!("<%= ({literal}){call} %>")),
            "{call}"
        );
    }
    // Only front matter also answers its keys as methods.
    assert_eq!(site.text("<%= current_page.data.weight %>"), "10");
    assert_eq!(site.text("<%= current_page.data.missing.to_s %>"), "");
}

/// The help lists what the dispatch answers, and the dispatch answers
/// all it lists: each name of each list, called, is never refused as
/// unsupported (it may fail for want of arguments, which is another
/// error), and a name in no list is.
#[test]
fn the_lists_the_help_is_made_from_are_what_the_dispatch_answers() {
    use super::methods::{HASH, LIST, NIL, NUMBER, TEXT};
    use super::rails::FUNCTIONS;
    use super::ruby::WITH_BLOCK;
    let site = Site::new();
    let mut calls: Vec<String> = Vec::new();
    calls.extend(FUNCTIONS.iter().map(|(name, _)| name.to_string()));
    calls.extend(TEXT.iter().map(|m| format!("\"abc\".{m}")));
    calls.extend(NUMBER.iter().map(|m| format!("4.{m}")));
    calls.extend(LIST.iter().map(|m| format!("[2, 1].{m}")));
    calls.extend(HASH.iter().map(|m| format!("{{ \"a\" => 1 }}.{m}")));
    calls.extend(HASH.iter().map(|m| format!("current_page.data.{m}")));
    calls.extend(NIL.iter().map(|m| format!("nil.{m}")));
    calls.extend(WITH_BLOCK.iter().map(|m| format!("[2, 1].{m} {{ |x| x }}")));
    for call in &calls {
        if let Err(e) = site.run(&format!("<%= {call} %>")) {
            assert_ne!(e.code, Code::ErbUnsupported, "{call}: {}", e.message);
        }
    }
    for (call, listed) in [
        ("\"abc\".frobnicate", "upcase"),
        ("4.frobnicate", "even?"),
        ("[1].frobnicate", "join"),
        ("{ \"a\" => 1 }.frobnicate", "fetch"),
    ] {
        let e = site.error(&format!("<%= {call} %>"));
        assert_eq!(e.code, Code::ErbUnsupported, "{call}");
        assert!(e.help.contains(listed), "{call}: {}", e.help);
    }
    let e = site.error("<% [1].frobnicate do |x| %>x<% end %>");
    assert_eq!(e.code, Code::ErbUnsupported);
    assert!(e.help.contains("each_with_index"), "{}", e.help);
    assert!(super::SUPPORTED.contains("`link_to \"TEXT\", \"URL\"`"));
}

#[test]
fn trims_and_the_escape_even_inside_code() {
    let site = Site::new();
    assert_eq!(
        site.text("a\n<% if true -%>\nb\n<% end -%>\nc\n"),
        "a\nb\nc\n"
    );
    assert_eq!(site.text("<%= 1 =%>\nx"), "1x");
    assert_eq!(
        site.text("```erb\n<%%= warning_text('x') %>\n```\n"),
        "```erb\n<%= warning_text('x') %>\n```\n"
    );
    assert_eq!(
        site.text("<%% content_for :sidebar do %>\n<%% end %>\n"),
        "<% content_for :sidebar do %>\n<% end %>\n"
    );
}

#[test]
fn partials_are_found_as_middleman_finds_them_and_run_their_own_erb() {
    let site = Site::new()
        .partial(
            "partials/_links.erb",
            "[a]: /a/\n[t]: <%= current_page.url %>\n",
        )
        .partial("documentation/about.md", "# About\n\nText <%= not run %>\n")
        .partial(
            "_outer.html.erb",
            "outer(<%= partial 'inner', locals: { word: 'hi' } %>)",
        )
        .partial("_inner.erb", "<%= word %>");
    assert_eq!(
        site.text("<%= partial \"partials/links\" %>"),
        "[a]: /a/\n[t]: /b.html\n"
    );
    assert_eq!(
        site.text("<%= partial 'partials/links' %>"),
        "[a]: /a/\n[t]: /b.html\n"
    );
    assert_eq!(
        site.text("<%= partial 'documentation/about' %>"),
        "# About\n\nText <%= not run %>\n",
        "a partial that is not ERB is copied as it is"
    );
    assert_eq!(site.text("<%= partial('outer') %>"), "outer(hi)");
}

#[test]
fn a_partials_text_maps_back_to_the_partial() {
    let site = Site::new().partial("partials/_links.erb", "[a]: /a/\n[b]: /b/\n");
    let done = site
        .run("Intro\n\n<%= partial 'partials/links' %>\n")
        .unwrap();
    let map = SourceMap {
        output: done.output,
        files: done.files,
    };
    let b = map.output.text.find("[b]").unwrap();
    let place = map.place_outside_page(b).unwrap();
    assert_eq!(place.file, PathBuf::from("source/partials/_links.erb"));
    assert_eq!((place.line, place.column), (2, 1));
    // In the page, it is where the partial was asked for.
    assert_eq!(map.page_position(b), (6, 5));
    assert_eq!(map.page_position(0), (4, 1));
}

#[test]
fn partial_errors_name_the_partial_and_loops_stop() {
    let site = Site::new()
        .partial("_loop.erb", "<%= partial 'loop' %>")
        .partial("_bad.erb", "line\n<%= nonsense_helper %>");
    let e = site.error("x\n<%= partial 'nothing' %>");
    assert_eq!(e.code, Code::ErbPartialMissing);
    assert_eq!((e.place.line, e.place.column), (5, 5));
    let e = site.error("<%= partial 'loop' %>");
    assert!(e.message.contains("uses itself"), "{e:?}");
    let e = site.error("<%= partial 'bad' %>");
    assert_eq!(e.place.file, PathBuf::from("source/_bad.erb"));
    assert_eq!((e.place.line, e.place.column), (2, 5));
    assert_eq!(e.code, Code::ErbUnsupported);
}

#[test]
fn the_gems_helpers_write_govuk_markup() {
    let site = Site::new();
    let warning = site.text("<%= warning_text('Do <strong>not</strong> do this') %>");
    assert!(
        warning.starts_with("<div class=\"govuk-warning-text\">"),
        "{warning}"
    );
    assert!(
        warning.contains(
            "govuk-visually-hidden\">Warning</span>\n    Do <strong>not</strong> do this"
        )
    );
    assert_eq!(
        site.text("<%= image_tag \"a b.png\", { :alt => 'An \"a\"' } %>"),
        "<img src=\"/images/a b.png\" alt=\"An &quot;a&quot;\" />"
    );
    assert_eq!(
        site.text("<%= image_tag \"/x/y.svg\", alt: 'Y', class: 'z' %>"),
        "<img src=\"/x/y.svg\" alt=\"Y\" class=\"z\" />"
    );
    assert_eq!(
        site.text("<%= image_tag \"shot.svg\",\n{ :alt => \"Two lines\" } %>"),
        "<img src=\"/images/shot.svg\" alt=\"Two lines\" />"
    );
    assert_eq!(
        site.text("<%= link_to 'A & B', '/a/', class: 'govuk-link' %>"),
        "<a href=\"/a/\" class=\"govuk-link\">A &amp; B</a>"
    );
    assert_eq!(site.text("© <%= Time.current.year %>"), "© 2026");
    assert_eq!(site.text("<%= Date.today.strftime('%d/%m') %>"), "23/11");
    assert_eq!(
        site.text("<%= format_date(current_page.data.missing || '2024-02-01') %>"),
        "1 February 2024"
    );
}

#[test]
fn content_for_fills_a_slot_and_writes_nothing_in_place() {
    let site = Site::new();
    let done = site
        .run("a\n<% content_for :sidebar do %>\n  Side *text*\n<% end %>\nb\n")
        .unwrap();
    assert_eq!(done.output.text, "a\nb\n");
    assert_eq!(done.slots["sidebar"].text, "  Side *text*\n");
    let done = site.run("<% content_for(:toc_module, 'x') %>").unwrap();
    assert_eq!(done.slots["toc_module"].text, "x");
    assert_eq!(
        site.text(
            "<% content_for :a do %>A<% end %><%= content_for?(:a) %><%= yield_content :a %>"
        ),
        "trueA"
    );
}

#[test]
fn pages_iterate_over_the_sitemap() {
    let site = Site::new();
    let list = site.text(
        "<% sitemap.resources.each do |r| %>\n  <% if r.options[:layout] == \"core\" %>\n- [<%= r.data.title %>](<%= r.url %>)\n  <% end %>\n<% end %>\n",
    );
    assert_eq!(list, "- [Alpha](/a/)\n- [Beta](/b.html)\n");
    // Tags side by side on a line keep its line end, as Erubi does.
    let list = site.text(
        "<% sitemap.resources.each do |r| %><% if r.data.weight == 1 %>\n<%= r.data.title %><% end %><% end %>",
    );
    assert_eq!(list, "\nHome");
    let sorted = site.text(
        "<%= sitemap.resources.select { |r| r.data.weight }.sort_by { |r| r.data.weight }.map { |r| r.data.title }.join(' ') %>",
    );
    assert_eq!(sorted, "Home Beta Alpha");
    assert_eq!(
        site.text("<% sitemap.resources.each_with_index do |r, i| %><%= i %><% end %>"),
        "012"
    );
    assert_eq!(
        site.text("<%= sitemap.find_resource_by_path('a/index.html').data.title %>"),
        "Alpha"
    );
}

#[test]
fn project_helpers_are_templates_called_with_their_arguments() {
    let site = Site::new().helper(
        "RunRakeTask.links",
        "[Run `{{ args[1] }}` on {{ args[0] }}](https://deploy.example/{{ args[0] }}?task={{ args[1] | urlencode }}){% if options.env %} in {{ options.env }}{% endif %} ({{ page.data.title }})",
    );
    assert_eq!(
        site.text("<%= RunRakeTask.links(\"whitehall-admin\", \"a:b[X,Y]\") %>"),
        "[Run `a:b[X,Y]` on whitehall-admin](https://deploy.example/whitehall-admin?task=a%3Ab%5BX%2CY%5D) (Beta)"
    );
    assert_eq!(
        site.text("<%= RunRakeTask.links 'app', 't', env: 'staging' %>"),
        "[Run `t` on app](https://deploy.example/app?task=t) in staging (Beta)"
    );
    let e = Site::new().error("ok\n  <%= RunRakeTask.links(\"a\", \"b\") %>");
    assert_eq!(e.code, Code::ErbUnsupported);
    assert_eq!((e.place.line, e.place.column), (5, 7));
    assert!(e.message.contains("RunRakeTask.links"), "{}", e.message);
    assert!(
        e.help.contains("layouts/helpers/RunRakeTask.links.html"),
        "{}",
        e.help
    );
}

#[test]
fn unsupported_ruby_is_an_error_at_its_place_never_run() {
    let site = Site::new();
    for (body, code, line, column) in [
        ("<%= system('rm -rf /') %>", Code::ErbUnsupported, 4, 5),
        ("x\n<%= `ls` %>", Code::ErbSyntax, 5, 5),
        (
            "<%= File.read('/etc/passwd') %>",
            Code::ErbUnsupported,
            4,
            5,
        ),
        ("<% if x %>never closed", Code::ErbSyntax, 4, 4),
        ("<%= 'a'.frobnicate %>", Code::ErbUnsupported, 4, 9),
        (
            "<%= current_page.data.missing.upcase %>",
            Code::ErbUnsupported,
            4,
            31,
        ),
        ("<%= @page %>", Code::ErbSyntax, 4, 5),
        ("a <%= oops", Code::ErbSyntax, 4, 3),
        ("<%= yield %>", Code::ErbUnsupported, 4, 5),
        ("<%= link_to 'x' do %>y<% end %>", Code::ErbSyntax, 4, 1),
    ] {
        let e = site.error(body);
        assert_eq!(e.code, code, "{body}: {e:?}");
        assert_eq!(
            (e.place.line, e.place.column),
            (line, column),
            "{body}: {e:?}"
        );
        assert!(!e.help.is_empty());
    }
}

#[test]
fn work_and_output_are_bounded() {
    let site = Site::new();
    // Nested loops over the pages multiply; the step limit stops them.
    let mut body = String::new();
    for _ in 0..20 {
        body.push_str("<% sitemap.resources.each do |r| %>");
    }
    body.push('x');
    for _ in 0..20 {
        body.push_str("<% end %>");
    }
    let e = site.error(&body);
    assert!(e.message.contains("steps"), "{e:?}");
    let e = site.error("<%= 'x' * 100000000000 %>");
    assert_eq!(e.code, Code::ErbBudget);
}

/// Budgets by cost: each case below ran out of memory, ran for hours or
/// overflowed the stack before values were weighed as they were made.
#[test]
fn work_is_bounded_by_bytes_made_not_only_by_steps() {
    let site = Site::new();
    let forty = vec!["1"; 40].join(", ");
    // Doubling a text, a list, an interpolation.
    for doubling in [
        "s = s + s",
        "s = \"#{s}#{s}\"",
        "s = s.gsub('x', 'xx')",
        "a = a + a",
        "a = a.map { |i| [i, i] }",
        // Found by the fuzz property: the separator repeated per item.
        "a = a + a %><% s = a.join(s)",
    ] {
        let body = format!(
            "<% s = 'xxxxxxxx' %><% a = [1, 2] %><% [{forty}].each do |i| %><% {doubling} %><% end %>"
        );
        let e = site.error(&body);
        assert_eq!(e.code, Code::ErbBudget, "{doubling}: {e:?}");
        assert_eq!(e.place.line, 4, "{doubling}: {e:?}");
    }
    // Each step copies 60 MB: a few hundred steps would take hours.
    let hundred = vec!["1"; 100].join(", ");
    let e = site.error(&format!(
        "<% s = 'x' * 60000000 %><% [{hundred}].each do |i| %><% t = s + 'y' %><% end %>"
    ));
    assert_eq!(e.code, Code::ErbBudget, "{e:?}");
    assert!(e.message.contains("MiB"), "{e:?}");
    // A 1 MB partial used again and again.
    let big = Site::new().partial("partials/_big.erb", &"x".repeat(1 << 20));
    let e = big.error(&format!(
        "<% [{}].each do |i| %><% p = partial('partials/big') %><% end %>",
        vec!["1"; 1000].join(", ")
    ));
    assert_eq!(e.code, Code::ErbBudget, "{e:?}");
}

#[test]
fn nesting_is_bounded_without_overflowing_the_stack() {
    let site = Site::new();
    let deep = "<% if true %>".repeat(20_000) + "x" + &"<% end %>".repeat(20_000);
    let e = site.error(&deep);
    assert_eq!(e.code, Code::ErbSyntax, "{e:?}");
    assert!(e.message.contains("nest"), "{e:?}");
    // A value nested by a loop rather than by the text.
    let e = site.error(&format!(
        "<% a = [] %><% [{}].each do |i| %><% a = [a] %><% end %>",
        vec!["1"; 200].join(", ")
    ));
    assert_eq!(e.code, Code::ErbBudget, "{e:?}");
    // Deep but allowed nesting runs, on a thread with a small stack.
    let body = "<% if true %>".repeat(100) + "x" + &"<% end %>".repeat(100);
    let text = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || Site::new().text(&body))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(text, "x");
}

#[test]
fn layouts_yield_the_page_and_wrap_another_layout() {
    let site = Site::new();
    let done = evaluate_layout(
        &site.world(),
        Some(2),
        &site.resources[2],
        PathBuf::from("source/layouts/custom.erb"),
        Arc::from("<% wrap_layout :layout do %>\n<div class=\"x\"><%= yield %></div>\n<% end %>\n"),
        "<p>page</p>".into(),
    )
    .unwrap();
    assert_eq!(done.wrap_layout.as_deref(), Some("layout"));
    assert_eq!(done.output.text, "<div class=\"x\"><p>page</p></div>\n");
    // The gem's own style: code only, the block's value is the page.
    let done = evaluate_layout(
        &site.world(),
        Some(2),
        &site.resources[2],
        PathBuf::from("source/layouts/code.erb"),
        Arc::from(
            "<%\nwrap_layout :core do\n  html = yield\n  content_for :sidebar do\n    \"side\"\n  end\n  html\nend\n%>\n",
        ),
        "<p>page</p>".into(),
    );
    let done = done.unwrap();
    assert_eq!(done.wrap_layout.as_deref(), Some("core"));
    assert_eq!(done.output.text.trim(), "<p>page</p>");
}

#[test]
fn config_reads_the_gems_settings() {
    let site = Site::new();
    assert_eq!(
        site.text("<%= config[:tech_docs][:service_name] %>"),
        "Docs"
    );
}

#[test]
fn partial_names_never_leave_the_source() {
    assert!(partial_candidates("a", "../../etc/passwd").is_empty());
    let found = partial_candidates("x/y", "partials/links");
    assert_eq!(found[0], "x/y/partials/_links.erb");
    assert!(found.contains(&"partials/_links.erb".to_string()));
    assert!(found.contains(&"partials/links.md".to_string()));
    assert!(partial_candidates("x", "/partials/links")[0].starts_with("partials/"));
}
