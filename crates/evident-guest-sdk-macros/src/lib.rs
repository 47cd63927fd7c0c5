//! The attributes that turn a guest author's impl into an Evident component.
//!
//! `#[state_view]` goes on `impl StateView for T`, `#[state_change]` on `impl StateChange for T`,
//! `#[database_decider]` on `impl DatabaseDecider for T` (world `database-decider`, whose
//! `decide` is handed the host's `database` resource wrapped as the SDK's `Database`). Each
//! keeps the impl as written and, when compiling for `wasm32`, adds a hidden module that
//! generates the world's bindings with wit-bindgen (reusing the SDK's shared types) and exports
//! `T` through them. The worlds are those of the release of `evident:db` in this crate's
//! `wit/evident.wit`, read from its `package` line. Use them through `evident_guest_sdk`, which
//! re-exports them:
//!
//! ```
//! use evident_guest_sdk::prelude::*;
//!
//! #[derive(Default, Serialize, Deserialize)]
//! struct Seen(u64);
//!
//! #[state_view]
//! impl StateView for Seen {
//!     type Codec = Cbor;
//!     fn initialize(_: &Parameters) -> Result<Self, ViewError> {
//!         Ok(Seen(0))
//!     }
//!     fn reduce(&mut self, _: &EventRef<'_>, _: &Parameters) -> Result<(), ViewError> {
//!         self.0 += 1;
//!         Ok(())
//!     }
//! }
//! # let state = evident_guest_sdk::view::reduce::<Seen>(&State::default(), &Event::new("1", "/", "t"), &Parameters::new()).unwrap();
//! # assert_eq!(&state.bytes[..], [0x01]);
//! ```

use std::path::{Path, PathBuf};

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use syn::{ItemImpl, parse_macro_input};

/// Exports an `impl StateView for T` as a state view component.
#[proc_macro_attribute]
pub fn state_view(attr: TokenStream, item: TokenStream) -> TokenStream {
    export(attr, item, Kind::View)
}

/// Exports an `impl StateChange for T` as a state change component.
#[proc_macro_attribute]
pub fn state_change(attr: TokenStream, item: TokenStream) -> TokenStream {
    export(attr, item, Kind::Change)
}

/// Exports an `impl DatabaseDecider for T` as a `database-decider` component.
#[proc_macro_attribute]
pub fn database_decider(attr: TokenStream, item: TokenStream) -> TokenStream {
    export(attr, item, Kind::DatabaseDecider)
}

/// Exports an `impl Validator for T` as a `validator-component` component.
#[proc_macro_attribute]
pub fn validator(attr: TokenStream, item: TokenStream) -> TokenStream {
    export(attr, item, Kind::Validator)
}

/// Exports an `impl Transform for T` as a `transform-component` component.
#[proc_macro_attribute]
pub fn transform(attr: TokenStream, item: TokenStream) -> TokenStream {
    export(attr, item, Kind::Transform)
}

#[derive(Clone, Copy)]
enum Kind {
    View,
    Change,
    DatabaseDecider,
    Validator,
    Transform,
}

impl Kind {
    fn trait_name(self) -> &'static str {
        match self {
            Kind::View => "StateView",
            Kind::Change => "StateChange",
            Kind::DatabaseDecider => "DatabaseDecider",
            Kind::Validator => "Validator",
            Kind::Transform => "Transform",
        }
    }
}

/// The WIT package the SDK was built against: this crate's copy of the repository's `wit/`
/// (a test in the host checks they are the same).
fn wit_dir() -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit");
    dir.canonicalize()
        .map_err(|e| format!("the Evident WIT package is not at {}: {e}", dir.display()))
}

/// The release of `evident:db` in `wit_dir` (`0.4.0`), read from its `package` line, so that
/// the release is written once, in the WIT, and the worlds and interfaces named here follow it.
fn wit_release(wit_dir: &Path) -> Result<String, String> {
    let path = wit_dir.join("evident.wit");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .find_map(|line| line.trim().strip_prefix("package evident:db@"))
        .map(|release| release.trim().trim_end_matches(';').trim().to_owned())
        .filter(|release| !release.is_empty())
        .ok_or_else(|| {
            format!(
                "{} has no `package evident:db@<release>;` line",
                path.display()
            )
        })
}

fn export(attr: TokenStream, item: TokenStream, kind: Kind) -> TokenStream {
    if !attr.is_empty() {
        let message = format!("#[{}] takes no arguments", attribute_name(kind));
        return syn::Error::new(Span::call_site(), message)
            .to_compile_error()
            .into();
    }
    let item_impl = parse_macro_input!(item as ItemImpl);
    match glue(&item_impl, kind) {
        Ok(glue) => quote! { #item_impl #glue }.into(),
        Err(error) => {
            let error = error.to_compile_error();
            quote! { #item_impl #error }.into()
        }
    }
}

fn attribute_name(kind: Kind) -> &'static str {
    match kind {
        Kind::View => "state_view",
        Kind::Change => "state_change",
        Kind::DatabaseDecider => "database_decider",
        Kind::Validator => "validator",
        Kind::Transform => "transform",
    }
}

fn glue(item_impl: &ItemImpl, kind: Kind) -> syn::Result<proc_macro2::TokenStream> {
    let trait_name = kind.trait_name();
    let implements_trait = item_impl
        .trait_
        .as_ref()
        .and_then(|(_, path, _)| path.segments.last())
        .is_some_and(|segment| segment.ident == trait_name);
    if !implements_trait {
        return Err(syn::Error::new_spanned(
            &item_impl.self_ty,
            format!(
                "#[{}] goes on `impl {trait_name} for YourType`",
                attribute_name(kind)
            ),
        ));
    }
    if !item_impl.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &item_impl.generics,
            "a component exports one concrete type: remove the generic parameters",
        ));
    }
    let wit_dir = wit_dir().map_err(|e| syn::Error::new(Span::call_site(), e))?;
    let release = wit_release(&wit_dir).map_err(|e| syn::Error::new(Span::call_site(), e))?;
    let wit_dir = wit_dir.to_string_lossy().into_owned();
    let self_ty = &item_impl.self_ty;
    let sdk = quote!(::evident_guest_sdk::__private);

    // The imports each world has, mapped to the SDK's shared bindings of them.
    let shared = |interface: &str| {
        let module = syn::Ident::new(&interface.replace('-', "_"), Span::call_site());
        let key = format!("evident:db/{interface}@{release}");
        quote!(#key: ::evident_guest_sdk::__private::bindings::evident::db::#module,)
    };
    let mut with = quote!();
    let imports: &[&str] = match kind {
        Kind::View => &["types", "logging", "refusal", "frame-progress"],
        Kind::Change => &["types", "logging", "refusal"],
        Kind::DatabaseDecider => &["types", "logging", "refusal", "database"],
        Kind::Validator | Kind::Transform => &["types", "logging"],
    };
    for interface in imports {
        with.extend(shared(interface));
    }
    let (module, world, guest_impl) = match kind {
        Kind::View => (
            quote!(__evident_state_view_component),
            "state-view-component",
            quote! {
                impl exports::evident::db::state_view::Guest for Component {
                    fn reduce(
                        state: State,
                        event: Event,
                        parameters: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                    ) -> ::std::result::Result<State, ::std::string::String> {
                        REDUCED.with(|slot| #sdk::export_view_reduce(slot, state, event, parameters))
                    }

                    fn initialize(
                        parameters: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                    ) -> ::std::result::Result<State, ::std::string::String> {
                        #sdk::export_view_initialize::<#self_ty>(parameters)
                    }
                }

                ::std::thread_local! {
                    static RESIDENT: #sdk::ResidentSlot<#self_ty> = const {
                        ::std::cell::RefCell::new(::std::option::Option::None)
                    };
                    static REDUCED: #sdk::ReducedSlot<#self_ty> = const {
                        ::std::cell::RefCell::new(::std::option::Option::None)
                    };
                }

                impl exports::evident::db::state_view_batch::Guest for Component {
                    fn load_state(
                        state: State,
                        parameters: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                    ) -> ::std::result::Result<(), ::std::string::String> {
                        RESIDENT.with(|slot| #sdk::export_view_load_state(slot, state, parameters))
                    }

                    fn apply_events(
                        events: ::std::vec::Vec<u8>,
                    ) -> ::std::result::Result<(), exports::evident::db::state_view_batch::BatchError> {
                        // SAFETY: `events` is the frame the host passed to this export.
                        RESIDENT.with(|slot| unsafe { #sdk::export_view_apply_events(slot, events) })
                            .map_err(|(index, message)| {
                                exports::evident::db::state_view_batch::BatchError { index, message }
                            })
                    }

                    fn save_state() -> ::std::result::Result<State, ::std::string::String> {
                        RESIDENT.with(|slot| #sdk::export_view_save_state(slot))
                    }
                }
            },
        ),
        Kind::Change => (
            quote!(__evident_state_change_component),
            "state-change-component",
            quote! {
                impl exports::evident::db::state_change::Guest for Component {
                    fn process(
                        state: State,
                        command: Command,
                        parameters: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                    ) -> ::std::result::Result<::std::vec::Vec<Event>, Error> {
                        #sdk::export_change_process::<#self_ty>(state, command, parameters)
                    }

                    fn validate(
                        state: State,
                        command: Command,
                    ) -> ::std::result::Result<bool, ::std::string::String> {
                        #sdk::export_change_validate::<#self_ty>(state, command)
                    }
                }
            },
        ),
        Kind::DatabaseDecider => (
            quote!(__evident_database_decider),
            "database-decider",
            quote! {
                impl exports::evident::db::decider::Guest for Component {
                    fn decide(
                        database: &#sdk::bindings::evident::db::database::Database,
                        command: Command,
                        parameters: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                    ) -> ::std::result::Result<exports::evident::db::decider::Decision, Error> {
                        #sdk::export_decide::<#self_ty>(database, command, parameters).map(
                            |(events, condition)| exports::evident::db::decider::Decision {
                                events,
                                condition: condition.map(|(fail_if_events_match, after)| {
                                    exports::evident::db::decider::AppendCondition {
                                        fail_if_events_match,
                                        after,
                                    }
                                }),
                            },
                        )
                    }
                }
            },
        ),
        Kind::Validator => (
            quote!(__evident_validator_component),
            "validator-component",
            quote! {
                impl exports::evident::db::validator::Guest for Component {
                    fn validate(
                        event: Event,
                        parameters: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                    ) -> ::std::result::Result<(), Error> {
                        #sdk::export_validate::<#self_ty>(event, parameters)
                    }

                    fn validate_events(
                        events: ::std::vec::Vec<u8>,
                        parameters: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                    ) -> ::std::result::Result<(), evident::db::frame_errors::FrameError> {
                        // SAFETY: `events` is the frame the host passed to this export.
                        unsafe { #sdk::export_validate_events::<#self_ty>(events, parameters) }.map_err(
                            |(index, error)| evident::db::frame_errors::FrameError { index, error },
                        )
                    }
                }
            },
        ),
        Kind::Transform => (
            quote!(__evident_transform_component),
            "transform-component",
            quote! {
                impl exports::evident::db::transform::Guest for Component {
                    fn transform(
                        event: Event,
                        parameters: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                    ) -> ::std::result::Result<::std::vec::Vec<Event>, Error> {
                        #sdk::export_transform::<#self_ty>(event, parameters)
                    }

                    fn transform_events(
                        events: ::std::vec::Vec<u8>,
                        parameters: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                    ) -> ::std::result::Result<::std::vec::Vec<u8>, evident::db::frame_errors::FrameError> {
                        // SAFETY: `events` is the frame the host passed to this export.
                        unsafe { #sdk::export_transform_events::<#self_ty>(events, parameters) }.map_err(
                            |(index, error)| evident::db::frame_errors::FrameError { index, error },
                        )
                    }
                }
            },
        ),
    };
    let world = format!("evident:db/{world}@{release}");

    Ok(quote! {
        #[cfg(target_arch = "wasm32")]
        #[doc(hidden)]
        #[allow(unsafe_code, missing_docs, unused_imports, clippy::all)]
        mod #module {
            use super::*;
            use ::evident_guest_sdk::__private::bindings::evident::db::types::{
                Command, Error, Event, State,
            };

            ::evident_guest_sdk::__private::wit_bindgen::generate!({
                world: #world,
                path: #wit_dir,
                runtime_path: "::evident_guest_sdk::__private::wit_bindgen::rt",
                with: { #with },
            });

            struct Component;

            #guest_impl

            export!(Component);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_release_is_read_from_the_package_line() {
        let dir = std::env::temp_dir().join(format!("evident-macros-wit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("evident.wit");
        std::fs::write(
            &file,
            "/// Docs.\npackage evident:db@9.8.7;\n\ninterface x {}\n",
        )
        .unwrap();
        assert_eq!(wit_release(&dir).as_deref(), Ok("9.8.7"));
        std::fs::write(&file, "package other:pkg@1.0.0;\n").unwrap();
        let error = wit_release(&dir).unwrap_err();
        assert!(error.contains("no `package evident:db@"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
        // This crate's own copy names a release.
        assert!(wit_release(&wit_dir().unwrap()).is_ok());
    }
}
