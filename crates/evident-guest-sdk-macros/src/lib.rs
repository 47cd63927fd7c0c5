//! The attributes that turn a guest author's impl into an Evident component.
//!
//! `#[state_view]` goes on `impl StateView for T`, `#[state_change]` on `impl StateChange for T`.
//! Each keeps the impl as written and, when compiling for `wasm32`, adds a hidden module that
//! generates the world's bindings with wit-bindgen (reusing the SDK's shared types) and exports
//! `T` through them. Use them through `evident_guest_sdk`, which re-exports both:
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

#[derive(Clone, Copy)]
enum Kind {
    View,
    Change,
}

impl Kind {
    fn trait_name(self) -> &'static str {
        match self {
            Kind::View => "StateView",
            Kind::Change => "StateChange",
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
    let wit_dir = wit_dir.to_string_lossy().into_owned();
    let self_ty = &item_impl.self_ty;
    let sdk = quote!(::evident_guest_sdk::__private);

    // The imports each world has, mapped to the SDK's shared bindings of them.
    let shared = |interface: &str| {
        let module = syn::Ident::new(&interface.replace('-', "_"), Span::call_site());
        let key = format!("evident:db/{interface}@0.3.0");
        quote!(#key: ::evident_guest_sdk::__private::bindings::evident::db::#module,)
    };
    let mut with = quote!();
    let imports: &[&str] = match kind {
        Kind::View => &["types", "logging", "refusal", "frame-progress"],
        Kind::Change => &["types", "logging", "refusal"],
    };
    for interface in imports {
        with.extend(shared(interface));
    }
    let (module, world, guest_impl) = match kind {
        Kind::View => (
            quote!(__evident_state_view_component),
            "evident:db/state-view-component@0.3.0",
            quote! {
                impl exports::evident::db::state_view::Guest for Component {
                    fn reduce(
                        state: State,
                        event: Event,
                        parameters: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                    ) -> ::std::result::Result<State, ::std::string::String> {
                        #sdk::export_view_reduce::<#self_ty>(state, event, parameters)
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
                        RESIDENT.with(|slot| #sdk::export_view_apply_events(slot, events))
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
            "evident:db/state-change-component@0.3.0",
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
    };

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
