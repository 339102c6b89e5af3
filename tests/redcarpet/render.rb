# Renders markdown as the tech-docs gem's Redcarpet does (its extensions and
# SmartyPants; the gem's own renderer callbacks are left out): a JSON array
# of markdown texts on stdin, a JSON array of HTML on stdout. Used by
# tests/it/redcarpet.rs, which compares manual's markdown on a tech-docs
# site with Redcarpet itself.
require "json"
require "redcarpet"

renderer = Class.new(Redcarpet::Render::HTML) { include Redcarpet::Render::SmartyPants }
markdown = Redcarpet::Markdown.new(
  renderer.new,
  fenced_code_blocks: true,
  tables: true,
  no_intra_emphasis: true,
)
puts JSON.generate(JSON.parse($stdin.read).map { |text| markdown.render(text) })
