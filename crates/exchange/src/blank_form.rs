//! A blank form (空表) as an xlsx workbook, for forms people fill in on a computer: the title,
//! the item, and one row per field with its label and an empty, bordered cell to type into.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

use crate::ExchangeError;

fn xlsx(e: rust_xlsxwriter::XlsxError) -> ExchangeError {
    ExchangeError::Xlsx(e.to_string())
}

/// `rows` are (label, lines of room); `note` goes under the table.
pub fn blank_form_xlsx(
    title: &str,
    subtitle: &str,
    rows: &[(String, u8)],
    note: &str,
) -> Result<Vec<u8>, ExchangeError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("空表").map_err(xlsx)?;
    let head = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let label = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let blank = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top)
        .set_text_wrap()
        .set_unlocked();
    sheet.set_column_width(0, 24).map_err(xlsx)?;
    sheet.set_column_width(1, 56).map_err(xlsx)?;
    sheet.merge_range(0, 0, 0, 1, title, &head).map_err(xlsx)?;
    sheet.write(1, 0, subtitle).map_err(xlsx)?;
    for (i, (name, lines)) in rows.iter().enumerate() {
        let r = 2 + i as u32;
        sheet
            .write_with_format(r, 0, name.as_str(), &label)
            .map_err(xlsx)?;
        sheet.write_blank(r, 1, &blank).map_err(xlsx)?;
        sheet
            .set_row_height(r, 20.0 * f64::from((*lines).max(1)))
            .map_err(xlsx)?;
    }
    sheet
        .write(2 + rows.len() as u32 + 1, 0, note)
        .map_err(xlsx)?;
    book.save_to_buffer().map_err(xlsx)
}
