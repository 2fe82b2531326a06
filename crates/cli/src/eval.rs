//! `xinwen eval`: figures on public benchmarks, in their own metrics.

use anyhow::Context;
use std::path::Path;

pub fn extract(dataset: &Path, show_worst: bool) -> anyhow::Result<()> {
    let cases = xinwen_eval::extraction::load(dataset)
        .with_context(|| format!("cannot read the dataset in {}", dataset.display()))?;
    let report = xinwen_eval::extraction::evaluate(&cases);
    println!("dataset: {}", dataset.display());
    println!("pages: {}", report.pages);
    if let Some(a) = report.author_accuracy {
        println!("author accuracy: {a:.3}");
    }
    if let Some(d) = report.date_accuracy {
        println!("date accuracy: {d:.3}");
    }
    println!(
        "time: {:.3} s on one core ({:.1} ms per page)",
        report.elapsed.as_secs_f64(),
        report.elapsed.as_secs_f64() * 1000.0 / report.pages.max(1) as f64
    );
    if show_worst {
        for (id, f1) in &report.worst {
            println!("low: {f1:.3} {id}");
        }
    }
    println!(
        "f1={:.3} precision={:.3} recall={:.3} pages_per_s={:.1}",
        report.f1,
        report.precision,
        report.recall,
        report.pages_per_second()
    );
    Ok(())
}
