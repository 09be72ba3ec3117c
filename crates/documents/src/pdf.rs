//! A document set as a PDF page after GB/T 9704: the red 发文机关标志 (红头), the number and the
//! red rule, the title, the addressee and body with the line-breaking rules, the table of fields,
//! the agency and date with the seal pressed over them, page numbers, the verification QR code,
//! and on multi-page documents the cross-page seal (骑缝章) on the right edge of every page.
//! krilla writes the file and embeds only the glyphs used.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Transform};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Data, Document as Pdf, SerializeSettings};
use tongban_domain::document::layout::{self, break_lines, Page, A4};
use tongban_domain::document::seal::Seal;
use tongban_domain::document::Document;

use crate::font::{Face, SERIF};
use crate::Error;

/// How a document looks beyond its text.
#[derive(Debug, Clone, Default)]
pub struct Look {
    /// The seal to press over the agency and date (with the signing time in it).
    pub seal: Option<Seal>,
    /// Where the QR code leads: the public verification page of this document.
    pub verify_url: Option<String>,
    /// A verification code printed under the QR code.
    pub verify_code: Option<String>,
    /// Cut the seal across the right edge of every page (骑缝章) when there is more than one.
    pub cross_page_seal: bool,
}

const RED: (u8, u8, u8) = (0xd0, 0x02, 0x1b);

/// One positioned run of text.
pub(crate) struct Run {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) size: f32,
    pub(crate) text: String,
    pub(crate) red: bool,
    pub(crate) bold: bool,
}

/// What a page carries besides runs.
#[derive(Default)]
pub(crate) struct Sheet {
    pub(crate) runs: Vec<Run>,
    /// The red rule under the number (first page).
    pub(crate) rule: Option<(f32, f32, f32)>,
    /// The centre of the seal (last page).
    pub(crate) seal_at: Option<(f32, f32)>,
}

/// Sets out the pages: pure geometry, no PDF yet.
pub(crate) fn compose(doc: &Document, face: &Face, page: &Page) -> Vec<Sheet> {
    let pitch = page.line_pitch();
    let body = layout::BODY_SIZE;
    let width = page.area_width;
    let left = page.left;
    let bottom = page.top + page.area_height;
    let measure = |t: &str, size: f32| t.chars().map(|c| face.char_advance(c)).sum::<f32>() * size;
    let mut sheets = vec![Sheet::default()];
    let mut y = page.top;

    // 红头: the agency's name, red, centred, shrunk to fit the type area.
    let head_w = measure(&doc.agency, layout::HEAD_SIZE);
    let head_size = if head_w > width {
        layout::HEAD_SIZE * width / head_w
    } else {
        layout::HEAD_SIZE
    };
    y += head_size;
    sheets[0].runs.push(Run {
        x: left + (width - measure(&doc.agency, head_size)) / 2.0,
        y,
        size: head_size,
        text: doc.agency.clone(),
        red: true,
        bold: true,
    });
    // The number two lines below, centred; the red rule 4 mm under it.
    y += pitch * 1.6;
    let number = &doc.number;
    sheets[0].runs.push(Run {
        x: left + (width - measure(number, body)) / 2.0,
        y,
        size: body,
        text: number.clone(),
        red: false,
        bold: false,
    });
    y += layout::mm(4.0);
    sheets[0].rule = Some((left, left + width, y));
    // The title two lines below the rule, centred, broken without breaking the rules.
    y += pitch * 1.2;
    let title_size = layout::TITLE_SIZE;
    for line in break_lines(&doc.title, width, 0.0, |c| {
        face.char_advance(c) * title_size
    }) {
        y += title_size * 1.4;
        sheets[0].runs.push(Run {
            x: left + (width - measure(&line, title_size)) / 2.0,
            y,
            size: title_size,
            text: line,
            red: false,
            bold: true,
        });
    }
    y += pitch * 0.6;

    // The flowing part: addressee, body, fields, each line moving to a new page when full.
    let mut lines: Vec<(f32, String)> = Vec::new();
    if let Some(a) = doc.addressee() {
        lines.push((0.0, a.to_string()));
    }
    let indent = body * 2.0;
    for p in doc.body() {
        for (i, l) in break_lines(p, width, indent, |c| face.char_advance(c) * body)
            .into_iter()
            .enumerate()
        {
            lines.push((if i == 0 { indent } else { 0.0 }, l));
        }
    }
    for f in &doc.fields {
        let label = format!("{}：", f.label);
        let label_w = measure(&label, body);
        for (i, l) in break_lines(&f.value, width - label_w, 0.0, |c| {
            face.char_advance(c) * body
        })
        .into_iter()
        .enumerate()
        {
            if i == 0 {
                lines.push((0.0, format!("{label}{l}")));
            } else {
                lines.push((label_w, l));
            }
        }
    }
    let mut cur = 0;
    for (dx, text) in lines {
        if y + pitch > bottom {
            sheets.push(Sheet::default());
            cur += 1;
            y = page.top;
        }
        y += pitch;
        sheets[cur].runs.push(Run {
            x: left + dx,
            y,
            size: body,
            text,
            red: false,
            bold: false,
        });
    }

    // 落款: two lines down, the date right-indented four characters, the agency centred above
    // it; kept together on one page with room for the seal.
    let date = doc.date_line();
    if y + pitch * 4.0 > bottom {
        sheets.push(Sheet::default());
        cur += 1;
        y = page.top + pitch;
    }
    y += pitch * 2.0;
    let date_w = measure(&date, body);
    let date_x = left + width - body * 4.0 - date_w;
    let centre = date_x + date_w / 2.0;
    sheets[cur].runs.push(Run {
        x: centre - measure(&doc.agency, body) / 2.0,
        y,
        size: body,
        text: doc.agency.clone(),
        red: false,
        bold: false,
    });
    y += pitch;
    sheets[cur].runs.push(Run {
        x: date_x,
        y,
        size: body,
        text: date,
        red: false,
        bold: false,
    });
    // The seal sits centred over both lines, a little above them (居中下压).
    sheets[cur].seal_at = Some((centre, y - pitch * 0.9));
    sheets
}

/// Renders a document to PDF bytes (unsigned).
pub fn render(doc: &Document, look: &Look) -> Result<Vec<u8>, Error> {
    let face = Face::serif();
    let missing = face.missing(&doc.all_text());
    if !missing.is_empty() {
        // Printed as blanks rather than refused: the frozen text and its hash stay the truth.
        tracing_missing(&missing);
    }
    let font = Font::new(Data::from(SERIF), 0).ok_or(Error::Font)?;
    let page = A4;
    let sheets = compose(doc, &face, &page);
    let count = sheets.len();
    let settings = SerializeSettings {
        xmp_metadata: false,
        enable_tagging: false,
        ..SerializeSettings::default()
    };
    let mut pdf = Pdf::new_with(settings);
    pdf.set_metadata(
        krilla::metadata::Metadata::new()
            .title(doc.title.clone())
            .authors(vec![doc.agency.clone()])
            .keywords(vec![doc.number.clone()])
            .creator("Tongban 通办".into()),
    );
    for (i, sheet) in sheets.iter().enumerate() {
        let mut p = pdf
            .start_page_with(PageSettings::from_wh(page.width, page.height).ok_or(Error::Layout)?);
        let mut s = p.surface();
        for run in &sheet.runs {
            draw_run(&mut s, &face, &font, run);
        }
        if let Some((x0, x1, y)) = sheet.rule {
            let mut b = PathBuilder::new();
            b.move_to(x0, y);
            b.line_to(x1, y);
            if let Some(path) = b.finish() {
                s.set_fill(None);
                s.set_stroke(Some(Stroke {
                    paint: red().into(),
                    width: 1.5,
                    ..Stroke::default()
                }));
                s.draw_path(&path);
                s.set_stroke(None);
            }
        }
        // Page number: — 1 —, centred under the type area.
        let folio = format!("— {} —", i + 1);
        let fw = folio.chars().map(|c| face.char_advance(c)).sum::<f32>() * 14.0;
        draw_run(
            &mut s,
            &face,
            &font,
            &Run {
                x: (page.width - fw) / 2.0,
                y: page.top + page.area_height + layout::mm(12.0),
                size: 14.0,
                text: folio,
                red: false,
                bold: false,
            },
        );
        if let (Some(seal), Some((cx, cy))) = (&look.seal, sheet.seal_at) {
            draw_seal(&mut s, &face, &font, seal, cx, cy);
        }
        if look.cross_page_seal && count > 1 {
            if let Some(seal) = &look.seal {
                // Slice i of the seal shows at the right edge of page i: together they make one.
                let d = layout::mm(seal.diameter);
                let slice = d / count as f32;
                let cx = page.width - slice + d / 2.0 - slice * i as f32;
                let cy = page.height / 2.0;
                let mut b = PathBuilder::new();
                if let Some(rect) =
                    krilla::geom::Rect::from_xywh(page.width - slice, cy - d, slice, d * 2.0)
                {
                    b.push_rect(rect);
                }
                if let Some(clip) = b.finish() {
                    s.push_clip_path(&clip, &FillRule::NonZero);
                    draw_seal(&mut s, &face, &font, seal, cx, cy);
                    s.pop();
                }
            }
        }
        if i == 0 {
            if let Some(url) = &look.verify_url {
                draw_qr(
                    &mut s,
                    &face,
                    &font,
                    url,
                    look.verify_code.as_deref(),
                    &page,
                );
            }
        }
        s.finish();
        p.finish();
    }
    pdf.finish().map_err(|e| Error::Pdf(format!("{e:?}")))
}

fn tracing_missing(missing: &[char]) {
    // The crate stays free of a logging dependency: the caller checks `Face::missing` too.
    let _ = missing;
}

fn red() -> rgb::Color {
    rgb::Color::new(RED.0, RED.1, RED.2)
}

fn glyphs(face: &Face, text: &str) -> Vec<KrillaGlyph> {
    text.char_indices()
        .map(|(i, c)| {
            let g = face.glyph(c).unwrap_or(0);
            KrillaGlyph {
                glyph_id: GlyphId::new(g),
                text_range: i..i + c.len_utf8(),
                x_advance: if g == 0 { 1.0 } else { face.advance(g) },
                x_offset: 0.0,
                y_offset: 0.0,
                y_advance: 0.0,
                location: None,
            }
        })
        .collect()
}

pub(crate) fn draw_run(s: &mut krilla::surface::Surface<'_>, face: &Face, font: &Font, run: &Run) {
    let color = if run.red { red() } else { rgb::Color::black() };
    s.set_fill(Some(Fill {
        paint: color.into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }));
    // Bold by a thin stroke of the same colour: one font file serves every weight.
    s.set_stroke(run.bold.then(|| Stroke {
        paint: color.into(),
        width: run.size / 40.0,
        ..Stroke::default()
    }));
    s.draw_glyphs(
        Point::from_xy(run.x, run.y),
        &glyphs(face, &run.text),
        font.clone(),
        &run.text,
        run.size,
        false,
    );
    s.set_stroke(None);
}

/// Draws the seal centred at (`cx`, `cy`) in points.
fn draw_seal(
    s: &mut krilla::surface::Surface<'_>,
    face: &Face,
    font: &Font,
    seal: &Seal,
    cx: f32,
    cy: f32,
) {
    let k = layout::mm(1.0);
    let r = seal.diameter / 2.0 - seal.ring_width / 2.0;
    let fill = Fill {
        paint: red().into(),
        opacity: NormalizedF32::new(0.9).unwrap_or(NormalizedF32::ONE),
        rule: FillRule::NonZero,
    };
    // The ring: a circle of four Bézier quarters.
    let mut b = PathBuilder::new();
    let (rr, c) = (r * k, 0.552_284_7 * r * k);
    b.move_to(cx + rr, cy);
    b.cubic_to(cx + rr, cy + c, cx + c, cy + rr, cx, cy + rr);
    b.cubic_to(cx - c, cy + rr, cx - rr, cy + c, cx - rr, cy);
    b.cubic_to(cx - rr, cy - c, cx - c, cy - rr, cx, cy - rr);
    b.cubic_to(cx + c, cy - rr, cx + rr, cy - c, cx + rr, cy);
    b.close();
    if let Some(ring) = b.finish() {
        s.set_fill(None);
        s.set_stroke(Some(Stroke {
            paint: red().into(),
            width: seal.ring_width * k,
            opacity: fill.opacity,
            ..Stroke::default()
        }));
        s.draw_path(&ring);
        s.set_stroke(None);
    }
    // The star (y up in the design, down on the page).
    let mut b = PathBuilder::new();
    for (i, (x, y)) in seal.star.iter().enumerate() {
        if i == 0 {
            b.move_to(cx + x * k, cy - y * k);
        } else {
            b.line_to(cx + x * k, cy - y * k);
        }
    }
    b.close();
    if let Some(star) = b.finish() {
        s.set_fill(Some(fill.clone()));
        s.draw_path(&star);
    }
    // The characters, each turned to face outward.
    s.set_fill(Some(fill));
    for g in seal.name.iter().chain(&seal.purpose).chain(&seal.time) {
        let size = g.size * k;
        let text = g.ch.to_string();
        let adv = face.char_advance(g.ch) * size;
        s.push_transform(&Transform::from_translate(cx + g.x * k, cy - g.y * k));
        s.push_transform(&Transform::from_rotate(-g.rotation.to_degrees()));
        // As outlines: the seal is a picture, not part of the document's text.
        s.draw_glyphs(
            Point::from_xy(-adv / 2.0, size * 0.38),
            &glyphs(face, &text),
            font.clone(),
            &text,
            size,
            true,
        );
        s.pop();
        s.pop();
    }
}

/// The QR code to the verification page, bottom left of the first page, with the code under it.
fn draw_qr(
    s: &mut krilla::surface::Surface<'_>,
    face: &Face,
    font: &Font,
    url: &str,
    code: Option<&str>,
    page: &Page,
) {
    let Ok(qr) = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
    else {
        return;
    };
    let n = qr.width();
    let side = layout::mm(18.0);
    let cell = side / n as f32;
    let x0 = page.left;
    let y0 = page.height - layout::mm(8.0) - side - 14.0;
    let mut b = PathBuilder::new();
    for (i, c) in qr.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (col, row) = ((i % n) as f32, (i / n) as f32);
            if let Some(rect) =
                krilla::geom::Rect::from_xywh(x0 + col * cell, y0 + row * cell, cell, cell)
            {
                b.push_rect(rect);
            }
        }
    }
    if let Some(path) = b.finish() {
        s.set_fill(Some(Fill::default()));
        s.draw_path(&path);
    }
    let label = match code {
        Some(c) => format!("扫码核验  核验码 {c}"),
        None => "扫码核验".to_string(),
    };
    draw_run(
        s,
        face,
        font,
        &Run {
            x: x0,
            y: y0 + side + 11.0,
            size: 9.0,
            text: label,
            red: false,
            bold: false,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use tongban_domain::document::{Subject, SubjectKind};

    pub(crate) fn sample(paragraphs: usize) -> Document {
        let mut p = vec!["张三：".to_string()];
        for i in 0..paragraphs {
            p.push(format!("第{i}段：你（单位）申请的“食品经营许可”（办件编号 3602002026112100001），经审查，符合法定条件、标准，根据《中华人民共和国行政许可法》第三十八条的规定，决定准予行政许可。"));
        }
        p.push("2026年11月21日".into());
        Document {
            number: "准3602002026112100001".into(),
            kind: "case.approval".into(),
            title: "准予行政许可决定书".into(),
            paragraphs: p,
            fields: vec![],
            department_id: 1,
            agency: "清江市市场监督管理局".into(),
            subject: Subject {
                kind: SubjectKind::Case,
                id: 1,
                reference: "3602002026112100001".into(),
            },
            issued_at: chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default(),
        }
    }

    #[test]
    fn a_long_document_flows_onto_more_pages_and_keeps_every_character() {
        let face = Face::serif();
        let doc = sample(30);
        let sheets = compose(&doc, &face, &A4);
        assert!(sheets.len() >= 2);
        let printed: String = sheets
            .iter()
            .flat_map(|s| s.runs.iter().map(|r| r.text.as_str()))
            .collect();
        for p in doc.body() {
            assert!(
                printed.contains(p.as_str()) || printed.replace('\n', "").contains(p.as_str()),
                "lost: {p}"
            );
        }
        // Every line stays inside the type area.
        for s in &sheets {
            for r in &s.runs {
                assert!(r.y <= A4.top + A4.area_height + layout::mm(13.0));
                let w: f32 = r.text.chars().map(|c| face.char_advance(c)).sum::<f32>() * r.size;
                assert!(r.x + w <= A4.left + A4.area_width + 0.5, "{}", r.text);
            }
        }
        assert!(sheets.last().and_then(|s| s.seal_at).is_some());
    }

    #[test]
    fn renders_a_pdf() {
        let pdf = render(&sample(3), &Look::default());
        let pdf = pdf.unwrap_or_default();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
