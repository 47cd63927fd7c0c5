//! The in-memory backend passes the suite (all but durability, which it does not claim).

use evident_store::MemoryStore;

use crate::common::TestStore;

fn open() -> Option<TestStore> {
    Some(TestStore {
        store: Box::new(MemoryStore::new()),
        location: None,
        _guard: Box::new(()),
    })
}

conformance!(open);
