//! Builds the guest in a directory and prints the component's path: what `evident build` does,
//! without the host.
//!
//! `cargo run -p evident-build --example build -- guests/event-counter`

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let options = evident_build::BuildOptions {
        verbose: true,
        ..Default::default()
    };
    match evident_build::build_guest(dir.as_ref(), &options) {
        Ok(built) => println!("{}", built.component.display()),
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(1);
        }
    }
}
