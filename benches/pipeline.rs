//! Criterion benchmarks of each stage of `difyx template`, in process:
//! values parse, merge (coalesce over the chart defaults), schema check,
//! engine build (template parse), render, manifests (split, sort, frame),
//! validate, and the whole pipeline — over three inputs: no values (the
//! chart defaults), the ~3,400-line production values file with
//! ExternalSecrets on, and a synthetic file of 20,000 keys; plus the
//! values parse at 1k / 10k / 100k keys for the slope.
//!
//! `cargo bench --bench pipeline` (add `-- values_parse` to pick a group).
//! Whole-process figures (start-up, peak RSS) come from `scripts/bench.sh`.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};

use difyx::chart::Chart;
use difyx::engine::{Engine, Release};
use difyx::manifests;
use difyx::pipeline::{self, Options, UserValues, ValuesFile};

use difyx::values::merge::coalesce;
use difyx::values::yaml::parse_values;
use difyx::values::{schema, Map};

/// The synthetic values file `scripts/bench.sh` writes: `keys` leaves in
/// groups of 100 under `extra` (keys the chart never reads), ESO on.
pub fn synthetic(keys: usize) -> String {
    let mut s = String::from("# synthetic values\nexternalSecret:\n  enabled: true\nextra:\n");
    for i in 0..keys {
        if i % 100 == 0 {
            let _ = writeln!(s, "  group{:05}:", i / 100);
        }
        let _ = writeln!(s, "    key{:03}: \"value-{i:06}\"", i % 100);
    }
    s
}

fn inputs() -> Vec<(&'static str, String)> {
    let production = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/production-values.yaml"
    ))
    .expect("tests/fixtures/production-values.yaml");
    vec![
        ("default", String::new()),
        ("production", production),
        ("synthetic-20k", synthetic(20_000)),
    ]
}

fn options() -> Options {
    Options::new(Release::install("dify", "dify"))
}

fn user(text: &str) -> UserValues {
    let files = if text.is_empty() {
        Vec::new()
    } else {
        vec![ValuesFile {
            name: "values.yaml".into(),
            text: text.to_owned(),
        }]
    };
    UserValues {
        files,
        sets: Vec::new(),
    }
}

fn stages(c: &mut Criterion) {
    let chart = Chart::dify("0.27.0");
    let engine = Engine::new(&chart).expect("the embedded chart compiles");
    let opts = options();

    c.bench_function("chart_load/embedded", |b| b.iter(|| Chart::dify("0.37.0")));
    c.bench_function("engine_build/embedded", |b| {
        b.iter(|| Engine::new(black_box(&chart)).unwrap())
    });
    if let Some(json) = &chart.schema {
        c.bench_function("schema_compile/jsonschema", |b| {
            b.iter(|| schema::parse_schema("dify/values.schema.json", black_box(json)).unwrap())
        });
    }

    for (name, text) in inputs() {
        let parsed: Map = parse_values(&text, "values.yaml").unwrap();
        let mut warnings = Vec::new();
        let values = coalesce(&chart.name, &chart.values, parsed.clone(), &mut warnings);

        let mut g = c.benchmark_group("values_parse");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| parse_values(black_box(&text), "values.yaml").unwrap())
        });
        g.finish();

        c.benchmark_group("merge").bench_function(name, |b| {
            b.iter_batched(
                || parsed.clone(),
                |user| coalesce(&chart.name, &chart.values, user, &mut Vec::new()),
                BatchSize::SmallInput,
            )
        });

        if let Some(json) = &chart.schema {
            let mut g = c.benchmark_group("schema_check");
            let compiled = schema::parse_schema("dify/values.schema.json", json).unwrap();
            g.bench_function(BenchmarkId::new("jsonschema", name), |b| {
                b.iter(|| compiled.validate(&chart.name, black_box(&values)))
            });
            g.finish();
        }

        let rendered = engine
            .render(values.clone(), &opts.release, &opts.capabilities)
            .unwrap();
        c.benchmark_group("render").bench_function(name, |b| {
            b.iter_batched(
                || values.clone(),
                |v| engine.render(v, &opts.release, &opts.capabilities).unwrap(),
                BatchSize::SmallInput,
            )
        });

        let mut docs = manifests::split(&chart.name, &rendered.files).unwrap();
        manifests::sort_by_kind(&mut docs);
        c.benchmark_group("emit").bench_function(name, |b| {
            b.iter(|| {
                let mut m = manifests::split(&chart.name, black_box(&rendered.files)).unwrap();
                manifests::sort_by_kind(&mut m);
                manifests::format_stream(&m)
            })
        });

        c.benchmark_group("validate").bench_function(name, |b| {
            b.iter(|| manifests::validate::validate(black_box(&docs)))
        });

        let user = user(&text);
        let mut g = c.benchmark_group("whole");
        g.bench_function(BenchmarkId::new("engine_reused", name), |b| {
            b.iter(|| pipeline::template_with(&engine, &chart, black_box(&user), &opts).unwrap())
        });
        g.bench_function(BenchmarkId::new("chart_and_engine_built", name), |b| {
            b.iter(|| {
                let chart = Chart::dify("0.27.0");
                pipeline::template(&chart, black_box(&user), &opts).unwrap()
            })
        });
        g.finish();
    }
}

/// The values parse at 1k, 10k and 100k keys: the cost per key should not grow.
fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("values_parse_scaling");
    g.sample_size(20);
    for keys in [1_000, 10_000, 100_000] {
        let text = synthetic(keys);
        g.throughput(Throughput::Elements(keys as u64));
        g.bench_with_input(BenchmarkId::from_parameter(keys), &text, |b, text| {
            b.iter(|| parse_values(black_box(text), "values.yaml").unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, stages, scaling);
criterion_main!(benches);
