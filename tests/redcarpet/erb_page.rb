# Runs ERB templates over page data as Middleman does: Erubi, with
# `current_page.data` answering keys as methods and by name (nil for a key
# the page does not set, as Middleman's data hash does), then renders the
# result as the tech-docs gem's Redcarpet does. Reads a JSON array of
# {"template": ..., "data": {...}} on stdin; writes a JSON array of HTML
# (null where Ruby raised) on stdout. Used by tests/it/redcarpet.rs.
require "erubi"
require "json"
require_relative "gem_markdown"

class PageData
  def initialize(values)
    @values = values
  end

  def [](key)
    @values[key.to_s]
  end

  def method_missing(name, *args)
    args.empty? ? @values[name.to_s] : super
  end

  def respond_to_missing?(_name, _private = false)
    true
  end
end

Page = Struct.new(:data)

results = JSON.parse($stdin.read).map do |run|
  current_page = Page.new(PageData.new(run["data"]))
  GEM_MARKDOWN.render(current_page.instance_eval { binding }.eval(Erubi::Engine.new(run["template"]).src))
rescue StandardError, ScriptError
  nil
end
puts JSON.generate(results)
