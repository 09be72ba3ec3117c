//! Reading the signatures of a file back: every /Sig dictionary of a PDF with its byte range,
//! CMS and document id, checked against the bytes and the deployment's root certificate. What
//! the verdict is (valid, altered, revoked, unknown) needs the register too, so it is the
//! application's to say; this module reports what the bytes show.

use chrono::{DateTime, Utc};
use tongban_domain::document::{Format, VerifyError};
use x509_cert::Certificate;

use crate::cms::{self, Parsed};

/// One signature as found in the file.
#[derive(Debug, Clone)]
pub struct Found {
    pub byte_range: [usize; 4],
    /// The document id the signing dictionary names (`/TB.Doc`).
    pub document_id: Option<String>,
    /// The CMS, when it could be read.
    pub cms: Option<Parsed>,
    /// The byte range is well formed, excludes exactly the signature, and its digest matches.
    pub digest_ok: bool,
    /// The SM2 signature over the signed attributes checks with the signer's certificate.
    pub signature_ok: bool,
}

impl Found {
    pub fn intact(&self) -> bool {
        self.digest_ok && self.signature_ok
    }

    pub fn end(&self) -> usize {
        self.byte_range[2] + self.byte_range[3]
    }

    pub fn signer(&self) -> Option<&Certificate> {
        self.cms.as_ref().map(|c| &c.signer)
    }

    pub fn signing_time(&self) -> Option<DateTime<Utc>> {
        self.cms.as_ref().and_then(|c| c.signing_time)
    }
}

/// What a file shows.
#[derive(Debug, Clone)]
pub struct Report {
    pub format: Format,
    /// In file order: the document's own signature first, later marks after it.
    pub signatures: Vec<Found>,
    /// A document id seen in the file even where no signature could be read.
    pub document_id: Option<String>,
    /// SM3 of the whole file.
    pub file_sm3: String,
}

impl Report {
    /// Every signature intact and the last one reaching the end of the file.
    pub fn intact(&self) -> bool {
        !self.signatures.is_empty() && self.signatures.iter().all(Found::intact)
    }

    pub fn first(&self) -> Option<&Found> {
        self.signatures.first()
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn ints(text: &[u8]) -> Option<[usize; 4]> {
    let s = std::str::from_utf8(text).ok()?;
    let v: Vec<usize> = s
        .split_ascii_whitespace()
        .map(|t| t.parse().ok())
        .collect::<Option<_>>()?;
    v.try_into().ok()
}

/// The largest file we read (a decision is a few hundred kilobytes).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// Reads the signatures of `bytes`, checking each signer against `root`.
pub fn read(bytes: &[u8], root: &Certificate) -> Result<Report, VerifyError> {
    if bytes.len() > MAX_BYTES {
        return Err(VerifyError::TooLarge);
    }
    let format = Format::sniff(bytes).ok_or(VerifyError::NotADocument)?;
    let file_sm3 = hex::encode(cms::sm3(&[bytes]));
    match format {
        Format::Pdf => read_pdf(bytes, root, file_sm3),
        Format::Ofd => crate::ofd::read(bytes, root, file_sm3),
    }
}

fn read_pdf(bytes: &[u8], root: &Certificate, file_sm3: String) -> Result<Report, VerifyError> {
    let mut signatures = Vec::new();
    let mut document_id = None;
    let mut from = 0;
    while let Some(at) = find(&bytes[from..], b"/ByteRange").map(|i| i + from) {
        from = at + 10;
        // The dictionary around it: from its `obj` to its `endobj`.
        let start = rfind(&bytes[..at], b" obj").unwrap_or(0);
        let end = find(&bytes[at..], b"endobj").map_or(bytes.len(), |i| at + i);
        let dict = &bytes[start..end];
        let id = find(dict, b"/TB.Doc (").and_then(|i| {
            let s = i + 9;
            let e = s + find(&dict[s..], b")")?;
            String::from_utf8(dict[s..e].to_vec()).ok()
        });
        if document_id.is_none() {
            document_id = id.clone();
        }
        let range = find(&bytes[at..end], b"[").and_then(|o| {
            let s = at + o + 1;
            let c = s + find(&bytes[s..end], b"]")?;
            ints(&bytes[s..c])
        });
        let contents = find(dict, b"/Contents <")
            .map(|i| start + i + "/Contents ".len())
            .and_then(|open| {
                let close = open + find(&bytes[open..end], b">")? + 1;
                Some((open, close))
            });
        let Some(range) = range else {
            signatures.push(Found {
                byte_range: [0; 4],
                document_id: id,
                cms: None,
                digest_ok: false,
                signature_ok: false,
            });
            continue;
        };
        let cms = contents
            .and_then(|(o, c)| hex::decode(&bytes[o + 1..c - 1]).ok())
            .and_then(|der| cms::parse(&der).ok());
        // The range must start at 0, leave out exactly the signature, and lie within the file.
        let shape_ok = range[0] == 0
            && contents == Some((range[1], range[2]))
            && range[2]
                .checked_add(range[3])
                .is_some_and(|e| e <= bytes.len());
        let digest_ok = shape_ok
            && cms.as_ref().is_some_and(|c| {
                c.covers(&cms::sm3(&[
                    &bytes[..range[1]],
                    &bytes[range[2]..range[2] + range[3]],
                ]))
            });
        let signature_ok = cms.as_ref().is_some_and(Parsed::signature_ok);
        if let Some(c) = &cms {
            if signature_ok && !crate::ca::issued_by(&c.signer, root) {
                return Err(VerifyError::ForeignCertificate);
            }
        }
        signatures.push(Found {
            byte_range: range,
            document_id: id,
            cms,
            digest_ok,
            signature_ok,
        });
    }
    // The newest signature must reach the end of the file: anything after it is unsigned.
    if let Some(last) = signatures
        .iter()
        .filter(|s| s.intact())
        .map(Found::end)
        .max()
    {
        if last < bytes.len() && bytes[last..].iter().any(|b| !b.is_ascii_whitespace()) {
            return Err(VerifyError::PartialSignature);
        }
    }
    Ok(Report {
        format: Format::Pdf,
        signatures,
        document_id,
        file_sm3,
    })
}
