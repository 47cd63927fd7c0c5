//! Unbounded recursion ends in a stack-overflow trap, not a crashed host.

use evident_host::{Error, TrapCode};
use evident_types::Parameters;

use crate::{any_event, reduce_is_contained, view};

#[test]
fn unbounded_recursion_traps_with_stack_overflow() {
    let err = reduce_is_contained(&view("hostile-recursion"), &any_event(), &Parameters::new());
    match &err {
        Error::Trap {
            code, backtrace, ..
        } => {
            assert_eq!(*code, TrapCode::StackOverflow, "{err}");
            assert!(
                backtrace.as_deref().is_some_and(|bt| bt.contains("dive")),
                "{err}: {backtrace:?}"
            );
        }
        other => panic!("expected a trap, got {other}"),
    }
}
