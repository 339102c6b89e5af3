# Runs each ERB template with Erubi (the ERB engine Middleman runs), then
# renders the result as the tech-docs gem's Redcarpet does
# (tests/redcarpet/render.rb's settings): a JSON array of templates on stdin, a JSON array of HTML (or
# null where Ruby raised) on stdout. Used by tests/it/redcarpet.rs.
require "erubi"
require "json"
require "redcarpet"

renderer = Class.new(Redcarpet::Render::HTML) { include Redcarpet::Render::SmartyPants }
markdown = Redcarpet::Markdown.new(
  renderer.new,
  fenced_code_blocks: true,
  tables: true,
  no_intra_emphasis: true,
)
results = JSON.parse($stdin.read).map do |template|
  markdown.render(eval(Erubi::Engine.new(template).src))
rescue StandardError, ScriptError
  nil
end
puts JSON.generate(results)
