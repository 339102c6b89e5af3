# Runs the ERB of pages of a tech-docs site with Erubi and the few helpers
# the gem's own documentation calls (`partial`, `warning_text`,
# `image_tag`), written here after what the gem and Middleman write, then
# renders each as the gem's Redcarpet does. Reads a JSON object
# {"source": FOLDER, "pages": [TEXT, ...]} on stdin (each page without its
# front matter); writes a JSON array of HTML (null where Ruby raised).
# Used by tests/it/redcarpet.rs.
require "erubi"
require "json"
require_relative "gem_markdown"

class GemPage
  def initialize(source)
    @source = source
  end

  def run(template)
    instance_eval(Erubi::Engine.new(template).src)
  end

  def partial(name)
    folder, base = File.split(name)
    found = Dir.glob(File.join(@source, folder, "_#{base}.*")).first
    GemPage.new(@source).run(File.read(found))
  end

  def warning_text(text)
    <<~HTML
      <div class="govuk-warning-text">
        <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
        <strong class="govuk-warning-text__text">
          <span class="govuk-warning-text__assistive">Warning</span>
          #{text}
        </strong>
      </div>
    HTML
  end

  def image_tag(path, options = {})
    source = path.start_with?("/") ? path : "/images/#{path}"
    %(<img src="#{source}" alt="#{options[:alt]}" />)
  end
end

input = JSON.parse($stdin.read)
results = input["pages"].map do |text|
  GEM_MARKDOWN.render(GemPage.new(input["source"]).run(text))
rescue StandardError, ScriptError
  nil
end
puts JSON.generate(results)
