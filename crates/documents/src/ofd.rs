//! OFD (GB/T 33190-2016), the national fixed-layout format: XML in a zip. The pages carry the
//! same layout as the PDF (positions in millimetres), the seal is drawn as paths and text, and
//! the signature entry (Doc_0/Signs) lists the SM3 digest of every file in the package and holds
//! a signature over that list: with the agency's electronic seal, a seal signature of GB/T 38540
//! (`Type="Seal"`, an `SES_Signature`, the `SESeal` kept beside it as `Seal.esl`); without one,
//! a CMS SM2/SM3 signature (`Type="Sign"`). The font is embedded as a subset of the glyphs the
//! document prints (Noto Serif CJK SC, 宋体 named as the fallback family).

use std::io::{Cursor, Read, Write};

use base64::Engine;
use tongban_domain::document::layout::{self, A4};
use tongban_domain::document::seal::Seal;
use tongban_domain::document::{Document, Format, VerifyError};
use x509_cert::Certificate;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::cms;
use crate::font::Face;
use crate::pdf::{compose, Look};
use crate::seal::SealService;
use crate::verify::{Found, Report};
use crate::Error;

const NS: &str = "http://www.ofdspec.org/2016";
const SIGNATURE_XML: &str = "Doc_0/Signs/Sign_0/Signature.xml";
const SIGNED_VALUE: &str = "Doc_0/Signs/Sign_0/SignedValue.dat";
const SEAL_FILE: &str = "Doc_0/Signs/Sign_0/Seal.esl";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn mm(pt: f32) -> f32 {
    pt * 25.4 / 72.0
}

/// The embedded font's file, under the document's resources (`Doc_0/Res`).
const FONT_FILE: &str = "font_2.otf";

/// The glyphs a package prints, numbered anew for the subset of the font it embeds. The subset
/// has no character map, so every text code says its glyphs itself (`CGTransform`, §11.4).
struct Glyphs {
    face: Face,
    remap: subsetter::GlyphRemapper,
}

impl Glyphs {
    fn new() -> Glyphs {
        Glyphs {
            face: Face::serif(),
            remap: subsetter::GlyphRemapper::new(),
        }
    }

    /// The `CGTransform` from each character of `text` to its glyph in the subset (a missing
    /// character to glyph 0, as the PDF shows it).
    fn transform(&mut self, text: &str) -> String {
        let ids: Vec<String> = text
            .chars()
            .map(|c| {
                let old = self
                    .face
                    .glyph(c)
                    .and_then(|g| u16::try_from(g).ok())
                    .unwrap_or(0);
                self.remap.remap(old).to_string()
            })
            .collect();
        format!(
            r#"<ofd:CGTransform CodePosition="0" CodeCount="{n}" GlyphCount="{n}"><ofd:Glyphs>{}</ofd:Glyphs></ofd:CGTransform>"#,
            ids.join(" "),
            n = ids.len()
        )
    }

    /// The font reduced to these glyphs.
    fn subset(&self) -> Result<Vec<u8>, Error> {
        subsetter::subset(crate::font::SERIF, 0, &self.remap).map_err(|_| Error::Font)
    }
}

struct Ids(u32);
impl Ids {
    fn next(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }
}

fn text_object(
    ids: &mut Ids,
    glyphs: &mut Glyphs,
    x: f32,
    y: f32,
    size: f32,
    text: &str,
    red: bool,
) -> String {
    // Positions in millimetres; y is the baseline, as in the PDF.
    let (x, y, size) = (mm(x), mm(y), mm(size));
    let face = &glyphs.face;
    let chars: Vec<char> = text.chars().collect();
    // The advance from each character to the next.
    let deltas = chars
        .iter()
        .take(chars.len().saturating_sub(1))
        .map(|c| format!("{:.3}", face.char_advance(*c) * size))
        .collect::<Vec<_>>()
        .join(" ");
    let first = chars;
    let width: f32 = first.iter().map(|c| face.char_advance(*c) * size).sum();
    let color = if red {
        "<ofd:FillColor Value=\"208 2 27\"/>"
    } else {
        ""
    };
    format!(
        r#"<ofd:TextObject ID="{}" Boundary="{:.3} {:.3} {:.3} {:.3}" Font="2" Size="{:.3}">{color}{}<ofd:TextCode X="0" Y="{:.3}" DeltaX="{}">{}</ofd:TextCode></ofd:TextObject>"#,
        ids.next(),
        x,
        y - size,
        width.max(size),
        size * 1.3,
        size,
        glyphs.transform(text),
        size,
        deltas,
        esc(text)
    )
}

fn seal_objects(ids: &mut Ids, glyphs: &mut Glyphs, seal: &Seal, cx: f32, cy: f32) -> String {
    let (cx, cy) = (mm(cx), mm(cy));
    let r = seal.diameter / 2.0;
    let mut out = String::new();
    let ring_r = r - seal.ring_width / 2.0;
    out.push_str(&format!(
        r#"<ofd:PathObject ID="{}" Boundary="{:.3} {:.3} {:.3} {:.3}" LineWidth="{:.2}" Stroke="true" Fill="false"><ofd:StrokeColor Value="208 2 27"/><ofd:AbbreviatedData>M {:.3} {:.3} A {:.3} {:.3} 0 1 1 {:.3} {:.3} A {:.3} {:.3} 0 1 1 {:.3} {:.3} C</ofd:AbbreviatedData></ofd:PathObject>"#,
        ids.next(), cx - r, cy - r, seal.diameter, seal.diameter, seal.ring_width,
        r - ring_r, r, ring_r, ring_r, r + ring_r, r, ring_r, ring_r, r - ring_r, r
    ));
    let star: Vec<String> = seal
        .star
        .iter()
        .enumerate()
        .map(|(i, (x, y))| {
            format!(
                "{} {:.3} {:.3}",
                if i == 0 { "M" } else { "L" },
                r + x,
                r - y
            )
        })
        .collect();
    out.push_str(&format!(
        r#"<ofd:PathObject ID="{}" Boundary="{:.3} {:.3} {:.3} {:.3}" Fill="true" Stroke="false"><ofd:FillColor Value="208 2 27"/><ofd:AbbreviatedData>{} C</ofd:AbbreviatedData></ofd:PathObject>"#,
        ids.next(), cx - r, cy - r, seal.diameter, seal.diameter, star.join(" ")
    ));
    for g in seal.name.iter().chain(&seal.purpose).chain(&seal.time) {
        let size = g.size;
        let adv = glyphs.face.char_advance(g.ch) * size;
        // Each character in a box of its own, turned about the box's origin by a CTM.
        let (s, c) = (-g.rotation).sin_cos();
        let (ox, oy) = (cx + g.x, cy - g.y);
        out.push_str(&format!(
            r#"<ofd:TextObject ID="{}" Boundary="{:.3} {:.3} {:.3} {:.3}" Font="2" Size="{:.3}" CTM="{:.4} {:.4} {:.4} {:.4} {:.3} {:.3}"><ofd:FillColor Value="208 2 27"/>{}<ofd:TextCode X="{:.3}" Y="{:.3}">{}</ofd:TextCode></ofd:TextObject>"#,
            ids.next(), ox - size, oy - size, size * 2.0, size * 2.0, size,
            c, s, -s, c, size - c * size + s * size, size - s * size - c * size,
            glyphs.transform(&g.ch.to_string()), size - adv / 2.0, size + size * 0.38, esc(&g.ch.to_string())
        ));
    }
    out
}

fn files(doc: &Document, look: &Look, document_id: &str) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut glyphs = Glyphs::new();
    let sheets = compose(doc, &glyphs.face, &A4);
    let mut ids = Ids(10);
    let mut pages = Vec::new();
    for (i, sheet) in sheets.iter().enumerate() {
        let mut body = String::new();
        for run in &sheet.runs {
            body.push_str(&text_object(
                &mut ids,
                &mut glyphs,
                run.x,
                run.y,
                run.size,
                &run.text,
                run.red,
            ));
        }
        if let Some((x0, x1, y)) = sheet.rule {
            body.push_str(&format!(
                r#"<ofd:PathObject ID="{}" Boundary="{:.3} {:.3} {:.3} 1" LineWidth="0.5" Stroke="true"><ofd:StrokeColor Value="208 2 27"/><ofd:AbbreviatedData>M 0 0.5 L {:.3} 0.5</ofd:AbbreviatedData></ofd:PathObject>"#,
                ids.next(), mm(x0), mm(y) - 0.5, mm(x1 - x0), mm(x1 - x0)
            ));
        }
        if let (Some(seal), Some((cx, cy))) = (&look.seal, sheet.seal_at) {
            body.push_str(&seal_objects(&mut ids, &mut glyphs, seal, cx, cy));
        }
        let layer = ids.next();
        pages.push((
            format!("Doc_0/Pages/Page_{i}/Content.xml"),
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer ID="{layer}">{body}</ofd:Layer></ofd:Content></ofd:Page>"#).into_bytes(),
        ));
    }
    let page_list: String = (0..sheets.len())
        .map(|i| {
            format!(
                r#"<ofd:Page ID="{}" BaseLoc="Pages/Page_{i}/Content.xml"/>"#,
                3 + i
            )
        })
        .collect();
    let date = doc.issued_at.format("%Y-%m-%d");
    let mut out = vec![
        (
            "OFD.xml".to_string(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>{}</ofd:DocID><ofd:Title>{}</ofd:Title><ofd:Author>{}</ofd:Author><ofd:CreationDate>{date}</ofd:CreationDate><ofd:Creator>Tongban 通办</ofd:Creator><ofd:CustomDatas><ofd:CustomData Name="TB.Doc">{}</ofd:CustomData><ofd:CustomData Name="文号">{}</ofd:CustomData></ofd:CustomDatas></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot><ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures></ofd:DocBody></ofd:OFD>"#,
                esc(document_id), esc(&doc.title), esc(&doc.agency), esc(document_id), esc(&doc.number)
            )
            .into_bytes(),
        ),
        (
            "Doc_0/Document.xml".to_string(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:MaxUnitID>{}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>{page_list}</ofd:Pages></ofd:Document>"#,
                ids.0 + 1
            )
            .into_bytes(),
        ),
        (
            "Doc_0/PublicRes.xml".to_string(),
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts><ofd:Font ID="2" FontName="Noto Serif CJK SC" FamilyName="宋体"><ofd:FontFile>{FONT_FILE}</ofd:FontFile></ofd:Font></ofd:Fonts></ofd:Res>"#).into_bytes(),
        ),
        (format!("Doc_0/Res/{FONT_FILE}"), glyphs.subset()?),
    ];
    out.extend(pages);
    let _ = layout::BODY_SIZE;
    Ok(out)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Renders and signs a document as OFD.
pub fn render_signed(
    doc: &Document,
    look: &Look,
    seal: &dyn SealService,
    document_id: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, Error> {
    let mut files = files(doc, look, document_id)?;
    let seal_box = format!("{:.1} {:.1} 42 42", 120.0, 200.0);
    let refs: String = files
        .iter()
        .map(|(name, bytes)| format!(r#"<ofd:Reference FileRef="/{}"><ofd:CheckValue>{}</ofd:CheckValue></ofd:Reference>"#, esc(name), b64(&cms::sm3(&[bytes]))))
        .collect();
    let signer = seal
        .chain()
        .first()
        .map(crate::ca::common_name)
        .unwrap_or_default();
    let eseal = seal.eseal();
    // With an electronic seal, the signature is a seal signature (GB/T 38540) and the seal
    // itself is kept beside it; otherwise a plain CMS signature.
    let (kind, seal_ref) = match &eseal {
        Some(_) => (
            "Seal",
            format!("<ofd:Seal><ofd:BaseLoc>/{SEAL_FILE}</ofd:BaseLoc></ofd:Seal>"),
        ),
        None => ("Sign", String::new()),
    };
    let signature_xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Signature xmlns:ofd="{NS}"><ofd:SignedInfo><ofd:Provider ProviderName="Tongban" Version="1.0" Company="{}"/><ofd:SignatureMethod>{}</ofd:SignatureMethod><ofd:SignatureDateTime>{}</ofd:SignatureDateTime><ofd:References CheckMethod="{}">{refs}</ofd:References><ofd:StampAnnot ID="1" PageRef="3" Boundary="{seal_box}"/>{seal_ref}</ofd:SignedInfo><ofd:SignedValue>/{SIGNED_VALUE}</ofd:SignedValue></ofd:Signature>"#,
        esc(&signer),
        cms::OID_SM2_SM3,
        at.format("%Y%m%d%H%M%SZ"),
        cms::OID_SM3,
    );
    let digest = cms::sm3(&[signature_xml.as_bytes()]);
    let value = match &eseal {
        Some(eseal) => crate::ses::sign(seal, eseal, &digest, &format!("/{SIGNATURE_XML}"), at)?,
        None => cms::sign(seal, &digest, at)?,
    };
    files.push((
        "Doc_0/Signs/Signatures.xml".into(),
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures xmlns:ofd="{NS}"><ofd:MaxSignId>1</ofd:MaxSignId><ofd:Signature ID="1" Type="{kind}" BaseLoc="/{SIGNATURE_XML}"/></ofd:Signatures>"#).into_bytes(),
    ));
    if let Some(eseal) = eseal {
        files.push((SEAL_FILE.into(), eseal));
    }
    files.push((SIGNATURE_XML.into(), signature_xml.into_bytes()));
    files.push((SIGNED_VALUE.into(), value));
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(name, opts)
            .map_err(|e| Error::Pdf(e.to_string()))?;
        zip.write_all(&bytes)
            .map_err(|e| Error::Pdf(e.to_string()))?;
    }
    Ok(zip
        .finish()
        .map_err(|e| Error::Pdf(e.to_string()))?
        .into_inner())
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let a = s.find(open)? + open.len();
    let b = a + s[a..].find(close)?;
    Some(&s[a..b])
}

/// Reads and checks an OFD's signature entry.
pub(crate) fn read(
    bytes: &[u8],
    root: &Certificate,
    file_sm3: String,
) -> Result<Report, VerifyError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|_| VerifyError::NotADocument)?;
    let mut contents: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|_| VerifyError::NotADocument)?;
        if f.size() > crate::verify::MAX_BYTES as u64 {
            return Err(VerifyError::TooLarge);
        }
        let mut buf = Vec::new();
        f.read_to_end(&mut buf)
            .map_err(|_| VerifyError::NotADocument)?;
        let name = f
            .name()
            .map_err(|_| VerifyError::NotADocument)?
            .trim_start_matches('/')
            .to_string();
        contents.push((name, buf));
    }
    let get = |name: &str| {
        contents
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.clone())
    };
    let ofd = String::from_utf8(get("OFD.xml").ok_or(VerifyError::NotADocument)?)
        .map_err(|_| VerifyError::NotADocument)?;
    let document_id = between(
        &ofd,
        r#"<ofd:CustomData Name="TB.Doc">"#,
        "</ofd:CustomData>",
    )
    .map(str::to_string);
    let mut signatures = Vec::new();
    if let (Some(sig_xml), Some(value)) = (get(SIGNATURE_XML), get(SIGNED_VALUE)) {
        let text = String::from_utf8_lossy(&sig_xml).to_string();
        // Every file outside the signature entry must be listed with its digest.
        let mut listed = 0;
        let mut digests_ok = true;
        let mut rest = text.as_str();
        while let Some(r) = between(rest, "<ofd:Reference FileRef=\"/", "</ofd:Reference>") {
            listed += 1;
            let name = r.split('"').next().unwrap_or_default();
            let want = between(r, "<ofd:CheckValue>", "</ofd:CheckValue>").unwrap_or_default();
            let have = get(name).map(|b| b64(&cms::sm3(&[&b])));
            digests_ok &= have.as_deref() == Some(want);
            rest = &rest[rest.find("</ofd:Reference>").map_or(rest.len(), |i| i + 1)..];
        }
        let unsigned = contents
            .iter()
            .filter(|(n, _)| !n.starts_with("Doc_0/Signs/"))
            .count();
        if listed < unsigned {
            return Err(VerifyError::PartialSignature);
        }
        // A seal signature (GB/T 38540) counts only when its seal holds too.
        // Its maker must be this deployment's CA, as the signer's certificate must chain to it.
        let (parsed, seal_ok) = match crate::ses::parse(&value) {
            Ok(s) => {
                if s.seal_ok && s.signature.others.first() != Some(root) {
                    return Err(VerifyError::ForeignCertificate);
                }
                (Some(s.signature), s.seal_ok)
            }
            Err(_) => (cms::parse(&value).ok(), true),
        };
        let signature_ok = seal_ok && parsed.as_ref().is_some_and(cms::Parsed::signature_ok);
        if let Some(p) = &parsed {
            if signature_ok && !crate::ca::issued_by(&p.signer, root) {
                return Err(VerifyError::ForeignCertificate);
            }
        }
        let digest_ok = digests_ok
            && parsed
                .as_ref()
                .is_some_and(|p| p.covers(&cms::sm3(&[&sig_xml])));
        signatures.push(Found {
            byte_range: [0; 4],
            document_id: document_id.clone(),
            cms: parsed,
            digest_ok,
            signature_ok,
        });
    }
    Ok(Report {
        format: Format::Ofd,
        signatures,
        document_id,
        file_sm3,
    })
}
