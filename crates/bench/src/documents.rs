//! The document service (issue 21): rendering and sealing a two-page decision, verifying it,
//! appending a later mark, and the memory sixteen renders at once take — each beside one bare
//! SM2 signature, the floor of any sealed file.

use std::time::Instant;

use chrono::{DateTime, Utc};
use tongban_documents::pdf::{self, Look};
use tongban_documents::seal::{LocalSeal, SealService};
use tongban_documents::sign::{self, Mark, Signing};
use tongban_documents::{ca, keys, ofd, verify};
use tongban_domain::document::seal;
use tongban_domain::document::{Document, Subject, SubjectKind};

use crate::report::{quantile, Report};
use crate::{Plan, Res};

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default()
}

/// A decision of two pages: twelve paragraphs of the usual length.
fn decision() -> Document {
    let mut p = vec!["清江市某某餐饮管理有限公司：".to_string()];
    for _ in 0..12 {
        p.push("你（单位）申请的“食品经营许可”（办件编号 3602002026112100001），经审查，符合法定条件、标准，根据《中华人民共和国行政许可法》第三十八条的规定，决定准予行政许可，发给《食品经营许可证》。".into());
    }
    p.push("2026年11月21日".into());
    Document {
        number: "准3602002026112100001".into(),
        kind: "case.approval".into(),
        title: "准予行政许可决定书".into(),
        paragraphs: p,
        fields: vec![],
        department_id: 1,
        agency: "清江市市场监督管理局".into(),
        subject: Subject {
            kind: SubjectKind::Case,
            id: 1,
            reference: "3602002026112100001".into(),
        },
        issued_at: at(),
    }
}

fn look() -> Look {
    Look {
        seal: Some(seal::design(
            "清江市市场监督管理局",
            "电子印章",
            "2026.11.21 10:32",
        )),
        verify_url: Some("http://127.0.0.1:8080/verify/准3602002026112100001?code=7K3P9Q".into()),
        verify_code: Some("7K3P9Q".into()),
        cross_page_seal: true,
    }
}

fn signing() -> Signing<'static> {
    Signing {
        at: at(),
        name: "清江市市场监督管理局",
        reason: "准予行政许可决定书",
        document_id: "D1-7K3P9Q",
    }
}

fn pdf_sealed(doc: &Document, seal: &dyn SealService) -> Res<Vec<u8>> {
    let raw = pdf::render(doc, &look())?;
    Ok(sign::sign(&raw, seal, &signing(), None)?)
}

/// Times `n` runs of `f`: (p50, p99) in milliseconds.
fn timed(n: usize, mut f: impl FnMut() -> Res<()>) -> Res<(f64, f64)> {
    let mut ms = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f()?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    Ok((quantile(&ms, 0.5), quantile(&ms, 0.99)))
}

/// The process's peak resident memory (VmHWM) in MiB, and a reset of it (Linux only).
fn peak_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn current_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

pub async fn section(plan: &Plan, report: &mut Report) -> Res<()> {
    let n = if plan.full { 400 } else { 100 };
    let ca_key = keys::generate()?;
    let root = ca::root(&ca_key, "清江市通办平台", at(), 20)?;
    let key = keys::generate()?;
    let cert = ca::issue(
        &ca_key,
        &root,
        "清江市市场监督管理局",
        key.verifying_key(),
        2,
        at(),
        5,
    )?;
    let seal = LocalSeal::new(key, vec![cert, root.clone()]);
    let doc = decision();
    let file = pdf_sealed(&doc, &seal)?;
    let pages = verify::read(&file, &root)
        .map(|r| r.intact())
        .map_err(|e| format!("the sample does not verify: {e}"))?;
    if !pages {
        return Err("the sample does not verify".into());
    }

    // The floor: one SM2/SM3 signature over a signed-attributes-sized message.
    let (sig50, sig99) = timed(n, || {
        seal.sign(&[7u8; 120])?;
        Ok(())
    })?;
    report.add(
        "Documents: one bare SM2 signature p50 / p99",
        sig50,
        &format!("ms p50 (p99 {sig99:.2} ms)"),
    );
    let (r50, r99) = timed(n, || {
        pdf_sealed(&doc, &seal)?;
        Ok(())
    })?;
    report.add(
        "Documents: render and seal a two-page decision (PDF) p50 / p99",
        r50,
        &format!(
            "ms p50 (p99 {r99:.1} ms; target p99 ≤ 50 ms; file {} KB)",
            file.len() / 1024
        ),
    );
    let (v50, v99) = timed(n, || {
        verify::read(&file, &root)?;
        Ok(())
    })?;
    report.add(
        "Documents: verify the sealed decision p50 / p99",
        v50,
        &format!("ms p50 (p99 {v99:.2} ms; target p99 ≤ 10 ms)"),
    );
    let mark = Mark {
        text: "本文书已于2026年11月23日 10:05送达（窗口领取）".into(),
    };
    let (m50, m99) = timed(n, || {
        sign::sign(&file, &seal, &signing(), Some(&mark))?;
        Ok(())
    })?;
    report.add(
        "Documents: append a signed delivery stamp p50 / p99",
        m50,
        &format!("ms p50 (p99 {m99:.2} ms)"),
    );
    let ofd_file = ofd::render_signed(&doc, &look(), &seal, "D1-7K3P9Q", at())?;
    let (o50, o99) = timed(n, || {
        ofd::render_signed(&doc, &look(), &seal, "D1-7K3P9Q", at())?;
        Ok(())
    })?;
    report.add(
        "Documents: render and seal the decision as OFD p50 / p99",
        o50,
        &format!(
            "ms p50 (p99 {o99:.1} ms; file {} KB)",
            ofd_file.len() / 1024
        ),
    );

    // Sixteen renders at once, on sixteen threads: the peak memory above what the process
    // held before.
    let before = current_mib();
    let reset = reset_peak();
    let t = Instant::now();
    std::thread::scope(|s| -> Res<()> {
        let handles: Vec<_> = (0..16)
            .map(|_| s.spawn(|| pdf_sealed(&decision(), &seal).map(|f| f.len())))
            .collect();
        for h in handles {
            h.join().map_err(|_| "a render thread panicked")??;
        }
        Ok(())
    })?;
    let wall = t.elapsed().as_secs_f64() * 1000.0;
    if let (Some(b), Some(p), true) = (before, peak_mib(), reset) {
        report.add(
            "Documents: peak memory while 16 decisions render at once",
            p - b,
            &format!("MiB above the {b:.0} MiB held before ({wall:.0} ms for all 16)"),
        );
    }
    Ok(())
}
