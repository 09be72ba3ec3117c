//! Page geometry and line breaking of official documents after GB/T 9704-2012 (党政机关公文格式):
//! A4, the type area 156 × 225 mm, body text in 三号 (16 pt) with 28 characters a line, the title
//! in 二号 (22 pt), and the Chinese line-breaking rules (避头尾): no line begins with a closing
//! mark and none ends with an opening one.

/// Millimetres to PDF points.
pub fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}

/// The page and its type area, in points, origin at the top left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    /// 天头: top margin.
    pub top: f32,
    /// 订口: left margin.
    pub left: f32,
    /// Width and height of the type area (版心).
    pub area_width: f32,
    pub area_height: f32,
}

/// Sizes of type, in points: 二号 22, 三号 16, 四号 14, 小四 12.
pub const TITLE_SIZE: f32 = 22.0;
pub const BODY_SIZE: f32 = 16.0;
pub const SMALL_SIZE: f32 = 12.0;
/// The 发文机关标志 (红头), large and red.
pub const HEAD_SIZE: f32 = 30.0;

/// GB/T 9704: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm.
pub const A4: Page = Page {
    width: 595.28,
    height: 841.89,
    top: 104.88,
    left: 79.37,
    area_width: 442.2,
    area_height: 637.8,
};

impl Page {
    /// 22 lines of body text fill the type area: the line pitch.
    pub fn line_pitch(&self) -> f32 {
        self.area_height / 22.0
    }

    /// 28 characters of body text fill a line: the character pitch (a little over 三号).
    pub fn char_pitch(&self) -> f32 {
        self.area_width / 28.0
    }
}

/// Marks that may not begin a line (行首禁则).
pub fn no_line_start(c: char) -> bool {
    "，。、；：？！）》」』】〕〉”’…—·%‰℃,.;:?!)]}".contains(c)
}

/// Marks that may not end a line (行尾禁则).
pub fn no_line_end(c: char) -> bool {
    "（《「『【〔〈“‘([{".contains(c)
}

/// Characters of a run that must stay together (Latin words and numbers).
fn joins(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.' | '@')
}

/// Breaks a paragraph into lines no wider than `width`, measuring each character with
/// `advance`. `indent` is the width of the first line's indent (首行缩进两字). A closing mark that
/// would begin a line takes the character before it along (推出); an opening mark that would end
/// a line moves down; a Latin word or number moves whole when it fits on a line of its own.
pub fn break_lines(
    text: &str,
    width: f32,
    indent: f32,
    advance: impl Fn(char) -> f32,
) -> Vec<String> {
    let chars: Vec<char> = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut first = true;
    while start < chars.len() {
        let room = if first { width - indent } else { width };
        // The longest prefix that fits (at least one character, so the loop always advances).
        let mut end = start;
        let mut used = 0.0;
        while end < chars.len() {
            let w = advance(chars[end]);
            if used + w > room + 0.01 && end > start {
                break;
            }
            used += w;
            end += 1;
        }
        if end < chars.len() {
            let mut cut = end;
            // A closing mark may not begin the next line: take characters down with it.
            while cut > start + 1 && no_line_start(chars[cut]) {
                cut -= 1;
            }
            // An opening mark may not end this line.
            while cut > start + 1 && no_line_end(chars[cut - 1]) {
                cut -= 1;
            }
            // Keep a Latin word or number whole when it started on this line.
            if joins(chars[cut]) && joins(chars[cut - 1]) {
                let mut w = cut;
                while w > start && joins(chars[w - 1]) {
                    w -= 1;
                }
                if w > start {
                    cut = w;
                }
            }
            end = cut.max(start + 1);
        }
        lines.push(chars[start..end].iter().collect());
        start = end;
        first = false;
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(_: char) -> f32 {
        1.0
    }

    #[test]
    fn a_line_never_starts_with_a_closing_mark() {
        // Ten to a line: the comma would begin line two, so 五 goes down with it.
        let lines = break_lines("一二三四五六七八九十，十一", 10.0, 0.0, unit);
        assert_eq!(lines[0], "一二三四五六七八九");
        assert_eq!(lines[1], "十，十一");
        for text in ["甲乙丙丁戊己庚辛壬癸。子丑", "一二三四五六七八九）》。十"]
        {
            for l in break_lines(text, 10.0, 0.0, unit).iter().skip(1) {
                assert!(!l.starts_with(no_line_start), "{l}");
            }
        }
    }

    #[test]
    fn a_line_never_ends_with_an_opening_mark() {
        let lines = break_lines("一二三四五六七八九《行政许可法》", 10.0, 0.0, unit);
        assert_eq!(lines[0], "一二三四五六七八九");
        assert!(lines[1].starts_with('《'));
    }

    #[test]
    fn the_first_line_is_indented_and_numbers_stay_whole() {
        let lines = break_lines("编号为3602002026112100001的办件已受理", 20.0, 2.0, unit);
        assert_eq!(lines[0], "编号为");
        assert!(lines[1].starts_with("3602002026112100001"));
        // Nothing is lost or duplicated.
        assert_eq!(lines.concat(), "编号为3602002026112100001的办件已受理");
    }

    #[test]
    fn a_type_area_holds_28_characters_of_22_lines() {
        assert!((A4.char_pitch() - mm(156.0) / 28.0).abs() < 0.1);
        assert!((A4.line_pitch() * 22.0 - mm(225.0)).abs() < 0.5);
    }
}
