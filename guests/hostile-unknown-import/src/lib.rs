//! A hostile guest: a well-formed state view that also imports `hostile:unknown-import/secrets`.
//! The host must refuse it at load time, naming that import. Written with raw wit-bindgen,
//! since the SDK cannot express an import the host does not grant.
//!
//! ```no_run
//! use evident_testkit::guests::{component_bytes, runtime};
//!
//! let bytes = component_bytes("hostile-unknown-import")?;
//! let refused = runtime().load("hostile", &bytes).view().unwrap_err();
//! assert!(refused.to_string().contains("imports `hostile:unknown-import/secrets`"));
//! # Ok::<(), evident_testkit::guests::GuestLoadError>(())
//! ```

#![allow(unsafe_code, missing_docs)]

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({
        path: ["../../wit/versions/0.1.0", "wit"],
        world: "hostile:unknown-import/guest",
        generate_all,
    });

    use exports::evident::db::state_view::{Guest, State};

    struct Component;

    impl Guest for Component {
        fn reduce(
            _state: State,
            _event: exports::evident::db::state_view::Event,
            _parameters: Vec<(String, String)>,
        ) -> Result<State, String> {
            let secret = hostile::unknown_import::secrets::read_secret("database-password");
            Ok(State {
                content_type: "text/plain".into(),
                schema_id: None,
                bytes: secret.into_bytes(),
            })
        }

        fn initialize(_parameters: Vec<(String, String)>) -> Result<State, String> {
            Err("never loaded".into())
        }
    }

    export!(Component);
}
