//! A decision rendered, sealed and read back; one byte changed, bytes appended, another CA.

use chrono::{DateTime, Utc};
use tongban_documents::pdf::{self, Look};
use tongban_documents::seal::{LocalSeal, SealService};
use tongban_documents::sign::{self, Mark, Signing};
use tongban_documents::{ca, keys, ses, verify};
use tongban_domain::document::seal;
use tongban_domain::document::{Document, Subject, SubjectKind, VerifyError};

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default()
}

fn decision(paragraphs: usize) -> Document {
    let mut p = vec!["张三：".to_string()];
    for _ in 0..paragraphs {
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

struct Pki {
    root: ca::Cert,
    ca_key: sm2::dsa::SigningKey,
    key: sm2::dsa::SigningKey,
    /// The agency's key with its electronic seal (GB/T 38540), as the app makes it.
    seal: LocalSeal,
    /// The same key without one (an agency's own signing service may have none).
    plain: LocalSeal,
}

fn pki() -> Pki {
    let ca_key = keys::generate().unwrap_or_else(|e| panic!("{e}"));
    let root = ca::root(&ca_key, "清江市通办平台", at(), 20).unwrap_or_else(|e| panic!("{e}"));
    let key = keys::generate().unwrap_or_else(|e| panic!("{e}"));
    let cert = ca::issue(
        &ca_key,
        &root,
        "清江市市场监督管理局",
        key.verifying_key(),
        2,
        at(),
        5,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let eseal = ses::make_seal(
        &ses::SealOrder {
            id: "ES-2-1",
            name: "清江市市场监督管理局",
            svg: &seal::design("清江市市场监督管理局", "电子印章", "").svg(),
            size_mm: 42,
            signer: &cert,
            made_at: at(),
        },
        &ca_key,
        &root,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    Pki {
        plain: LocalSeal::new(key.clone(), vec![cert.clone(), root.clone()]),
        seal: LocalSeal::new(key.clone(), vec![cert, root.clone()]).with_eseal(eseal),
        root,
        ca_key,
        key,
    }
}

impl Pki {
    /// The agency's key and certificate applying another electronic seal.
    fn sealed_with(&self, eseal: Vec<u8>) -> LocalSeal {
        LocalSeal::new(self.key.clone(), self.plain.chain()).with_eseal(eseal)
    }
}

fn sealed(doc: &Document, p: &Pki) -> Vec<u8> {
    let look = Look {
        seal: Some(seal::design(&doc.agency, "电子印章", "2026.11.21 10:32")),
        verify_url: Some("http://127.0.0.1:8080/verify/准3602002026112100001".into()),
        verify_code: Some("7K3P9Q".into()),
        cross_page_seal: true,
    };
    let raw = pdf::render(doc, &look).unwrap_or_else(|e| panic!("{e}"));
    let s = Signing {
        at: at(),
        name: "清江市市场监督管理局",
        reason: "准予行政许可决定书",
        document_id: "D1-7K3P9Q",
    };
    sign::sign(&raw, &p.seal, &s, None).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_sealed_decision_reads_back_intact_and_small() {
    let p = pki();
    let file = sealed(&decision(12), &p);
    if let Ok(dir) = std::env::var("TONGBAN_SAMPLE_DIR") {
        // For scripts/check-documents.sh: the file, the root, and the text as issued.
        let doc = decision(12);
        let mut text = vec![doc.agency.clone(), doc.number.clone(), doc.title.clone()];
        text.extend(doc.addressee().map(str::to_string));
        text.extend(doc.body().iter().cloned());
        text.push(doc.agency.clone());
        text.push(doc.date_line());
        let _ = std::fs::write(format!("{dir}/decision.pdf"), &file);
        let _ = std::fs::write(
            format!("{dir}/root.pem"),
            ca::to_pem(&p.root).unwrap_or_default(),
        );
        let _ = std::fs::write(format!("{dir}/expected.txt"), text.join("\n"));
    }
    let r = verify::read(&file, &p.root).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.signatures.len(), 1);
    assert!(r.intact());
    assert_eq!(r.document_id.as_deref(), Some("D1-7K3P9Q"));
    let f = &r.signatures[0];
    assert_eq!(f.end(), file.len());
    assert_eq!(f.signing_time(), Some(at()));
    assert_eq!(
        f.signer().map(ca::common_name).as_deref(),
        Some("清江市市场监督管理局 电子印章")
    );
    // A two-page decision stays well under 300 KB with its font subset.
    assert!(file.len() < 300 * 1024, "{} bytes", file.len());
}

#[test]
fn one_byte_changed_anywhere_shows() {
    let p = pki();
    let file = sealed(&decision(3), &p);
    let r = verify::read(&file, &p.root).unwrap_or_else(|e| panic!("{e}"));
    let range = r.signatures[0].byte_range;
    // In the page content, in the signature dictionary, and in the signature itself.
    for at in [file.len() / 3, range[1] - 40, range[1] + 200] {
        let mut bad = file.clone();
        bad[at] ^= 0x01;
        match verify::read(&bad, &p.root) {
            Ok(r) => assert!(!r.intact(), "byte {at} changed unseen"),
            Err(e) => panic!("byte {at}: {e}"),
        }
    }
}

#[test]
fn bytes_after_the_signature_are_a_partial_signature() {
    let p = pki();
    let mut file = sealed(&decision(3), &p);
    file.extend_from_slice(b"\n1 0 obj\n<< /Evil true >>\nendobj\n");
    assert_eq!(
        verify::read(&file, &p.root).err(),
        Some(VerifyError::PartialSignature)
    );
}

#[test]
fn a_later_mark_keeps_the_first_signature_and_is_signed_itself() {
    let p = pki();
    let file = sealed(&decision(3), &p);
    let s = Signing {
        at: at(),
        name: "清江市市场监督管理局",
        reason: "送达",
        document_id: "D1-7K3P9Q",
    };
    let marked = sign::sign(
        &file,
        &p.seal,
        &s,
        Some(&Mark {
            text: "已送达 2026-11-22".into(),
        }),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(marked.starts_with(&file));
    let r = verify::read(&marked, &p.root).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.signatures.len(), 2);
    assert!(r.intact());
    assert_eq!(r.signatures[0].end(), file.len());
    assert_eq!(r.signatures[1].end(), marked.len());
}

#[test]
fn another_authority_and_other_files_are_refused() {
    let p = pki();
    let file = sealed(&decision(3), &p);
    let stranger = pki();
    assert_eq!(
        verify::read(&file, &stranger.root).err(),
        Some(VerifyError::ForeignCertificate)
    );
    assert_eq!(
        verify::read(b"GIF89a....", &p.root).err(),
        Some(VerifyError::NotADocument)
    );
    // A PDF with no signature of ours reads as nothing signed.
    let plain = pdf::render(&decision(1), &Look::default()).unwrap_or_default();
    let r = verify::read(&plain, &p.root).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.signatures.is_empty() && !r.intact());
}

#[test]
fn an_ofd_is_signed_over_every_file_it_holds() {
    let p = pki();
    let doc = decision(12);
    let look = Look {
        seal: Some(seal::design(&doc.agency, "电子印章", "2026.11.21 10:32")),
        ..Look::default()
    };
    let ofd = tongban_documents::ofd::render_signed(&doc, &look, &p.seal, "D1-7K3P9Q", at())
        .unwrap_or_else(|e| panic!("{e}"));
    if let Ok(dir) = std::env::var("TONGBAN_SAMPLE_DIR") {
        let _ = std::fs::write(format!("{dir}/decision.ofd"), &ofd);
        let _ = std::fs::write(
            format!("{dir}/ofd-root.pem"),
            ca::to_pem(&p.root).unwrap_or_default(),
        );
    }
    let r = verify::read(&ofd, &p.root).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.intact());
    assert_eq!(r.document_id.as_deref(), Some("D1-7K3P9Q"));
    assert_eq!(r.signatures[0].signing_time(), Some(at()));
}

fn ofd_of(seal: &LocalSeal) -> Vec<u8> {
    let doc = decision(3);
    let look = Look {
        seal: Some(seal::design(&doc.agency, "电子印章", "2026.11.21 10:32")),
        ..Look::default()
    };
    tongban_documents::ofd::render_signed(&doc, &look, seal, "D1-7K3P9Q", at())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Whether the OFD package holds an entry of this name.
fn holds(ofd: &[u8], name: &str) -> bool {
    zip::ZipArchive::new(std::io::Cursor::new(ofd))
        .map(|z| z.file_names().any(|n| n.is_ok_and(|n| n == name)))
        .unwrap_or(false)
}

#[test]
fn an_ofd_carries_a_gbt_38540_seal_signature_and_the_seal_beside_it() {
    let p = pki();
    let ofd = ofd_of(&p.seal);
    assert!(holds(&ofd, "Doc_0/Signs/Sign_0/Seal.esl"));
    let r = verify::read(&ofd, &p.root).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.intact());
    assert_eq!(
        r.signatures[0].signer().map(ca::common_name).as_deref(),
        Some("清江市市场监督管理局 电子印章")
    );
    // Without an electronic seal (an agency's own signer may have none): a CMS signature.
    let plain = ofd_of(&p.plain);
    assert!(!holds(&plain, "Doc_0/Signs/Sign_0/Seal.esl"));
    assert!(verify::read(&plain, &p.root)
        .unwrap_or_else(|e| panic!("{e}"))
        .intact());
}

#[test]
fn a_seal_that_does_not_list_the_signer_or_was_made_elsewhere_does_not_hold() {
    let p = pki();
    let other_key = keys::generate().unwrap_or_else(|e| panic!("{e}"));
    let other_root = ca::root(&other_key, "别处的平台", at(), 20).unwrap_or_else(|e| panic!("{e}"));
    let signer = p.seal.chain().remove(0);
    let stranger = ca::issue(
        &other_key,
        &other_root,
        "别处的机关",
        keys::generate()
            .unwrap_or_else(|e| panic!("{e}"))
            .verifying_key(),
        9,
        at(),
        5,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let svg = seal::design("清江市市场监督管理局", "电子印章", "").svg();
    let order = |cert| ses::SealOrder {
        id: "ES-2-9",
        name: "清江市市场监督管理局",
        svg: &svg,
        size_mm: 42,
        signer: cert,
        made_at: at(),
    };
    // A seal from this maker that names another certificate: the signature does not hold.
    let not_listed =
        ses::make_seal(&order(&stranger), &p.ca_key, &p.root).unwrap_or_else(|e| panic!("{e}"));
    let r = verify::read(&ofd_of(&p.sealed_with(not_listed)), &p.root)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!r.intact());
    // A seal made by another maker (its certificate not this deployment's root).
    let foreign =
        ses::make_seal(&order(&signer), &other_key, &other_root).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        verify::read(&ofd_of(&p.sealed_with(foreign)), &p.root).err(),
        Some(VerifyError::ForeignCertificate)
    );
}
