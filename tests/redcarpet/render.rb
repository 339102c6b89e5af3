# Renders markdown as the tech-docs gem's Redcarpet does (gem_markdown.rb):
# a JSON array of markdown texts on stdin, a JSON array of HTML on stdout.
# Used by tests/it/redcarpet.rs, which compares manual's markdown on a
# tech-docs site with Redcarpet itself.
require "json"
require_relative "gem_markdown"

puts JSON.generate(JSON.parse($stdin.read).map { |text| GEM_MARKDOWN.render(text) })
