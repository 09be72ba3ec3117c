//! The table every run prints, and the same rows as JSON.

use serde::Serialize;

/// One figure beside the limit it is measured against.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub metric: String,
    pub value: f64,
    pub unit: String,
    /// The physical limit measured in the same run, in the same unit, when there is one.
    pub limit: Option<f64>,
    pub limit_name: Option<String>,
    /// `value / limit`.
    pub ratio: Option<f64>,
}

#[derive(Debug, Default)]
pub struct Report {
    pub rows: Vec<Row>,
}

impl Report {
    pub fn add(&mut self, metric: impl Into<String>, value: f64, unit: &str) {
        self.push(metric, value, unit, None);
    }

    pub fn against(
        &mut self,
        metric: impl Into<String>,
        value: f64,
        unit: &str,
        limit_name: &str,
        limit: f64,
    ) {
        self.push(metric, value, unit, Some((limit_name, limit)));
    }

    fn push(&mut self, metric: impl Into<String>, value: f64, unit: &str, l: Option<(&str, f64)>) {
        let row = Row {
            metric: metric.into(),
            value,
            unit: unit.to_string(),
            limit: l.map(|(_, v)| v),
            limit_name: l.map(|(n, _)| n.to_string()),
            ratio: l.and_then(|(_, v)| (v > 0.0).then(|| value / v)),
        };
        eprintln!("  {}", line(&row));
        self.rows.push(row);
    }

    pub fn print(&self) {
        println!("| metric | value | unit | limit (same run) | ratio |");
        println!("|---|---|---|---|---|");
        for r in &self.rows {
            println!(
                "| {} | {} | {} | {} | {} |",
                r.metric,
                fmt(r.value),
                r.unit,
                match (&r.limit_name, r.limit) {
                    (Some(n), Some(v)) => format!("{} ({n})", fmt(v)),
                    _ => "—".into(),
                },
                r.ratio.map_or("—".into(), |x| format!("{x:.2}")),
            );
        }
    }
}

fn line(r: &Row) -> String {
    match (r.limit, r.ratio) {
        (Some(l), Some(x)) => format!(
            "{}: {} {} (limit {}, ratio {x:.2})",
            r.metric,
            fmt(r.value),
            r.unit,
            fmt(l)
        ),
        _ => format!("{}: {} {}", r.metric, fmt(r.value), r.unit),
    }
}

fn fmt(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// The value at quantile `q` of sorted samples.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}
