//! The electronic seal's picture (印模), generated from the agency's name: a red ring, a
//! five-pointed star in the middle, the name along the upper arc, the seal's purpose beneath the
//! star and the signing time at the bottom. Drawn from geometry, never from a copy of a real
//! seal. The PDF and OFD renderers and the web page's SVG all draw these same shapes.

use std::f32::consts::PI;

/// A seal's design, in millimetres, centred on the origin with y pointing up.
#[derive(Debug, Clone, PartialEq)]
pub struct Seal {
    pub diameter: f32,
    pub ring_width: f32,
    /// The five points of the star and the five inner corners, alternating.
    pub star: Vec<(f32, f32)>,
    /// Each character of the name placed on the arc, upright pointing outward.
    pub name: Vec<Glyph>,
    /// The horizontal line under the star (e.g. 电子印章).
    pub purpose: Vec<Glyph>,
    /// The signing time, small, at the bottom.
    pub time: Vec<Glyph>,
}

/// One character of the seal: where its centre goes, its size, and its rotation in radians
/// (counter-clockwise; 0 is upright).
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub ch: char,
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub rotation: f32,
}

/// The seal's diameter for an agency: 42 mm, as a 国家机关 seal.
pub const DIAMETER: f32 = 42.0;

/// Lays out a seal for `name` with `purpose` under the star and `time` (e.g.
/// `2026.11.21 10:32`) at the bottom.
pub fn design(name: &str, purpose: &str, time: &str) -> Seal {
    let d = DIAMETER;
    let r = d / 2.0;
    let ring_width = 1.2;
    let chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
    let n = chars.len().max(1);
    // The name spans more of the circle the longer it is, up to 250 degrees.
    let span = (n as f32 * 22.0).clamp(120.0, 250.0).to_radians();
    let size = (r * 0.36).min(2.0 * PI * (r - 4.5) * span / (2.0 * PI) / n as f32 * 0.95);
    let text_r = r - ring_width - 1.0 - size / 2.0;
    let name_glyphs = chars
        .iter()
        .enumerate()
        .map(|(i, &ch)| {
            let theta = if n == 1 {
                PI / 2.0
            } else {
                PI / 2.0 + span / 2.0 - span * i as f32 / (n - 1) as f32
            };
            Glyph {
                ch,
                x: text_r * theta.cos(),
                y: text_r * theta.sin(),
                size,
                rotation: theta - PI / 2.0,
            }
        })
        .collect();
    let star_r = r * 0.3;
    let star = (0..10)
        .map(|k| {
            let radius = if k % 2 == 0 { star_r } else { star_r * 0.382 };
            let a = PI / 2.0 + k as f32 * PI / 5.0;
            (radius * a.cos(), radius * a.sin())
        })
        .collect();
    Seal {
        diameter: d,
        ring_width,
        star,
        name: name_glyphs,
        purpose: row(purpose, -r * 0.42, r * 0.2),
        time: row(time, -r * 0.68, r * 0.13),
    }
}

/// A horizontal row of characters centred at height `y`.
fn row(text: &str, y: f32, size: f32) -> Vec<Glyph> {
    let chars: Vec<char> = text.chars().collect();
    // Latin and digits take half a square.
    let width = |c: char| if c.is_ascii() { size * 0.55 } else { size };
    let total: f32 = chars.iter().map(|c| width(*c)).sum();
    let mut x = -total / 2.0;
    chars
        .into_iter()
        .map(|ch| {
            let w = width(ch);
            let g = Glyph {
                ch,
                x: x + w / 2.0,
                y,
                size,
                rotation: 0.0,
            };
            x += w;
            g
        })
        .collect()
}

impl Seal {
    /// The seal as SVG (red on transparent), for pages that show it.
    pub fn svg(&self) -> String {
        let r = self.diameter / 2.0;
        let mut s = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="{} {} {} {}" width="{}mm" height="{}mm" role="img" aria-label="电子印章"><g fill="#d0021b" stroke="none">"##,
            -r, -r, self.diameter, self.diameter, self.diameter, self.diameter
        );
        s.push_str(&format!(
            r##"<circle cx="0" cy="0" r="{}" fill="none" stroke="#d0021b" stroke-width="{}"/>"##,
            r - self.ring_width / 2.0,
            self.ring_width
        ));
        let pts: Vec<String> = self
            .star
            .iter()
            .map(|(x, y)| format!("{x:.2},{:.2}", -y))
            .collect();
        s.push_str(&format!(r#"<polygon points="{}"/>"#, pts.join(" ")));
        for g in self.name.iter().chain(&self.purpose).chain(&self.time) {
            s.push_str(&format!(
                r#"<text x="0" y="0" font-size="{:.2}" text-anchor="middle" dominant-baseline="central" transform="translate({:.2} {:.2}) rotate({:.1})">{}</text>"#,
                g.size,
                g.x,
                -g.y,
                -g.rotation.to_degrees(),
                crate::document::seal::escape(g.ch)
            ));
        }
        s.push_str("</g></svg>");
        s
    }
}

fn escape(c: char) -> String {
    match c {
        '<' => "&lt;".into(),
        '>' => "&gt;".into(),
        '&' => "&amp;".into(),
        c => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_runs_over_the_top_from_left_to_right_inside_the_ring() {
        let s = design("清江市市场监督管理局", "电子印章", "2026.11.21 10:32");
        assert_eq!(s.name.len(), 10);
        let r = s.diameter / 2.0;
        for g in &s.name {
            assert!((g.x * g.x + g.y * g.y).sqrt() + g.size / 2.0 < r, "{g:?}");
        }
        // Left to right, symmetric about the vertical axis.
        assert!(s.name[0].x < 0.0 && s.name[9].x > 0.0);
        assert!((s.name[0].x + s.name[9].x).abs() < 0.01);
        assert!(s.name[0].rotation > 0.0 && s.name[9].rotation < 0.0);
        assert_eq!(s.star.len(), 10);
        assert_eq!(
            s.time.iter().map(|g| g.ch).collect::<String>(),
            "2026.11.21 10:32"
        );
    }

    #[test]
    fn svg_has_the_ring_the_star_and_every_character() {
        let s = design("江北区民政局", "电子印章", "2026.11.21");
        let svg = s.svg();
        assert!(svg.contains("<circle") && svg.contains("<polygon"));
        for c in "江北区民政局电子印章".chars() {
            assert!(svg.contains(c));
        }
    }
}
