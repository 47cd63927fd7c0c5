//! The component, built and run in the Evident host, checked with the testkit's fixtures.

use evident_testkit::fixture::ChangeFixture;
use evident_testkit::guests::load_change_from_dir;

#[test]
fn an_increment_emits_an_event() {
    let change = load_change_from_dir(env!("CARGO_MANIFEST_DIR").as_ref()).unwrap();
    let events = ChangeFixture::new(&change)
        .when_json(serde_json::json!({"type": "increment", "by": 3}))
        .expect_event_types(&["counter.incremented"]);
    assert_eq!(events[0].id, "counter-3");
}

#[test]
fn going_over_the_limit_is_refused_with_a_code() {
    let change = load_change_from_dir(env!("CARGO_MANIFEST_DIR").as_ref()).unwrap();
    ChangeFixture::new(&change)
        .parameter("limit", "2")
        .when_json(serde_json::json!({"type": "increment", "by": 3}))
        .expect_error_code("over-limit");
}
