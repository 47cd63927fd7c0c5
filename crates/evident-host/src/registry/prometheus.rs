//! The Prometheus exporter (feature `prometheus`): the registry's snapshots, encoded by
//! `prometheus-client`.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

use crate::metrics::ErrorKind;
use crate::metrics::MetricsSnapshot;
use crate::registry::{ComponentInfo, Registry};

impl Registry {
    /// Every registered version's metrics in the Prometheus text exposition format, labelled
    /// `component` and `version`: `evident_component_calls_total`, `..._events_total`,
    /// `..._errors_total` (by `kind`), `..._fuel_consumed_total`,
    /// `..._peak_memory_bytes` and the histogram `..._call_duration_seconds`.
    pub fn encode_prometheus(&self) -> String {
        let mut registry = prometheus_client::registry::Registry::default();
        registry.register_collector(Box::new(Snapshots(self.metrics())));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry)
            .expect("encoding into a String cannot fail");
        text
    }
}

#[derive(Debug)]
struct Snapshots(Vec<(ComponentInfo, MetricsSnapshot)>);

type Labels = Vec<(&'static str, String)>;

fn labels(info: &ComponentInfo) -> Labels {
    vec![
        ("component", info.name.clone()),
        ("version", info.version.to_string()),
    ]
}

impl Snapshots {
    fn counter(
        &self,
        encoder: &mut DescriptorEncoder,
        name: &str,
        help: &str,
        value: impl Fn(&MetricsSnapshot) -> u64,
    ) -> std::fmt::Result {
        let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
        for (info, snapshot) in &self.0 {
            let labels = labels(info);
            let family = metric.encode_family(&labels)?;
            ConstCounter::new(value(snapshot)).encode(family)?;
        }
        Ok(())
    }
}

impl Collector for Snapshots {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        self.counter(&mut encoder, "evident_component_calls", "Calls made", |s| {
            s.calls
        })?;
        self.counter(
            &mut encoder,
            "evident_component_events",
            "Events applied",
            |s| s.events,
        )?;
        self.counter(
            &mut encoder,
            "evident_component_fuel_consumed",
            "Fuel used by all calls",
            |s| s.fuel_consumed,
        )?;
        let mut errors = encoder.encode_descriptor(
            "evident_component_errors",
            "Failed calls by kind",
            None,
            MetricType::Counter,
        )?;
        for (info, snapshot) in &self.0 {
            for kind in ErrorKind::ALL {
                let mut labels = labels(info);
                labels.push(("kind", kind.as_str().to_owned()));
                let family = errors.encode_family(&labels)?;
                ConstCounter::new(snapshot.errors_of(kind)).encode(family)?;
            }
        }
        let mut memory = encoder.encode_descriptor(
            "evident_component_peak_memory_bytes",
            "The largest linear memory any call saw",
            None,
            MetricType::Gauge,
        )?;
        for (info, snapshot) in &self.0 {
            let labels = labels(info);
            let family = memory.encode_family(&labels)?;
            let peak = i64::try_from(snapshot.peak_memory_bytes).unwrap_or(i64::MAX);
            ConstGauge::new(peak).encode(family)?;
        }
        let mut latency = encoder.encode_descriptor(
            "evident_component_call_duration_seconds",
            "How long calls took",
            None,
            MetricType::Histogram,
        )?;
        for (info, snapshot) in &self.0 {
            let buckets: Vec<(f64, u64)> = snapshot
                .latency
                .buckets
                .iter()
                .map(|(bound, count)| (bound.map_or(f64::INFINITY, |b| b.as_secs_f64()), *count))
                .collect();
            let labels = labels(info);
            let mut family = latency.encode_family(&labels)?;
            family.encode_histogram::<Labels>(
                snapshot.latency.total.as_secs_f64(),
                snapshot.latency.count(),
                &buckets,
                None,
            )?;
        }
        Ok(())
    }
}
