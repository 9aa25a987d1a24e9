//! The report as an Excel workbook (rust_xlsxwriter): a bidders sheet, a
//! certificates sheet and a findings sheet, each with a frozen bold header,
//! filters, column widths and rows coloured by verdict.

use super::{Report, Table};
use crate::texts::Lang;
use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, XlsxError};
use std::path::Path;

/// The fill of a row by its verdict key.
fn fill(verdict: &str) -> Option<Color> {
    Some(match verdict {
        "valid" => Color::RGB(0xC6EFCE),
        "limited" => Color::RGB(0xDDEBF7),
        "needs_review" => Color::RGB(0xFFEB9C),
        "invalid" => Color::RGB(0xFFC7CE),
        "suspected_forgery" => Color::RGB(0xFF8080),
        "not_submitted" => Color::RGB(0xD9D9D9),
        _ => return None,
    })
}

/// Display width of a cell (CJK characters count twice), for column widths.
fn width(s: &str) -> usize {
    s.lines()
        .map(|l| {
            l.chars()
                .map(|c| if crate::page::is_cjk(c) { 2 } else { 1 })
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0)
}

fn sheet(wb: &mut Workbook, table: &Table) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(table.name)?;
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_align(FormatAlign::Top);
    let base = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (c, hd) in table.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, hd, &head)?;
    }
    let mut widths: Vec<usize> = table.headers.iter().map(|h| width(h) + 2).collect();
    for (r, row) in table.rows.iter().enumerate() {
        let f = match table.verdicts[r].as_deref().and_then(fill) {
            Some(color) => base.clone().set_background_color(color),
            None => base.clone(),
        };
        for (c, cell) in row.iter().enumerate() {
            ws.write_string_with_format(r as u32 + 1, c as u16, cell, &f)?;
            widths[c] = widths[c].max(width(cell) + 2);
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 60) as f64)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last_col = table.headers.len().saturating_sub(1) as u16;
    ws.autofilter(0, 0, table.rows.len() as u32, last_col)?;
    Ok(())
}

/// Writes the workbook to `path`.
pub fn write(report: &Report, lang: Lang, path: &Path) -> Result<(), String> {
    let mut wb = Workbook::new();
    let err = |e: XlsxError| format!("cannot write the workbook: {e}");
    sheet(&mut wb, &report.bidder_table(lang)).map_err(err)?;
    sheet(&mut wb, &report.certificate_table(lang)).map_err(err)?;
    sheet(&mut wb, &report.findings_table(lang)).map_err(err)?;
    wb.save(path).map_err(err)
}
