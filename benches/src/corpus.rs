//! A large file of varied CloudEvents, made the same way every run: what ingest and
//! end-to-end folds are measured on.

use std::io::Write;
use std::path::Path;

/// Writes `count` events as JSON lines to `path` (about 270 bytes each): several types and
/// sources, non-ASCII in some types and subjects, times with offsets and fractions, JSON and
/// text data, binary data as `data_base64`, and extensions on a third of them.
pub fn write_varied_events(path: &Path, count: usize) -> std::io::Result<u64> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut bits: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |below: u64| {
        bits ^= bits << 13;
        bits ^= bits >> 7;
        bits ^= bits << 17;
        bits % below
    };
    let types = [
        ("com.example.order.placed", "/shop/orders"),
        ("com.example.order.paid", "/shop/payments"),
        ("com.example.order.shipped", "/shop/warehouse"),
        ("com.example.user.signed-up", "/accounts"),
        ("com.example.sensor.reading", "urn:sensor:hall"),
        ("com.exemple.commande.créée", "/boutique/commandes"),
        ("com.example.note.written", "/notes"),
    ];
    let mut written = 0u64;
    for i in 0..count {
        let (event_type, source) = types[next(types.len() as u64) as usize];
        let seconds = 1_767_225_600 + i as u64 * 7;
        let (day, rest) = (seconds / 86_400, seconds % 86_400);
        let time = format!(
            "2026-01-{:02}T{:02}:{:02}:{:02}{}{}",
            1 + day % 28,
            rest / 3_600,
            rest % 3_600 / 60,
            rest % 60,
            [".123", "", ".5", ".000001"][next(4) as usize],
            ["Z", "+01:00", "-05:30", "Z"][next(4) as usize],
        );
        let mut line = format!(
            r#"{{"specversion":"1.0","id":"evt-{i:08}","source":"{source}","type":"{event_type}","time":"{time}""#
        );
        match event_type {
            "com.example.sensor.reading" => {
                let payload: String = (0..12)
                    .map(|_| ['A', 'B', 'c', 'd', '0', '1', '+', '/'][next(8) as usize])
                    .collect();
                line.push_str(&format!(
                    r#","datacontenttype":"application/octet-stream","data_base64":"{payload}""#
                ));
            }
            "com.example.note.written" => line.push_str(&format!(
                r#","subject":"note-{}","datacontenttype":"text/plain","data":"a note, ünïcode included, number {}""#,
                next(500),
                next(10_000)
            )),
            _ => line.push_str(&format!(
                r#","subject":"order-{}","datacontenttype":"application/json","data":{{"amount":{},"currency":"EUR","lines":[{},{}],"order":{}}}"#,
                next(5_000),
                next(100_000),
                next(9),
                next(9),
                next(5_000)
            )),
        }
        match next(6) {
            0 => line.push_str(&format!(
                r#","traceparent":"00-{:032x}-{:016x}-01""#,
                next(u64::MAX),
                next(u64::MAX)
            )),
            1 => line.push_str(&format!(r#","partition":{},"replayed":false"#, next(64))),
            _ => {}
        }
        line.push_str("}\n");
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    out.flush()?;
    Ok(written)
}
