//! What a guest tells the host as it goes: which event of a frame it is at (`frame-progress`),
//! and the code of the refusal it is about to return (`refusal`). Natively both do nothing.

use evident_types::GuestError;

/// Tells the host the next event of the frame starts, so it gets the limits of one call.
#[inline]
pub(crate) fn begin_event() {
    #[cfg(target_arch = "wasm32")]
    crate::__private::bindings::evident::db::frame_progress::begin_event();
}

/// Gives the refusal the current export is about to return its code and details.
pub(crate) fn refuse(error: &GuestError) {
    #[cfg(target_arch = "wasm32")]
    {
        use crate::__private::bindings::evident::db::{refusal, types};
        refusal::refuse(&types::Error {
            code: error.code.clone(),
            message: error.message.clone(),
            details: error.details.as_ref().map(|d| d.to_vec()),
        });
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = error;
}
