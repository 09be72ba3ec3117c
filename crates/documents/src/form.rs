//! A blank form (空表) as a PDF: the form's title, the item it belongs to, and a ruled table of
//! labelled empty cells to fill in by hand, in the same embedded font as every document. No
//! 红头, number, seal or QR code: a blank form is not an issued document.

use krilla::color::rgb;
use krilla::geom::PathBuilder;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::Font;
use krilla::{Data, Document as Pdf, SerializeSettings};
use tongban_domain::document::layout::{self, A4};

use crate::font::{Face, SERIF};
use crate::pdf::{draw_run, Run};
use crate::Error;

/// One row of a blank form: its label and how many lines of room it leaves.
#[derive(Debug, Clone)]
pub struct FormRow {
    pub label: String,
    pub lines: u8,
}

/// Renders a blank form: `title` centred, the `subtitle` line (e.g. the item's name) under it,
/// then the rows, then `note` in small type.
pub fn blank_form_pdf(
    title: &str,
    subtitle: &str,
    rows: &[FormRow],
    note: &str,
) -> Result<Vec<u8>, Error> {
    let face = Face::serif();
    let font = Font::new(Data::from(SERIF), 0).ok_or(Error::Font)?;
    let page = A4;
    let measure = |t: &str, size: f32| t.chars().map(|c| face.char_advance(c)).sum::<f32>() * size;
    let settings = SerializeSettings {
        xmp_metadata: false,
        enable_tagging: false,
        ..SerializeSettings::default()
    };
    let mut pdf = Pdf::new_with(settings);
    pdf.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title.to_string())
            .creator("Tongban 通办".into()),
    );
    let mut p =
        pdf.start_page_with(PageSettings::from_wh(page.width, page.height).ok_or(Error::Layout)?);
    let mut s = p.surface();
    let left = page.left;
    let width = page.area_width;
    let mut y = page.top - layout::mm(10.0);
    let title_size = layout::TITLE_SIZE.min(width / measure(title, 1.0).max(1.0));
    y += title_size;
    let run = |x: f32, y: f32, size: f32, text: &str, bold: bool| Run {
        x,
        y,
        size,
        text: text.to_string(),
        red: false,
        bold,
    };
    draw_run(
        &mut s,
        &face,
        &font,
        &run(
            left + (width - measure(title, title_size)) / 2.0,
            y,
            title_size,
            title,
            true,
        ),
    );
    let small = layout::SMALL_SIZE;
    y += small * 2.2;
    draw_run(&mut s, &face, &font, &run(left, y, small, subtitle, false));
    y += small * 0.8;
    // The table: a label column a third wide, the rest left blank.
    let label_w = width * 0.34;
    let pitch = small * 2.4;
    let mut lines = PathBuilder::new();
    let top = y;
    lines.move_to(left, top);
    lines.line_to(left + width, top);
    for row in rows {
        let h = pitch * f32::from(row.lines.max(1));
        draw_run(
            &mut s,
            &face,
            &font,
            &run(
                left + small * 0.6,
                y + small * 1.6,
                small,
                &row.label,
                false,
            ),
        );
        y += h;
        lines.move_to(left, y);
        lines.line_to(left + width, y);
    }
    for x in [left, left + label_w, left + width] {
        lines.move_to(x, top);
        lines.line_to(x, y);
    }
    if let Some(path) = lines.finish() {
        s.set_fill(None);
        s.set_stroke(Some(Stroke {
            paint: rgb::Color::black().into(),
            width: 0.8,
            ..Stroke::default()
        }));
        s.draw_path(&path);
        s.set_stroke(None);
    }
    y += small * 2.0;
    draw_run(
        &mut s,
        &face,
        &font,
        &run(left, y, small * 0.9, note, false),
    );
    s.finish();
    p.finish();
    pdf.finish().map_err(|e| Error::Pdf(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_form_is_a_pdf() {
        let rows = vec![
            FormRow {
                label: "申请人（单位）名称".into(),
                lines: 1,
            },
            FormRow {
                label: "申请事项说明".into(),
                lines: 4,
            },
        ];
        let bytes =
            blank_form_pdf("设立登记申请书", "事项：企业设立登记", &rows, "填写说明").unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.windows(5).any(|w| w == b"%%EOF"));
    }
}
