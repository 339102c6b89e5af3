# Redcarpet as the tech-docs gem configures it: its extensions (fenced code,
# tables, no intra-word emphasis), SmartyPants and the gem's row headers;
# the gem's other renderer callbacks (ids, wrappers) are left out. Shared
# by render.rb and erb.rb.
require "redcarpet"

# The gem's renderer makes a body cell that starts with "# " the header of
# its row; Redcarpet 3.5's cell callback cannot tell header cells from body
# cells, so the rule is applied to each row's HTML, where body cells are
# the only `td`s.
class GemRenderer < Redcarpet::Render::HTML
  include Redcarpet::Render::SmartyPants

  def table_row(cells)
    marked = cells.gsub(%r{<td([^>]*)># (.*?)</td>}m) { "<th scope=\"row\"#{$1}>#{$2}</th>" }
    "<tr>\n#{marked}</tr>\n"
  end
end

GEM_MARKDOWN = Redcarpet::Markdown.new(
  GemRenderer.new,
  fenced_code_blocks: true,
  tables: true,
  no_intra_emphasis: true,
)
