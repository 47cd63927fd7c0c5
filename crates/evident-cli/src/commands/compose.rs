//! `evident compose`: plug a component's imports with other components' exports (the Bytecode
//! Alliance's `wac-graph`, as `wac plug` does) into one component this host loads.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions, NodeKind, PackageId, PlugError, Processor};

use crate::component;
use crate::output;

/// Plug a component's imports with the exports of provider components, into one component.
#[derive(Args)]
#[command(
    after_help = "Example:\n  evident compose guests/money-view --with guests/stdlib -o money.wasm\n  evident fold money.wasm --events guests/money-view/events.jsonl\n\nEvery import the providers export is plugged; what stays unplugged must be an import this host\nprovides (evident:db's, and WASI with --wasi), and the output must load in this host, or\nno file is left at the output path."
)]
pub(crate) struct ComposeCommand {
    /// The component whose imports are plugged: a .wasm, or a guest directory (built first).
    component: PathBuf,
    /// A component whose exports plug the imports (a .wasm or a guest directory); repeat it
    /// for more. Each must plug at least one import.
    #[arg(long = "with", value_name = "PROVIDER", required = true)]
    providers: Vec<PathBuf>,
    /// The composed component to write.
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
    /// Check the composition as the deny-all WASI mode would load it (Python, JavaScript and
    /// Go components need it).
    #[arg(long)]
    wasi: bool,
}

/// A component given on the command line, read.
struct Input {
    file: PathBuf,
    bytes: Vec<u8>,
    needs_wasi: bool,
}

impl Input {
    fn read(path: &Path) -> Result<Self> {
        let (file, needs_wasi) = component::component_file(path)?;
        let bytes =
            std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        Ok(Input {
            file,
            bytes,
            needs_wasi,
        })
    }

    /// Registers the component with the graph under `name`.
    fn register(&self, graph: &mut CompositionGraph, name: &str) -> Result<PackageId> {
        let package = Package::from_bytes(name, None, self.bytes.clone(), graph.types_mut())
            .with_context(|| format!("{} is not a component", self.file.display()))?;
        Ok(graph.register_package(package)?)
    }
}

impl ComposeCommand {
    /// Composes and writes the result, keeps it only if this host loads it, and prints its path.
    pub(crate) fn execute(self) -> Result<ExitCode> {
        let socket = Input::read(&self.component)?;
        let providers = self
            .providers
            .iter()
            .map(|path| Input::read(path))
            .collect::<Result<Vec<_>>>()?;
        let wasi = self.wasi || socket.needs_wasi || providers.iter().any(|p| p.needs_wasi);

        let mut graph = CompositionGraph::new();
        let socket_id = socket.register(&mut graph, "socket")?;
        let provider_ids = providers
            .iter()
            .enumerate()
            .map(|(i, provider)| provider.register(&mut graph, &format!("provider{i}")))
            .collect::<Result<Vec<_>>>()?;
        match wac_graph::plug(&mut graph, provider_ids.clone(), socket_id) {
            Ok(()) => {}
            Err(PlugError::NoPlugHappened) => bail!(
                "nothing to plug: none of the providers exports an import of {} (it imports {})",
                socket.file.display(),
                names(graph.types()[graph[socket_id].ty()].imports.keys())
            ),
            Err(error) => {
                return Err(anyhow::Error::from(error))
                    .context(format!("cannot compose {}", socket.file.display()));
            }
        }
        let plugged = plugged_by(&graph, socket_id);
        for (provider, id) in providers.iter().zip(&provider_ids) {
            if !plugged.iter().any(|(_, by)| by == id) {
                bail!(
                    "{} plugs nothing: it exports {}, none of which matches an import of {} (it imports {})",
                    provider.file.display(),
                    names(graph.types()[graph[*id].ty()].exports.keys()),
                    socket.file.display(),
                    names(graph.types()[graph[socket_id].ty()].imports.keys())
                );
            }
        }
        let composed = graph
            .encode(EncodeOptions {
                processor: Some(Processor {
                    name: "evident compose",
                    version: env!("CARGO_PKG_VERSION"),
                }),
                ..EncodeOptions::default()
            })
            .context("cannot encode the composition")?;

        let output = &self.output;
        std::fs::write(output, &composed)
            .with_context(|| format!("cannot write {}", output.display()))?;
        let runtime = component::runtime(None)?;
        let loaded = match component::load_any(&runtime, output, wasi) {
            Ok(loaded) => loaded,
            Err(error) => {
                // A composition the host refuses is not left behind.
                let _ = std::fs::remove_file(output);
                let unplugged = error.chain().find_map(|cause| {
                    match cause.downcast_ref::<evident_host::Error>() {
                        Some(evident_host::Error::ForbiddenImport { import, .. }) => {
                            Some(import.clone())
                        }
                        _ => None,
                    }
                });
                match unplugged {
                    Some(import) => bail!(
                        "`{import}` stays unplugged: no provider exports it and this host does not provide it; add a --with component that exports it ({error:#})"
                    ),
                    None => bail!("this host does not load the composition: {error:#}"),
                }
            }
        };
        println!("{}", output.display());
        let plugged: Vec<String> = providers
            .iter()
            .zip(&provider_ids)
            .map(|(provider, id)| {
                let mut imports: Vec<&str> = plugged
                    .iter()
                    .filter(|(_, by)| by == id)
                    .map(|(import, _)| import.as_str())
                    .collect();
                imports.sort_unstable();
                format!("{} from {}", imports.join(", "), provider.file.display())
            })
            .collect();
        eprintln!(
            "composed {} ({}): plugged {}; this host loads it as a {}",
            output.display(),
            output::size(composed.len() as u64),
            plugged.join("; "),
            loaded.kind().label()
        );
        let memories = memories(&composed);
        if memories > 1 {
            eprintln!(
                "it has {memories} linear memories (one per component joined): run it with --limit-memories {memories}"
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The imports of the socket that the composition plugged, and the provider that plugged each.
fn plugged_by(graph: &CompositionGraph, socket: PackageId) -> Vec<(String, PackageId)> {
    let Some(instantiation) = graph.node_ids().find(|id| {
        matches!(graph[*id].kind(), NodeKind::Instantiation(_))
            && graph[*id].package() == Some(socket)
    }) else {
        return Vec::new();
    };
    graph
        .get_instantiation_arguments(instantiation)
        .filter_map(|(import, argument)| {
            let (instance, _export) = graph.get_alias_source(argument)?;
            Some((import.to_owned(), graph[instance].package()?))
        })
        .collect()
}

/// The linear memories the modules of `component` define: what `--limit-memories` must allow.
fn memories(component: &[u8]) -> u32 {
    wasmparser::Parser::new(0)
        .parse_all(component)
        .filter_map(|payload| match payload {
            Ok(wasmparser::Payload::MemorySection(section)) => Some(section.count()),
            _ => None,
        })
        .sum()
}

/// Import or export names for a message, `nothing` for none.
fn names<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        "nothing".to_owned()
    } else {
        names.join(", ")
    }
}
