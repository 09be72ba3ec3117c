//! The one typeface documents are set in: Noto Serif CJK SC (SIL Open Font License 1.1),
//! reduced to GB 2312 (6,763 hanzi), ASCII and the CJK and full-width punctuation by
//! `scripts/font-subset.sh`, and carried in the binary. Nothing is fetched at run time. Each
//! PDF embeds a further subset of only the glyphs it prints.

use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};

/// The font file, as shipped.
pub static SERIF: &[u8] = include_bytes!("../fonts/NotoSerifSC-GB2312.otf");

/// Glyph lookup and advances of the shipped font.
pub struct Face {
    font: FontRef<'static>,
    upem: f32,
}

impl Face {
    pub fn serif() -> Face {
        // The shipped file is checked by the tests; a bad build cannot reach here unseen.
        let font = FontRef::new(SERIF).unwrap_or_else(|_| panic!("the shipped font is not a font"));
        let upem = f32::from(font.head().map(|h| h.units_per_em()).unwrap_or(1000));
        Face { font, upem }
    }

    /// The glyph of a character, or `None` when the font lacks it.
    pub fn glyph(&self, c: char) -> Option<u32> {
        self.font
            .charmap()
            .map(c)
            .map(|g| g.to_u32())
            .filter(|g| *g != 0)
    }

    /// The advance of a glyph as a fraction of the font size.
    pub fn advance(&self, glyph: u32) -> f32 {
        self.font
            .glyph_metrics(Size::unscaled(), LocationRef::default())
            .advance_width(skrifa::GlyphId::new(glyph))
            .unwrap_or(self.upem)
            / self.upem
    }

    /// The advance of a character as a fraction of the font size (a full square when missing).
    pub fn char_advance(&self, c: char) -> f32 {
        self.glyph(c).map_or(1.0, |g| self.advance(g))
    }

    /// The characters of `text` the font cannot print.
    pub fn missing(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = text
            .chars()
            .filter(|c| !c.is_whitespace() && self.glyph(*c).is_none())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_font_prints_chinese_and_latin() {
        let f = Face::serif();
        assert!(f
            .missing("准予行政许可决定书，清江市市场监督管理局（２０２６）ABC123《》“”")
            .is_empty());
        // Han characters are a full square; Latin narrower.
        assert!((f.char_advance('准') - 1.0).abs() < 0.01);
        assert!(f.char_advance('1') < 0.7);
    }
}
