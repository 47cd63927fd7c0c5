//! The guest's side of a frame: each event lent as an [`EventRef`] into the frame's bytes.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};

use super::{ABSENT, FrameError};
use crate::event_ref::{EventRef, Extensions, Repr};

/// Reads a frame's events one by one, each lent as an [`EventRef`] into the frame's bytes:
/// nothing is copied or allocated per event.
///
/// It checks structure: lengths within the frame, a representable `time`, and (unless the frame
/// is vouched for, see [`FrameReader::new_unchecked`]) UTF-8 strings and extension names given
/// once. It does not check the CloudEvents rules again; the host checked them when it read the
/// events ([`Event::validate`](crate::Event::validate) is that check).
#[derive(Debug)]
pub struct FrameReader<'a> {
    frame: &'a [u8],
    position: usize,
    remaining: u32,
    index: usize,
    /// Whether strings are checked to be UTF-8 and extension names to be unique.
    checked: bool,
    /// The day number of the last `time` read, and its date: events of a frame mostly fall on
    /// one day, and turning a day number into a date is most of the cost of reading a `time`.
    last_day: Option<(i64, NaiveDate)>,
}

impl<'a> FrameReader<'a> {
    /// Starts reading `frame`, from any source.
    pub fn new(frame: &'a [u8]) -> Result<Self, FrameError> {
        Self::start(frame, true)
    }

    /// Starts reading a frame that a [`FrameWriter`](super::FrameWriter) wrote, without checking again that its
    /// strings are UTF-8 and its extension names unique (a third of reading a frame).
    ///
    /// This is how a guest reads the frames its host sends: a component trusts its host for
    /// the bytes it is given as wit-bindgen's generated code trusts the strings the canonical
    /// ABI lifts (it skips their UTF-8 check outside debug builds), and in debug builds this
    /// reader checks them too.
    ///
    /// # Safety
    /// Every string attribute in `frame` (`id`, `source`, `specversion`, `type`,
    /// `datacontenttype`, `dataschema`, `subject`, extension names and values) is UTF-8, as
    /// [`FrameWriter`](super::FrameWriter) writes them from `&str`s. Lengths and `time` are still checked, so a
    /// frame that breaks only those rules is an error, not undefined behaviour.
    #[allow(unsafe_code)] // Skipping a check the caller vouches for; measured in benches/frame.rs.
    pub unsafe fn new_unchecked(frame: &'a [u8]) -> Result<Self, FrameError> {
        Self::start(frame, cfg!(debug_assertions))
    }

    pub(super) fn start(frame: &'a [u8], checked: bool) -> Result<Self, FrameError> {
        let count = frame.get(..4).ok_or(FrameError::Truncated {
            index: 0,
            what: "event count",
        })?;
        let remaining = u32::from_le_bytes(count.try_into().expect("4 bytes"));
        Ok(FrameReader {
            frame,
            position: 4,
            remaining,
            index: 0,
            checked,
            last_day: None,
        })
    }

    /// Events not read yet.
    pub fn remaining(&self) -> usize {
        self.remaining as usize
    }

    /// The position in the frame of the event the next read returns.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The next event; `Ok(None)` after the last one (or an error if bytes are left over).
    #[inline(always)]
    pub fn next_event(&mut self) -> Result<Option<EventRef<'a>>, FrameError> {
        if self.remaining == 0 {
            let trailing = self.frame.len() - self.position;
            return if trailing == 0 {
                Ok(None)
            } else {
                Err(FrameError::TrailingBytes(trailing))
            };
        }
        let event = EventRef {
            id: self.read_str("id")?,
            source: self.read_str("source")?,
            spec_version: self.read_str("specversion")?,
            event_type: self.read_str("type")?,
            datacontenttype: self.read_optional_str("datacontenttype")?,
            dataschema: self.read_optional_str("dataschema")?,
            subject: self.read_optional_str("subject")?,
            time: self.read_time()?,
            data: self.read_optional("data")?,
            extensions: self.read_extensions()?,
        };
        self.remaining -= 1;
        self.index += 1;
        Ok(Some(event))
    }

    #[inline(always)]
    fn take(&mut self, what: &'static str, len: usize) -> Result<&'a [u8], FrameError> {
        let start = self.position;
        let end = start
            .checked_add(len)
            .filter(|&end| end <= self.frame.len())
            .ok_or(FrameError::Truncated {
                index: self.index,
                what,
            })?;
        self.position = end;
        Ok(&self.frame[start..end])
    }

    #[inline(always)]
    fn read_array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], FrameError> {
        Ok(self.take(what, N)?.try_into().expect("N bytes"))
    }

    #[inline(always)]
    fn read_u32(&mut self, what: &'static str) -> Result<u32, FrameError> {
        self.read_array(what).map(u32::from_le_bytes)
    }

    #[inline(always)]
    fn read_optional(&mut self, what: &'static str) -> Result<Option<&'a [u8]>, FrameError> {
        match self.read_u32(what)? {
            ABSENT => Ok(None),
            len => self.take(what, len as usize).map(Some),
        }
    }

    #[inline(always)]
    fn utf8(&self, what: &'static str, bytes: &'a [u8]) -> Result<&'a str, FrameError> {
        if self.checked {
            std::str::from_utf8(bytes).map_err(|_| FrameError::NotUtf8 {
                index: self.index,
                what,
            })
        } else {
            // SAFETY: a reader is unchecked only when made by `new_unchecked`, whose caller
            // vouches that every string attribute of the frame is UTF-8.
            #[allow(unsafe_code)]
            Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
        }
    }

    #[inline(always)]
    fn read_str(&mut self, what: &'static str) -> Result<&'a str, FrameError> {
        let len = self.read_u32(what)? as usize;
        let bytes = self.take(what, len)?;
        self.utf8(what, bytes)
    }

    #[inline(always)]
    fn read_optional_str(&mut self, what: &'static str) -> Result<Option<&'a str>, FrameError> {
        match self.read_optional(what)? {
            None => Ok(None),
            Some(bytes) => self.utf8(what, bytes).map(Some),
        }
    }

    #[inline(always)]
    fn read_time(&mut self) -> Result<Option<DateTime<FixedOffset>>, FrameError> {
        match self.read_array::<1>("time")? {
            [0] => Ok(None),
            [1] => {
                let seconds = i64::from_le_bytes(self.read_array("time")?);
                let nanos = u32::from_le_bytes(self.read_array("time")?);
                let offset = i32::from_le_bytes(self.read_array("time")?);
                let time = self
                    .instant(seconds, nanos)
                    .zip(FixedOffset::east_opt(offset))
                    .map(|(utc, offset)| utc.with_timezone(&offset))
                    .ok_or_else(|| self.invalid("time"))?;
                Ok(Some(time))
            }
            _ => Err(self.invalid("time")),
        }
    }

    /// What `DateTime::from_timestamp(seconds, nanos)` gives, with the date of the last day
    /// read kept.
    #[inline(always)]
    fn instant(&mut self, seconds: i64, nanos: u32) -> Option<DateTime<Utc>> {
        let day = seconds.div_euclid(86_400);
        let date = match self.last_day {
            Some((last, date)) if last == day => date,
            _ => {
                let date = DateTime::from_timestamp(day * 86_400, 0)?.date_naive();
                self.last_day = Some((day, date));
                date
            }
        };
        let second = seconds.rem_euclid(86_400) as u32;
        let time = NaiveTime::from_num_seconds_from_midnight_opt(second, nanos)?;
        Some(date.and_time(time).and_utc())
    }

    /// Checks the name/value pairs (lengths; UTF-8 and names given once if checked) and lends
    /// them.
    #[inline(always)]
    fn read_extensions(&mut self) -> Result<Extensions<'a>, FrameError> {
        let count = self.read_u32("extensions")?;
        let start = self.position;
        if count > 0 {
            self.check_extensions(count)?;
        }
        Ok(Extensions(Repr::Frame {
            bytes: &self.frame[start..self.position],
            count,
        }))
    }

    fn check_extensions(&mut self, count: u32) -> Result<(), FrameError> {
        if !self.checked {
            // Only where the pairs end is needed.
            for _ in 0..count {
                let name = self.read_u32("extension name")?;
                self.take("extension name", name as usize)?;
                let value = self.read_u32("extension value")?;
                self.take("extension value", value as usize)?;
            }
            return Ok(());
        }
        let mut names: Vec<&str> = Vec::new();
        for _ in 0..count {
            let name = self.read_str("extension name")?;
            self.read_str("extension value")?;
            if count > 1 {
                if names.contains(&name) {
                    return Err(self.invalid("extensions"));
                }
                names.push(name);
            }
        }
        Ok(())
    }

    fn invalid(&self, what: &'static str) -> FrameError {
        FrameError::Invalid {
            index: self.index,
            what,
        }
    }
}
