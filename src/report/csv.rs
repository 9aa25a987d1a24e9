//! The report as CSV: UTF-8 with a byte-order mark, so that Excel and WPS
//! open Chinese text right; one table (bidders, certificates or findings).

use super::Table;
use std::io::Write;

/// Writes `table` as CSV (BOM, header row, CRLF line ends as Excel writes them).
pub fn write(table: &Table, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(&table.headers)?;
    for row in &table.rows {
        w.write_record(row)?;
    }
    w.flush()?;
    Ok(())
}
