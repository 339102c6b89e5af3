# Redcarpet as the tech-docs gem configures it: its extensions (fenced code,
# tables, no intra-word emphasis) and SmartyPants; the gem's own renderer
# callbacks are left out. Shared by render.rb and erb.rb.
require "redcarpet"

GEM_MARKDOWN = Redcarpet::Markdown.new(
  Class.new(Redcarpet::Render::HTML) { include Redcarpet::Render::SmartyPants }.new,
  fenced_code_blocks: true,
  tables: true,
  no_intra_emphasis: true,
)
