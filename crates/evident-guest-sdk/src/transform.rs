//! Transforms: events turned into other events (world `transform-component`, evident:db
//! 0.5.0), to convert a format or to upcast an old version of an event to its current shape as
//! the database reads it.

use evident_types::{Event, EventRef, GuestError, Parameters};

/// A transform: the events one event becomes (none, one or many), in order.
///
/// ```
/// use evident_guest_sdk::prelude::*;
///
/// /// `order.placed` v1 held `total_cents`; v2 holds `total` as a decimal string.
/// struct OrderV1ToV2;
///
/// #[transform]
/// impl Transform for OrderV1ToV2 {
///     fn transform(event: &EventRef<'_>, _parameters: &Parameters) -> Result<Vec<Event>, GuestError> {
///         #[derive(Deserialize)]
///         struct V1 { total_cents: i64 }
///         let v1: V1 = event
///             .data_json()
///             .map_err(|e| GuestError::new("invalid-data", e.to_string()))?;
///         let mut v2 = event.to_event();
///         v2.dataschema = Some("urn:example:order:v2".into());
///         let total = format!("{}.{:02}", v1.total_cents / 100, v1.total_cents % 100);
///         let v2 = v2
///             .with_json_data(&serde_json::json!({ "total": total }))
///             .map_err(|e| GuestError::new("invalid-data", e.to_string()))?;
///         Ok(vec![v2])
///     }
/// }
///
/// let v1 = Event::new("1", "/shop", "order.placed").with_json_data(&serde_json::json!({"total_cents": 1234}))?;
/// let v2 = evident_guest_sdk::transform::transform::<OrderV1ToV2>(&v1, &Parameters::new()).unwrap();
/// assert_eq!(v2[0].data_json::<serde_json::Value>()?["total"], "12.34");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Transform {
    /// The events `event` becomes, in order.
    fn transform(event: &EventRef<'_>, parameters: &Parameters) -> Result<Vec<Event>, GuestError>;
}

/// Runs `T` on one event natively, as the component runs it: for tests.
pub fn transform<T: Transform>(
    event: &Event,
    parameters: &Parameters,
) -> Result<Vec<Event>, GuestError> {
    T::transform(&event.as_event_ref(), parameters)
}
