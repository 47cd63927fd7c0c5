//! A format converter: an event whose `data` is CSV (`datacontenttype` `text/csv`: a header
//! line, then rows) becomes one event per row, with `data` the row as a JSON object keyed by
//! the header; ids are `<id>-<row>` (from 1), the type gets the suffix given by parameter
//! `type-suffix` (default `.row`). Other events pass through unchanged. Quoting is not
//! supported: a field holding a comma or a quote is refused with code `unsupported-csv`.
//!
//! ```
//! use evident_guest_sdk::{transform, Event, Parameters};
//! use csv_to_json::CsvToJson;
//!
//! let upload = Event::new("u1", "/import", "prices.uploaded")
//!     .with_data("text/csv", "sku,price\nA-1,9.90\nB-2,4.50\n");
//! let rows = transform::transform::<CsvToJson>(&upload, &Parameters::new()).unwrap();
//! assert_eq!(rows.len(), 2);
//! assert_eq!(rows[1].id, "u1-2");
//! assert_eq!(rows[1].data_json::<serde_json::Value>()?, serde_json::json!({"sku": "B-2", "price": "4.50"}));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use evident_guest_sdk::prelude::*;

/// The converter.
pub struct CsvToJson;

#[transform]
impl Transform for CsvToJson {
    fn transform(event: &EventRef<'_>, parameters: &Parameters) -> Result<Vec<Event>, GuestError> {
        if event.datacontenttype != Some("text/csv") {
            return Ok(vec![event.to_event()]);
        }
        let text = std::str::from_utf8(event.data.unwrap_or_default())
            .map_err(|e| GuestError::new("invalid-csv", format!("not UTF-8: {e}")))?;
        let mut lines = text.lines().filter(|line| !line.trim().is_empty());
        let Some(header) = lines.next() else {
            return Ok(Vec::new());
        };
        let columns: Vec<&str> = header.split(',').map(str::trim).collect();
        let suffix = parameters.get("type-suffix").unwrap_or(".row");
        let mut rows = Vec::new();
        for (row, line) in lines.enumerate() {
            if line.contains('"') {
                return Err(GuestError::new(
                    "unsupported-csv",
                    format!("row {} is quoted: quoting is not supported", row + 1),
                ));
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            if fields.len() != columns.len() {
                return Err(GuestError::new(
                    "invalid-csv",
                    format!(
                        "row {} has {} fields; the header has {}",
                        row + 1,
                        fields.len(),
                        columns.len()
                    ),
                ));
            }
            let object: serde_json::Map<String, serde_json::Value> = columns
                .iter()
                .zip(&fields)
                .map(|(column, field)| ((*column).to_owned(), (*field).into()))
                .collect();
            let mut converted = event.to_event();
            converted.id = format!("{}-{}", event.id, row + 1);
            converted.event_type = format!("{}{suffix}", event.event_type);
            let converted = converted
                .with_json_data(&object)
                .map_err(|e| GuestError::new("invalid-csv", e.to_string()))?;
            rows.push(converted);
        }
        Ok(rows)
    }
}
