//! The component, built and run in the Evident host, checked with the testkit's fixtures.

use evident_testkit::fixture::ViewFixture;
use evident_testkit::guests::load_view_from_dir;
use evident_guest_sdk::Event;

fn event(id: &str, event_type: &str, amount: i64) -> Event {
    Event::new(id, "/example", event_type)
        .with_json_data(&serde_json::json!({ "amount": amount }))
        .unwrap()
}

#[test]
fn sums_amounts_by_type() {
    let view = load_view_from_dir(env!("CARGO_MANIFEST_DIR").as_ref()).unwrap();
    ViewFixture::new(&view)
        .given([event("1", "paid", 5), event("2", "refunded", -2), event("3", "paid", 7)])
        .expect_json(serde_json::json!({"by_type": {"paid": 12, "refunded": -2}}));
}

#[test]
fn data_without_an_amount_is_refused() {
    let view = load_view_from_dir(env!("CARGO_MANIFEST_DIR").as_ref()).unwrap();
    let bad = Event::new("9", "/example", "paid").with_json_data(&serde_json::json!({})).unwrap();
    ViewFixture::new(&view)
        .given([bad])
        .expect_error_containing("amount");
}
