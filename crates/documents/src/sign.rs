//! Sealing a PDF. The rendered file is never rewritten: the signature goes in as an incremental
//! update (a signature field on the first page, its /Sig dictionary and the form), and its
//! /ByteRange covers every byte of the file but the signature itself. A later mark (a delivery
//! stamp, a revocation note) is appended the same way and signed again, so the first signature
//! stays valid and the last always covers the whole file.
//!
//! The objects are written by pdf-writer's rules of syntax (names, strings, references); the
//! reading here is only of files this module and krilla wrote: their trailer, the catalog and
//! the first page.

use chrono::{DateTime, FixedOffset, Utc};

use crate::cms;
use crate::seal::SealService;
use crate::Error;

/// Room for the CMS signature (the chain of two certificates and the signed attributes).
const CONTENTS_BYTES: usize = 6144;
const RANGE_WIDTH: usize = 10;

/// A visible note added after signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub text: String,
}

/// What the signature dictionary says besides the signature.
#[derive(Debug, Clone)]
pub struct Signing<'a> {
    pub at: DateTime<Utc>,
    /// The signer's name as a viewer shows it.
    pub name: &'a str,
    pub reason: &'a str,
    /// The document's id in the register (ASCII), so a damaged copy can still be named.
    pub document_id: &'a str,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn int_after(hay: &[u8], from: usize) -> Option<(u64, usize)> {
    let mut i = from;
    while i < hay.len() && hay[i].is_ascii_whitespace() {
        i += 1;
    }
    let start = i;
    while i < hay.len() && hay[i].is_ascii_digit() {
        i += 1;
    }
    std::str::from_utf8(&hay[start..i])
        .ok()?
        .parse()
        .ok()
        .map(|n| (n, i))
}

/// `/Key N 0 R` inside `dict`.
fn reference(dict: &[u8], key: &[u8]) -> Option<u64> {
    let mut k = key.to_vec();
    k.push(b' ');
    let at = find(dict, &k)? + k.len();
    int_after(dict, at).map(|(n, _)| n)
}

/// The text of the newest definition of object `n`, from `obj` to `endobj`.
fn object(pdf: &[u8], n: u64) -> Option<&[u8]> {
    let head = format!("\n{n} 0 obj");
    let start = rfind(pdf, head.as_bytes())? + head.len();
    let end = start + find(&pdf[start..], b"endobj")?;
    Some(&pdf[start..end])
}

/// The array after `/Key [` in `dict`, as written.
fn array<'a>(dict: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let at = find(dict, key)? + key.len();
    let open = at + find(&dict[at..], b"[")?;
    let close = open + find(&dict[open..], b"]")?;
    Some(&dict[open + 1..close])
}

/// `dict` (`<< … >>`) with `/Key …` entries removed and `extra` added before its end.
fn amend(dict: &[u8], drop: &[&[u8]], extra: &str) -> Result<String, Error> {
    let text = String::from_utf8_lossy(dict).to_string();
    let end = text
        .rfind(">>")
        .ok_or_else(|| Error::Pdf("dictionary without end".into()))?;
    let mut body = text[..end].to_string();
    for key in drop {
        let key = String::from_utf8_lossy(key).to_string();
        if let Some(at) = body.find(&format!("{key} ")) {
            // Our own entries are a reference or a one-level array.
            let rest = &body[at + key.len()..];
            let len = if rest.trim_start().starts_with('[') {
                rest.find(']').map(|i| i + 1)
            } else {
                rest.find(" R").map(|i| i + 2)
            };
            if let Some(len) = len {
                body.replace_range(at..at + key.len() + len, "");
            }
        }
    }
    Ok(format!("{}{extra}\n>>", body.trim_end()))
}

fn pdf_text(s: &str) -> String {
    // A text string in UTF-16BE with its byte-order mark, as hex.
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        out.push_str(&format!("{u:04X}"));
    }
    out.push('>');
    out
}

fn pdf_date(at: DateTime<Utc>) -> String {
    let cn = FixedOffset::east_opt(8 * 3600).map(|o| at.with_timezone(&o));
    match cn {
        Some(t) => format!("(D:{}+08'00')", t.format("%Y%m%d%H%M%S")),
        None => format!("(D:{}Z)", at.format("%Y%m%d%H%M%S")),
    }
}

/// Appends a signed revision to `pdf`: a signature (and, when given, a visible mark first).
pub fn sign(
    pdf: &[u8],
    seal: &dyn SealService,
    s: &Signing<'_>,
    mark: Option<&Mark>,
) -> Result<Vec<u8>, Error> {
    let bad = |m: &str| Error::Pdf(m.to_string());
    let sx = rfind(pdf, b"startxref").ok_or_else(|| bad("no startxref"))?;
    let (prev, _) = int_after(pdf, sx + 9).ok_or_else(|| bad("startxref"))?;
    let tr = rfind(&pdf[..sx], b"trailer").ok_or_else(|| bad("no trailer"))?;
    let trailer = &pdf[tr..sx];
    let size = {
        let at = find(trailer, b"/Size").ok_or_else(|| bad("no /Size"))? + 5;
        int_after(trailer, at).ok_or_else(|| bad("/Size"))?.0
    };
    let root = reference(trailer, b"/Root").ok_or_else(|| bad("no /Root"))?;
    let info = reference(trailer, b"/Info");
    let id = find(trailer, b"/ID").and_then(|at| {
        let close = at + find(&trailer[at..], b"]")?;
        Some(String::from_utf8_lossy(&trailer[at..=close]).to_string())
    });
    let catalog = object(pdf, root).ok_or_else(|| bad("no catalog"))?;
    let pages = reference(catalog, b"/Pages").ok_or_else(|| bad("no /Pages"))?;
    let kids = array(
        object(pdf, pages).ok_or_else(|| bad("no page tree"))?,
        b"/Kids",
    )
    .ok_or_else(|| bad("no /Kids"))?;
    let page_no = int_after(kids, 0).ok_or_else(|| bad("no page"))?.0;
    let page = object(pdf, page_no).ok_or_else(|| bad("no first page"))?;
    let old_annots = array(page, b"/Annots")
        .map(|a| String::from_utf8_lossy(a).trim().to_string())
        .unwrap_or_default();
    let old_fields = reference(catalog, b"/AcroForm")
        .and_then(|n| object(pdf, n))
        .and_then(|f| array(f, b"/Fields"))
        .map(|a| String::from_utf8_lossy(a).trim().to_string())
        .unwrap_or_default();

    let sig_no = size;
    let field_no = size + 1;
    let form_no = size + 2;
    let mark_no = size + 3;
    let next_size = if mark.is_some() { size + 4 } else { size + 3 };
    let revision = old_fields
        .split(" R")
        .filter(|s| !s.trim().is_empty())
        .count()
        + 1;

    let placeholder = "0".repeat(CONTENTS_BYTES * 2);
    let blank_range = format!("[0 {0} {0} {0}]", " ".repeat(RANGE_WIDTH));
    let mut objects: Vec<(u64, String)> = Vec::new();
    objects.push((
        sig_no,
        format!(
            "<<\n  /Type /Sig\n  /Filter /Adobe.PPKLite\n  /SubFilter /adbe.pkcs7.detached\n  /ByteRange {blank_range}\n  /Contents <{placeholder}>\n  /M {}\n  /Name {}\n  /Reason {}\n  /TB.Doc ({})\n>>",
            pdf_date(s.at),
            pdf_text(s.name),
            pdf_text(s.reason),
            s.document_id.replace(['(', ')', '\\'], "")
        ),
    ));
    objects.push((
        field_no,
        format!(
            "<<\n  /Type /Annot\n  /Subtype /Widget\n  /FT /Sig\n  /T (Signature{revision})\n  /V {sig_no} 0 R\n  /Rect [0 0 0 0]\n  /F 132\n  /P {page_no} 0 R\n>>"
        ),
    ));
    objects.push((
        form_no,
        format!("<<\n  /Fields [{old_fields} {field_no} 0 R]\n  /SigFlags 3\n>>"),
    ));
    let mut annots = format!("{old_annots} {field_no} 0 R");
    if let Some(m) = mark {
        objects.push((
            mark_no,
            format!(
                "<<\n  /Type /Annot\n  /Subtype /FreeText\n  /Rect [330 40 560 70]\n  /Contents {}\n  /DA (/Helv 10 Tf 0.8 0 0 rg)\n  /F 4\n  /M {}\n  /P {page_no} 0 R\n>>",
                pdf_text(&m.text),
                pdf_date(s.at)
            ),
        ));
        annots.push_str(&format!(" {mark_no} 0 R"));
    }
    objects.push((
        page_no,
        amend(
            page,
            &[b"/Annots"],
            &format!("\n  /Annots [{}]", annots.trim()),
        )?,
    ));
    objects.push((
        root,
        amend(
            catalog,
            &[b"/AcroForm"],
            &format!("\n  /AcroForm {form_no} 0 R"),
        )?,
    ));

    // Write the revision.
    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: Vec<(u64, usize)> = Vec::new();
    for (n, body) in &objects {
        offsets.push((*n, out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    let xref_at = out.len();
    offsets.sort_unstable();
    out.extend_from_slice(b"xref\n");
    let mut i = 0;
    while i < offsets.len() {
        let mut j = i;
        while j + 1 < offsets.len() && offsets[j + 1].0 == offsets[j].0 + 1 {
            j += 1;
        }
        out.extend_from_slice(format!("{} {}\n", offsets[i].0, j - i + 1).as_bytes());
        for (_, off) in &offsets[i..=j] {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        i = j + 1;
    }
    let mut trailer = format!("trailer\n<<\n  /Size {next_size}\n  /Root {root} 0 R\n");
    if let Some(info) = info {
        trailer.push_str(&format!("  /Info {info} 0 R\n"));
    }
    if let Some(id) = id {
        trailer.push_str(&format!("  {id}\n"));
    }
    trailer.push_str(&format!(
        "  /Prev {prev}\n>>\nstartxref\n{xref_at}\n%%EOF\n"
    ));
    out.extend_from_slice(trailer.as_bytes());

    // Fill in the byte range, then sign everything but the placeholder.
    let sig_at = offsets
        .iter()
        .find(|(n, _)| *n == sig_no)
        .map(|(_, o)| *o)
        .ok_or_else(|| bad("sig"))?;
    let open = sig_at
        + find(&out[sig_at..], b"/Contents <").ok_or_else(|| bad("contents"))?
        + "/Contents ".len();
    let close = open + placeholder.len() + 2;
    let range = [0, open, close, out.len() - close];
    let filled = format!(
        "[0 {:<w$} {:<w$} {:<w$}]",
        range[1],
        range[2],
        range[3],
        w = RANGE_WIDTH
    );
    let br =
        sig_at + find(&out[sig_at..], blank_range.as_bytes()).ok_or_else(|| bad("byte range"))?;
    out[br..br + filled.len()].copy_from_slice(filled.as_bytes());
    let digest = cms::sm3(&[&out[..open], &out[close..]]);
    let signature = cms::sign(seal, &digest, s.at)?;
    if signature.len() > CONTENTS_BYTES {
        return Err(bad("signature larger than its room"));
    }
    let hex = hex::encode_upper(&signature);
    out[open + 1..open + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}
