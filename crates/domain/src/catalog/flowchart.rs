//! 一图: an item's process drawn as a flowchart, top to bottom, in plain SVG.
//!
//! The drawing needs no external fonts or resources: text uses a CJK font list that falls back
//! to the viewer's sans-serif, and box widths come from a width estimate (a CJK character is
//! one em, an ASCII character a little over half an em), so the layout is stable everywhere.

use std::fmt::Write;

use super::{GroupRule, HandlingKind, Item, Step};

const FONT_FAMILY: &str = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";
const MARGIN: f64 = 24.0;
const GAP_Y: f64 = 30.0;
const GAP_X: f64 = 24.0;
const LINE: f64 = 19.0;
const PAD_X: f64 = 16.0;
const PAD_Y: f64 = 10.0;
const BIG: f64 = 14.0;
const SMALL: f64 = 12.0;
const NODE_H: f64 = 36.0;
const CAPTION_H: f64 = 30.0;
const STEM: f64 = 16.0;

const INK: &str = "#1f2d3d";
const BLUE: &str = "#2b5fab";
const GREY: &str = "#6b7785";
const AMBER: &str = "#b35c00";

/// Escapes text for XML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newline are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Estimated rendered width of `s` at `size` px.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
        .sum::<f64>()
        * size
}

fn days(n: u32) -> String {
    if n == 0 {
        "当场办结".to_string()
    } else {
        format!("{n}个工作日")
    }
}

fn rule_caption(rule: GroupRule) -> &'static str {
    match rule {
        GroupRule::AllAgree => "全部同意",
        GroupRule::AnyAgrees => "任一同意",
    }
}

/// One line of text in a box: content, size, colour, bold.
struct Line {
    text: String,
    size: f64,
    color: &'static str,
    bold: bool,
}

impl Line {
    fn title(text: impl Into<String>) -> Self {
        Line {
            text: text.into(),
            size: BIG,
            color: INK,
            bold: true,
        }
    }
    fn detail(text: impl Into<String>) -> Self {
        Line {
            text: text.into(),
            size: SMALL,
            color: GREY,
            bold: false,
        }
    }
    fn deemed() -> Self {
        Line {
            text: "超时默认".into(),
            size: SMALL,
            color: AMBER,
            bold: true,
        }
    }
}

struct StepBox<'a> {
    step: &'a Step,
    lines: Vec<Line>,
    width: f64,
}

impl StepBox<'_> {
    fn height(&self) -> f64 {
        box_height(self.lines.len())
    }
}

fn box_height(lines: usize) -> f64 {
    PAD_Y * 2.0 + LINE * lines as f64
}

fn box_width(lines: &[Line], min: f64) -> f64 {
    lines
        .iter()
        .map(|l| text_width(&l.text, l.size))
        .fold(min, f64::max)
        + PAD_X * 2.0
}

enum Stage<'a> {
    Serial(StepBox<'a>),
    Parallel {
        caption: String,
        boxes: Vec<StepBox<'a>>,
        /// Height shared by every box of the row, so all sit on one line.
        height: f64,
        width: f64,
    },
}

impl Stage<'_> {
    fn width(&self) -> f64 {
        match self {
            Stage::Serial(b) => b.width,
            Stage::Parallel { width, .. } => *width,
        }
    }

    fn height(&self) -> f64 {
        match self {
            Stage::Serial(b) => b.height(),
            Stage::Parallel { height, .. } => CAPTION_H + STEM * 2.0 + height + STEM * 2.0,
        }
    }
}

/// The item's process as an SVG document: 申请 → each stage → 办结 · result. A parallel stage
/// shows its steps side by side with a fork and a join; special procedures, whose time does
/// not count, sit in a dashed note beside the flow.
pub fn flowchart_svg(item: &Item, department_name: &dyn Fn(i64) -> String) -> String {
    let stages: Vec<Stage> = item
        .stages()
        .into_iter()
        .map(|stage| build_stage(item, &stage, department_name))
        .collect();

    let start_text = "申请".to_string();
    let end_text = format!("办结 · {}", item.result_name.trim());
    let node_w = |t: &str| (text_width(t, BIG) + PAD_X * 2.0 + NODE_H).max(120.0);
    let summary = summary_line(item);

    let main_w = stages
        .iter()
        .map(Stage::width)
        .chain([
            node_w(&start_text),
            node_w(&end_text),
            text_width(&summary, SMALL),
        ])
        .fold(0.0, f64::max);

    // The dashed side note of special procedures.
    let note_lines: Vec<String> = item
        .special_procedures
        .iter()
        .map(|p| {
            format!(
                "· {}：{}（最长{}个工作日）",
                p.kind.label(),
                p.description.trim(),
                p.max_days
            )
        })
        .collect();
    let note_title = "特殊环节（不计时）:";
    let note_w = if note_lines.is_empty() {
        0.0
    } else {
        note_lines
            .iter()
            .map(|l| text_width(l, SMALL))
            .fold(text_width(note_title, SMALL), f64::max)
            + PAD_X * 2.0
    };
    let note_h = box_height(note_lines.len() + 1);

    let flow_h = NODE_H
        + stages.iter().map(|s| GAP_Y + s.height()).sum::<f64>()
        + GAP_Y
        + NODE_H
        + if item.deemed_approval { LINE } else { 0.0 }
        + LINE * 1.5;
    let width = (MARGIN * 2.0
        + main_w
        + if note_w > 0.0 {
            GAP_X * 1.5 + note_w
        } else {
            0.0
        })
    .ceil();
    let height = (MARGIN * 2.0 + flow_h.max(if note_w > 0.0 { note_h } else { 0.0 })).ceil();
    let cx = MARGIN + main_w / 2.0;

    let mut svg = String::new();
    let title = format!("{} 办理流程图", item.name.trim());
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="fc-title fc-desc" font-family="{font}" font-size="{BIG}">"#,
        font = esc(FONT_FAMILY),
    );
    let _ = write!(
        svg,
        r#"<title id="fc-title">{}</title><desc id="fc-desc">{}</desc>"#,
        esc(&title),
        esc(&describe(item, department_name)),
    );
    let _ = write!(
        svg,
        r#"<defs><marker id="fc-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{GREY}"/></marker></defs>"#
    );
    let _ = write!(
        svg,
        r##"<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>"##
    );

    let mut y = MARGIN;
    node(&mut svg, cx, y, node_w(&start_text), &start_text, "start");
    y += NODE_H;
    for stage in &stages {
        arrow(&mut svg, cx, y, y + GAP_Y);
        y += GAP_Y;
        match stage {
            Stage::Serial(b) => {
                step_box(&mut svg, b, cx - b.width / 2.0, y, b.height());
            }
            Stage::Parallel {
                caption,
                boxes,
                height,
                width,
            } => {
                parallel(&mut svg, caption, boxes, *height, *width, cx, y);
            }
        }
        y += stage.height();
    }
    arrow(&mut svg, cx, y, y + GAP_Y);
    y += GAP_Y;
    node(&mut svg, cx, y, node_w(&end_text), &end_text, "end");
    y += NODE_H;
    if item.deemed_approval {
        y += LINE;
        text(
            &mut svg,
            cx,
            y - 4.0,
            "middle",
            &Line {
                text: "本事项超时默认通过".into(),
                size: SMALL,
                color: AMBER,
                bold: true,
            },
        );
    }
    y += LINE * 1.5;
    text(&mut svg, cx, y - 4.0, "middle", &Line::detail(summary));

    if note_w > 0.0 {
        let x = MARGIN + main_w + GAP_X * 1.5;
        let top = MARGIN + NODE_H + GAP_Y;
        let _ = write!(
            svg,
            r##"<g class="special-note"><rect x="{x}" y="{top}" width="{note_w}" height="{note_h}" rx="6" fill="#fffaf2" stroke="{AMBER}" stroke-dasharray="6 4"/>"##
        );
        let mut ly = top + PAD_Y + LINE - 5.0;
        let title_line = Line {
            text: note_title.into(),
            size: SMALL,
            color: AMBER,
            bold: true,
        };
        text(&mut svg, x + PAD_X, ly, "start", &title_line);
        for l in &note_lines {
            ly += LINE;
            text(&mut svg, x + PAD_X, ly, "start", &Line::detail(l.clone()));
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>\n");
    svg
}

fn summary_line(item: &Item) -> String {
    match item.handling {
        HandlingKind::Instant => "即办件 · 当场办结".to_string(),
        HandlingKind::Committed => format!(
            "承诺件 · 法定时限{}个工作日 · 承诺时限{}个工作日",
            item.statutory_limit_days, item.committed_limit_days
        ),
    }
}

/// A text version of the chart for screen readers.
fn describe(item: &Item, department_name: &dyn Fn(i64) -> String) -> String {
    let mut parts = vec!["申请".to_string()];
    for stage in item.stages() {
        if stage.len() == 1 {
            parts.push(format!(
                "{}（{}）",
                stage[0].name,
                days(stage[0].limit_days)
            ));
        } else {
            let names: Vec<String> = stage
                .iter()
                .map(|s| {
                    format!(
                        "{}·{}",
                        department_name(s.department_id.unwrap_or(item.department_id)),
                        s.name
                    )
                })
                .collect();
            parts.push(format!("并联（{}）", names.join("、")));
        }
    }
    parts.push(format!("办结：{}", item.result_name.trim()));
    parts.join(" → ")
}

fn build_stage<'a>(
    item: &Item,
    stage: &[&'a Step],
    department_name: &dyn Fn(i64) -> String,
) -> Stage<'a> {
    let parallel = stage.len() > 1 || stage.iter().any(|s| s.parallel_group.is_some());
    if !parallel {
        let step = stage[0];
        let mut lines = vec![
            Line::title(step.name.trim()),
            Line::detail(format!("{} · {}", step.post.trim(), days(step.limit_days))),
        ];
        if let Some(d) = step.department_id.filter(|d| *d != item.department_id) {
            lines.push(Line::detail(department_name(d)));
        }
        if step.deemed_approval {
            lines.push(Line::deemed());
        }
        let width = box_width(&lines, 150.0);
        return Stage::Serial(StepBox { step, lines, width });
    }
    let boxes: Vec<StepBox> = stage
        .iter()
        .map(|&step| {
            let dept = department_name(step.department_id.unwrap_or(item.department_id));
            let role = if step.lead { "主办" } else { "协办" };
            let mut lines = vec![
                Line::title(step.name.trim()),
                Line::detail(format!("{} · {role}", dept.trim())),
                Line::detail(format!("{} · {}", step.post.trim(), days(step.limit_days))),
            ];
            if step.deemed_approval {
                lines.push(Line::deemed());
            }
            let width = box_width(&lines, 120.0);
            StepBox { step, lines, width }
        })
        .collect();
    let group_key = stage[0].parallel_group.as_deref().unwrap_or_default();
    let group = item.parallel_groups.iter().find(|g| g.key == group_key);
    let caption = match group {
        Some(g) => format!("并联审批 · {}（{}）", g.name.trim(), rule_caption(g.rule)),
        None => format!("并联审批 · {group_key}"),
    };
    let height = boxes.iter().map(StepBox::height).fold(0.0, f64::max);
    let row_w =
        boxes.iter().map(|b| b.width).sum::<f64>() + GAP_X * (boxes.len().saturating_sub(1)) as f64;
    let width = row_w.max(text_width(&caption, SMALL)) + PAD_X * 2.0;
    Stage::Parallel {
        caption,
        boxes,
        height,
        width,
    }
}

fn text(svg: &mut String, x: f64, y: f64, anchor: &str, line: &Line) {
    let weight = if line.bold {
        r#" font-weight="bold""#
    } else {
        ""
    };
    let _ = write!(
        svg,
        r#"<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{}" fill="{}"{weight}>{}</text>"#,
        line.size,
        line.color,
        esc(&line.text)
    );
}

fn arrow(svg: &mut String, x: f64, y1: f64, y2: f64) {
    let _ = write!(
        svg,
        r#"<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{GREY}" stroke-width="1.5" marker-end="url(#fc-arrow)"/>"#
    );
}

fn line(svg: &mut String, x1: f64, y1: f64, x2: f64, y2: f64, w: f64) {
    let _ = write!(
        svg,
        r#"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{GREY}" stroke-width="{w}"/>"#
    );
}

fn node(svg: &mut String, cx: f64, y: f64, w: f64, label: &str, class: &str) {
    let x = cx - w / 2.0;
    let r = NODE_H / 2.0;
    let _ = write!(
        svg,
        r##"<g class="{class}"><rect x="{x}" y="{y}" width="{w}" height="{NODE_H}" rx="{r}" fill="{BLUE}"/>"##
    );
    let _ = write!(
        svg,
        r##"<text x="{cx}" y="{}" text-anchor="middle" font-size="{BIG}" font-weight="bold" fill="#ffffff">{}</text></g>"##,
        y + NODE_H / 2.0 + 5.0,
        esc(label)
    );
}

fn step_box(svg: &mut String, b: &StepBox, x: f64, y: f64, h: f64) {
    let stroke = if b.step.deemed_approval { AMBER } else { BLUE };
    let _ = write!(
        svg,
        r##"<g class="step"><rect class="step-box" data-step="{key}" x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="#f4f7fc" stroke="{stroke}" stroke-width="1.5"/>"##,
        key = esc(&b.step.key),
        w = b.width,
    );
    let cx = x + b.width / 2.0;
    let mut ly = y + PAD_Y + LINE - 5.0;
    for l in &b.lines {
        text(svg, cx, ly, "middle", l);
        ly += LINE;
    }
    svg.push_str("</g>");
}

fn parallel(
    svg: &mut String,
    caption: &str,
    boxes: &[StepBox],
    height: f64,
    width: f64,
    cx: f64,
    y: f64,
) {
    let total = CAPTION_H + STEM * 4.0 + height;
    let _ = write!(
        svg,
        r##"<g class="parallel"><rect x="{}" y="{y}" width="{width}" height="{total}" rx="8" fill="none" stroke="#b8c4d6" stroke-dasharray="2 3"/>"##,
        cx - width / 2.0
    );
    text(
        svg,
        cx,
        y + CAPTION_H - 10.0,
        "middle",
        &Line {
            text: caption.to_string(),
            size: SMALL,
            color: BLUE,
            bold: true,
        },
    );
    let row_w =
        boxes.iter().map(|b| b.width).sum::<f64>() + GAP_X * (boxes.len().saturating_sub(1)) as f64;
    let mut x = cx - row_w / 2.0;
    let centres: Vec<f64> = boxes
        .iter()
        .map(|b| {
            let c = x + b.width / 2.0;
            x += b.width + GAP_X;
            c
        })
        .collect();
    let (first, last) = (
        centres.first().copied().unwrap_or(cx),
        centres.last().copied().unwrap_or(cx),
    );
    // Fork: a stem from the caption to a bar, then an arrow down to each box.
    let fork_y = y + CAPTION_H + STEM;
    line(svg, cx, y + CAPTION_H, cx, fork_y, 1.5);
    line(svg, first, fork_y, last, fork_y, 3.0);
    let boxes_y = fork_y + STEM;
    for &c in &centres {
        arrow(svg, c, fork_y, boxes_y);
    }
    let mut x = cx - row_w / 2.0;
    for b in boxes {
        step_box(svg, b, x, boxes_y, height);
        x += b.width + GAP_X;
    }
    // Join: each box down to a bar, then a stem back to the centre.
    let join_y = boxes_y + height + STEM;
    for &c in &centres {
        line(svg, c, boxes_y + height, c, join_y, 1.5);
    }
    line(svg, first, join_y, last, join_y, 3.0);
    line(svg, cx, join_y, cx, join_y + STEM, 1.5);
    svg.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn dept(id: i64) -> String {
        match id {
            1 => "市市场监督管理局".into(),
            6 => "市卫生健康委员会".into(),
            _ => format!("部门{id}"),
        }
    }

    /// A small well-formedness check: balanced tags, quoted attributes, only known entities,
    /// no raw `<` or `&` in text, one root element.
    fn well_formed(xml: &str) -> Result<(), String> {
        let mut stack: Vec<String> = Vec::new();
        let mut roots = 0;
        let mut rest = xml.trim();
        let entity_ok = |s: &str| -> Result<(), String> {
            let mut t = s;
            while let Some(i) = t.find('&') {
                let after = &t[i + 1..];
                let end = after.find(';').ok_or("unterminated entity")?;
                let name = &after[..end];
                let known = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                    || (name.starts_with('#') && name.len() > 1);
                if !known {
                    return Err(format!("unknown entity &{name};"));
                }
                t = &after[end + 1..];
            }
            Ok(())
        };
        while !rest.is_empty() {
            if let Some(tail) = rest.strip_prefix('<') {
                let end = tail.find('>').ok_or("unterminated tag")?;
                let tag = &tail[..end];
                rest = &tail[end + 1..];
                if let Some(name) = tag.strip_prefix('/') {
                    let open = stack.pop().ok_or(format!("stray </{name}>"))?;
                    if open != name.trim() {
                        return Err(format!("<{open}> closed by </{name}>"));
                    }
                    continue;
                }
                let self_closing = tag.ends_with('/');
                let body = tag.trim_end_matches('/');
                let name: String = body.chars().take_while(|c| !c.is_whitespace()).collect();
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_alphanumeric() || "-_:".contains(c))
                {
                    return Err(format!("bad tag name in <{tag}>"));
                }
                // Attributes: name="value" pairs.
                let mut attrs = body[name.len()..].trim();
                while !attrs.is_empty() {
                    let eq = attrs
                        .find('=')
                        .ok_or(format!("attribute without value in <{tag}>"))?;
                    let quote = attrs[eq + 1..].chars().next().ok_or("no quote")?;
                    if quote != '"' && quote != '\'' {
                        return Err(format!("unquoted attribute in <{tag}>"));
                    }
                    let value_start = eq + 2;
                    let close = attrs[value_start..]
                        .find(quote)
                        .ok_or("unterminated attribute")?;
                    let value = &attrs[value_start..value_start + close];
                    if value.contains('<') {
                        return Err("< in attribute".into());
                    }
                    entity_ok(value)?;
                    attrs = attrs[value_start + close + 1..].trim_start();
                }
                if stack.is_empty() {
                    roots += 1;
                }
                if !self_closing {
                    stack.push(name);
                }
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                let content = &rest[..end];
                if stack.is_empty() && !content.trim().is_empty() {
                    return Err("text outside the root".into());
                }
                if content.contains('>') {
                    return Err("raw > in text".into());
                }
                entity_ok(content)?;
                rest = &rest[end..];
            }
        }
        if !stack.is_empty() {
            return Err(format!("unclosed {stack:?}"));
        }
        if roots != 1 {
            return Err(format!("{roots} root elements"));
        }
        Ok(())
    }

    fn rect_y(svg: &str, key: &str) -> f64 {
        let marker = format!(r#"data-step="{key}""#);
        let at = svg.find(&marker).expect("the step has a box");
        let tail = &svg[at..];
        let y_at = tail.find(" y=\"").expect("y") + 4;
        let end = tail[y_at..].find('"').unwrap();
        tail[y_at..y_at + end].parse().unwrap()
    }

    #[test]
    fn the_checker_rejects_broken_xml() {
        assert!(well_formed("<a><b></a></b>").is_err());
        assert!(well_formed("<a>x & y</a>").is_err());
        assert!(well_formed("<a x=1/>").is_err());
        assert!(well_formed("<a/><b/>").is_err());
        assert!(well_formed(r#"<a x="1">t &amp; &lt;u&gt;</a>"#).is_ok());
    }

    #[test]
    fn the_chart_is_well_formed_and_names_every_step() {
        for item in [sample::food_licence(), sample::birth_registration()] {
            let svg = flowchart_svg(&item, &dept);
            well_formed(&svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
            assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
            assert!(svg.contains("viewBox=\"0 0 ") && svg.contains("role=\"img\""));
            assert!(svg.contains(&format!(
                "<title id=\"fc-title\">{} 办理流程图</title>",
                item.name
            )));
            assert!(svg.contains("Noto Sans CJK SC") && svg.contains("sans-serif"));
            for step in &item.steps {
                assert!(
                    svg.contains(&format!(">{}</text>", step.name)),
                    "{}",
                    step.name
                );
            }
            assert!(svg.contains(">申请</text>"));
            assert!(svg.contains(&format!(">办结 · {}</text>", item.result_name)));
            assert!(!svg.contains("href"), "no external resources");
        }
    }

    #[test]
    fn parallel_steps_share_a_row_with_their_departments_and_rule() {
        let item = sample::food_licence();
        let svg = flowchart_svg(&item, &dept);
        assert_eq!(rect_y(&svg, "s2a"), rect_y(&svg, "s2b"));
        assert!(rect_y(&svg, "s1") < rect_y(&svg, "s2a"));
        assert!(rect_y(&svg, "s2a") < rect_y(&svg, "s3"));
        assert!(svg.contains("市市场监督管理局 · 主办"));
        assert!(svg.contains("市卫生健康委员会 · 协办"));
        assert!(svg.contains("全部同意"));
        assert!(
            svg.contains(">超时默认</text>"),
            "s2b is deemed approved at timeout"
        );
        assert!(svg.contains("特殊环节（不计时）"));
        assert!(svg.contains("stroke-dasharray=\"6 4\""));
        assert!(svg.contains("检查：需要对经营场所进行现场检查的（最长10个工作日）"));
        assert!(svg.contains("受理岗 · 1个工作日"));
    }

    #[test]
    fn on_the_spot_steps_and_no_special_note() {
        let svg = flowchart_svg(&sample::birth_registration(), &dept);
        assert!(svg.contains("签发岗 · 当场办结"));
        assert!(!svg.contains("特殊环节"));
        assert!(svg.contains("即办件"));
    }

    #[test]
    fn text_is_escaped() {
        let mut item = sample::food_licence();
        item.name = "A<B>&\"C\"".into();
        item.steps[0].name = "受理<初审>&登记".into();
        item.steps[2].post = "岗'位".into();
        item.result_name = "<证>".into();
        let svg = flowchart_svg(&item, &|_| "部门<&>".into());
        well_formed(&svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        assert!(svg.contains("受理&lt;初审&gt;&amp;登记"));
        assert!(svg.contains("A&lt;B&gt;&amp;&quot;C&quot;"));
        assert!(svg.contains("部门&lt;&amp;&gt; · 主办"));
        assert!(!svg.contains("<初审>"));
    }

    #[test]
    fn the_width_follows_the_widest_parallel_row() {
        let narrow = flowchart_svg(&sample::food_licence(), &dept);
        let mut item = sample::food_licence();
        for i in 0..3 {
            let mut extra = item.steps[2].clone();
            extra.key = format!("s2x{i}");
            extra.name = format!("额外的并联审查环节{i}");
            item.steps.insert(3, extra);
        }
        let wide = flowchart_svg(&item, &dept);
        let width = |svg: &str| -> f64 {
            let at = svg.find("width=\"").unwrap() + 7;
            svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
        };
        assert!(width(&wide) > width(&narrow) + 300.0);
        for k in ["s2a", "s2b", "s2x0", "s2x1", "s2x2"] {
            assert_eq!(rect_y(&wide, k), rect_y(&wide, "s2a"));
        }
    }
}
