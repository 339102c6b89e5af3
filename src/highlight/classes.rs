//! The classes highlighted code is written with: one short class per
//! colour of the theme and one per font style (`c2`, `c0 i`), as Pygments
//! and Chroma write one short class per token kind, rather than syntect's
//! full scope list on every token (`hl-punctuation hl-accessor hl-ruby`),
//! which every reader downloads again on every page. Tokens in the text's
//! own colour get no span, and neighbours of one style share a span.
//!
//! Shared, as source, by build.rs (which writes the stylesheet from it) and
//! the highlighter (which writes the spans): both compute the classes from
//! the one theme with this one file, so the two cannot disagree.

use syntect::highlighting::{Color, FontStyle, Style, Theme};

/// The font styles a theme can ask for, with their classes and CSS.
const FONT_STYLES: [(FontStyle, &str, &str); 3] = [
    (FontStyle::BOLD, "b", "font-weight:bold"),
    (FontStyle::ITALIC, "i", "font-style:italic"),
    (FontStyle::UNDERLINE, "u", "text-decoration:underline"),
];

pub struct Classes {
    /// The text's own colour, which needs no class.
    text: Color,
    background: Color,
    /// Every other colour the theme names, in the order it names them:
    /// colour `n` is class `cn`.
    colours: Vec<Color>,
    /// The class attribute of each (colour, font style) pair, by
    /// `index(colour) * 8 + font bits`; empty for the plain text.
    names: Vec<String>,
}

impl Classes {
    pub fn new(theme: &Theme) -> Classes {
        let text = theme.settings.foreground.unwrap_or(Color::BLACK);
        let background = theme.settings.background.unwrap_or(Color::WHITE);
        let mut colours = Vec::new();
        for item in &theme.scopes {
            if let Some(colour) = item.style.foreground
                && colour != text
                && !colours.contains(&colour)
            {
                colours.push(colour);
            }
        }
        let mut names = Vec::with_capacity((colours.len() + 1) * 8);
        for colour in 0..=colours.len() {
            for bits in 0..8u8 {
                let mut classes: Vec<String> = Vec::new();
                if colour > 0 {
                    classes.push(format!("c{}", colour - 1));
                }
                for (index, (_, class, _)) in FONT_STYLES.iter().enumerate() {
                    if bits & (1 << index) != 0 {
                        classes.push((*class).to_string());
                    }
                }
                names.push(classes.join(" "));
            }
        }
        Classes {
            text,
            background,
            colours,
            names,
        }
    }

    /// The class attribute for a token of `style`; `None` for the plain
    /// text, which needs no span.
    pub fn of(&self, style: Style) -> Option<&str> {
        let colour = self
            .colours
            .iter()
            .position(|c| *c == style.foreground)
            .map_or(0, |i| i + 1);
        let bits = FONT_STYLES
            .iter()
            .enumerate()
            .filter(|(_, (font, _, _))| style.font_style.contains(*font))
            .fold(0usize, |bits, (index, _)| bits | (1 << index));
        let name = &self.names[colour * 8 + bits];
        (!name.is_empty()).then_some(name.as_str())
    }

    /// The stylesheet: the block's colours, then one rule per class, each
    /// scoped to highlighted blocks so that no class leaks into the page.
    pub fn css(&self) -> String {
        let hex = |c: Color| format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b);
        let mut css = format!(
            "/* Highlighted code: one class per colour (cN) and font style (b, i, u). */\n\
             .hl-code {{ color: {}; background-color: {}; }}\n",
            hex(self.text),
            hex(self.background)
        );
        for (index, colour) in self.colours.iter().enumerate() {
            css.push_str(&format!(
                ".hl-code .c{index} {{ color: {}; }}\n",
                hex(*colour)
            ));
        }
        for (_, class, rule) in FONT_STYLES {
            css.push_str(&format!(".hl-code .{class} {{ {rule}; }}\n"));
        }
        css
    }
}
