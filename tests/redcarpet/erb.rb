# Runs each ERB template with Erubi (the ERB engine Middleman runs), then
# renders the result as the tech-docs gem's Redcarpet does
# (gem_markdown.rb): a JSON array of templates on stdin, a JSON array of
# HTML (or null where Ruby raised) on stdout. Used by tests/it/redcarpet.rs.
require "erubi"
require "json"
require_relative "gem_markdown"

results = JSON.parse($stdin.read).map do |template|
  GEM_MARKDOWN.render(eval(Erubi::Engine.new(template).src))
rescue StandardError, ScriptError
  nil
end
puts JSON.generate(results)
