//! Photos of a ticket with what could identify the person who took them removed on intake,
//! whatever the channel: a phone's camera writes the place (GPS), the device, its serial
//! number and the time into the file. Nothing here decodes the picture; the metadata lives in
//! segments (JPEG) and chunks (PNG) of their own, which are dropped whole.
//!
//! - JPEG: APP1 (EXIF with its GPS directory, XMP), APP3–APP13 and APP15 (maker notes,
//!   Photoshop/IPTC) and COM (comments) are dropped. APP0 (JFIF), APP2 (the ICC colour
//!   profile) and APP14 (Adobe's colour transform) stay: without them the colours change. From
//!   the start of scan (SOS) on, the bytes are the picture and are copied as they are.
//! - PNG: eXIf, tEXt, zTXt, iTXt and tIME are dropped; every other chunk stays.
//!
//! A file that is neither, or is cut short, is refused (`hotline.photo`).

use crate::codes::Hotline as H;
use crate::error::DomainError;

/// The kinds of photo taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoKind {
    Jpeg,
    Png,
}

impl PhotoKind {
    pub fn content_type(self) -> &'static str {
        match self {
            PhotoKind::Jpeg => "image/jpeg",
            PhotoKind::Png => "image/png",
        }
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The photo without its metadata, and its kind.
pub fn strip_metadata(bytes: &[u8]) -> Result<(Vec<u8>, PhotoKind), DomainError> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        Ok((strip_jpeg(bytes)?, PhotoKind::Jpeg))
    } else if bytes.starts_with(PNG_SIGNATURE) {
        Ok((strip_png(bytes)?, PhotoKind::Png))
    } else {
        Err(H::Photo.err())
    }
}

/// A photo taken in: its bytes with the metadata stripped, its kind and the name it came with
/// (reduced to a plain file name of at most 100 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenPhoto {
    pub name: String,
    pub kind: PhotoKind,
    pub bytes: Vec<u8>,
}

/// Takes the photos of one request under the local rules, all or none: more than
/// `photo_max_count` is `hotline.photo_count`, one over `photo_max_kb` is
/// `hotline.photo_size`, a kind the rules do not take is `hotline.photo_type`, and one that is
/// neither JPEG nor PNG or is cut short is `hotline.photo`. Empty parts (a file input left
/// blank) are skipped. Each message names the file.
pub fn take_photos(
    files: &[(String, Vec<u8>)],
    rules: &super::HotlineRules,
) -> Result<Vec<TakenPhoto>, DomainError> {
    let files: Vec<&(String, Vec<u8>)> = files.iter().filter(|(_, b)| !b.is_empty()).collect();
    if files.len() > rules.photo_max_count as usize {
        return Err(H::PhotoCount.with(format!(
            "每件诉求最多上传{}张照片，本次为{}张",
            rules.photo_max_count,
            files.len()
        )));
    }
    let mut out = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let name = plain_name(name);
        if bytes.len() as u64 > u64::from(rules.photo_max_kb) * 1024 {
            return Err(
                H::PhotoSize.with(format!("照片“{name}”超过{}KB的上限", rules.photo_max_kb))
            );
        }
        let kind = sniff(bytes)
            .ok_or_else(|| H::PhotoType.with(format!("“{name}”不是 JPEG 或 PNG 图片")))?;
        let taken = match kind {
            PhotoKind::Jpeg => rules.photo_jpeg,
            PhotoKind::Png => rules.photo_png,
        };
        if !taken {
            return Err(H::PhotoType.with(format!(
                "本地不接受 {} 格式的照片（“{name}”）",
                kind.content_type()
            )));
        }
        let (bytes, kind) = strip_metadata(bytes)
            .map_err(|_| H::Photo.with(format!("照片“{name}”已损坏或不完整")))?;
        out.push(TakenPhoto { name, kind, bytes });
    }
    Ok(out)
}

/// The kind a file says it is by its first bytes.
fn sniff(bytes: &[u8]) -> Option<PhotoKind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(PhotoKind::Jpeg)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        Some(PhotoKind::Png)
    } else {
        None
    }
}

/// A file name as sent, without any folder, control characters or more than 100 characters;
/// `照片` when nothing is left.
fn plain_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect::<String>()
        .trim()
        .to_string();
    if clean.is_empty() {
        "照片".into()
    } else {
        clean
    }
}

/// Whether a JPEG marker's segment is kept.
fn keep_jpeg_segment(marker: u8) -> bool {
    !matches!(marker, 0xE1 | 0xE3..=0xED | 0xEF | 0xFE)
}

fn strip_jpeg(b: &[u8]) -> Result<Vec<u8>, DomainError> {
    let bad = || H::Photo.err();
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..2]);
    let mut i = 2;
    loop {
        // A marker, after any fill bytes (0xFF may repeat).
        if b.get(i) != Some(&0xFF) {
            return Err(bad());
        }
        while b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let marker = *b.get(i + 1).ok_or_else(bad)?;
        match marker {
            // End of image before any scan: nothing to show.
            0xD9 => return Err(bad()),
            // Markers without a length (a stray SOI, TEM, restart markers).
            0x01 | 0xD0..=0xD8 => {
                i += 2;
                continue;
            }
            _ => {}
        }
        let len = usize::from(*b.get(i + 2).ok_or_else(bad)?) << 8
            | usize::from(*b.get(i + 3).ok_or_else(bad)?);
        if len < 2 {
            return Err(bad());
        }
        let end = i + 2 + len;
        if end > b.len() {
            return Err(bad());
        }
        if marker == 0xDA {
            // Start of scan: the rest is the picture.
            out.extend_from_slice(&b[i..]);
            return Ok(out);
        }
        if keep_jpeg_segment(marker) {
            out.extend_from_slice(&b[i..end]);
        }
        i = end;
    }
}

fn strip_png(b: &[u8]) -> Result<Vec<u8>, DomainError> {
    let bad = || H::Photo.err();
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut i = PNG_SIGNATURE.len();
    loop {
        let head = b.get(i..i + 8).ok_or_else(bad)?;
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = [head[4], head[5], head[6], head[7]];
        let end = i
            .checked_add(12)
            .and_then(|x| x.checked_add(len))
            .filter(|e| *e <= b.len())
            .ok_or_else(bad)?;
        if !matches!(&kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME") {
            out.extend_from_slice(&b[i..end]);
        }
        if &kind == b"IEND" {
            return Ok(out);
        }
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real photograph with EXIF and Photoshop (IPTC) segments: `ext/flower-of-life.jpg`
    /// of the Python `requests` project (Apache-2.0).
    const FLOWER: &[u8] = include_bytes!("../../tests/data/exif-flower.jpg");

    fn segments(b: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 2;
        while b[i] == 0xFF && b[i + 1] != 0xDA {
            out.push(b[i + 1]);
            i += 2 + (usize::from(b[i + 2]) << 8 | usize::from(b[i + 3]));
        }
        out
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    /// A minimal EXIF block whose GPS directory says 22°N (as a phone writes it).
    fn exif_with_gps() -> Vec<u8> {
        let mut t = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
        // IFD0: one entry, GPSInfo (0x8825, LONG) pointing to offset 26.
        t.extend_from_slice(&[0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
        // GPS IFD: GPSLatitudeRef (1, ASCII, "N").
        t.extend_from_slice(&[0, 1, 0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0, 0, 0, 0, 0]);
        let mut seg = vec![0xFF, 0xE1];
        let len = (t.len() + 2) as u16;
        seg.extend_from_slice(&len.to_be_bytes());
        seg.extend_from_slice(&t);
        seg
    }

    #[test]
    fn a_real_photo_loses_its_exif_and_iptc_and_keeps_its_picture() {
        assert!(contains(FLOWER, b"Exif\0\0"));
        assert!(contains(FLOWER, b"Photoshop"));
        let (clean, kind) = strip_metadata(FLOWER).unwrap();
        assert_eq!(kind, PhotoKind::Jpeg);
        assert!(!contains(&clean, b"Exif"));
        assert!(!contains(&clean, b"Photoshop"));
        // JFIF stays; the tables, the frame and the scan are byte for byte the same.
        assert_eq!(segments(FLOWER)[..3], [0xE0, 0xE1, 0xED]);
        let kept: Vec<u8> = segments(&clean);
        assert_eq!(
            kept,
            segments(FLOWER)
                .into_iter()
                .filter(|m| !matches!(m, 0xE1 | 0xED))
                .collect::<Vec<u8>>()
        );
        let scan = |b: &[u8]| b[b.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap()..].to_vec();
        assert_eq!(scan(&clean), scan(FLOWER));
        // Stripping again changes nothing.
        assert_eq!(strip_metadata(&clean).unwrap().0, clean);
    }

    #[test]
    fn a_gps_position_is_removed() {
        // The flower with a phone's GPS block put in front of its own segments.
        let mut with_gps = FLOWER[..2].to_vec();
        with_gps.extend_from_slice(&exif_with_gps());
        with_gps.extend_from_slice(&FLOWER[2..]);
        assert!(contains(&with_gps, &[0x88, 0x25]));
        let (clean, _) = strip_metadata(&with_gps).unwrap();
        assert!(!contains(&clean, b"Exif"));
        assert!(!contains(&clean, &[0x88, 0x25, 0, 4]));
        assert_eq!(clean, strip_metadata(FLOWER).unwrap().0);
    }

    #[test]
    fn png_text_and_exif_chunks_are_dropped() {
        let chunk = |kind: &[u8; 4], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0, 0, 0, 0]); // CRC: not checked here
            c
        };
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"eXIf", b"MM\0*GPS"));
        png.extend(chunk(b"tEXt", b"Author\0someone"));
        png.extend(chunk(b"IDAT", &[1, 2, 3]));
        png.extend(chunk(b"IEND", &[]));
        let (clean, kind) = strip_metadata(&png).unwrap();
        assert_eq!(kind, PhotoKind::Png);
        let mut want = PNG_SIGNATURE.to_vec();
        want.extend(chunk(b"IHDR", &[0; 13]));
        want.extend(chunk(b"IDAT", &[1, 2, 3]));
        want.extend(chunk(b"IEND", &[]));
        assert_eq!(clean, want);
    }

    #[test]
    fn other_files_and_cut_photos_are_refused() {
        for bad in [
            &b"%PDF-1.4"[..],
            &b""[..],
            &FLOWER[..100],
            &[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF][..],
            &[0xFF, 0xD8, 0xFF, 0xD9][..],
            PNG_SIGNATURE,
        ] {
            assert_eq!(strip_metadata(bad).unwrap_err().code, H::Photo);
        }
    }

    #[test]
    fn photos_are_taken_under_the_local_rules_all_or_none() {
        let rules = crate::hotline::HotlineRules::default();
        let png = {
            // The PNG signature, an IHDR and an IEND: enough for the chunk walk.
            let mut b = PNG_SIGNATURE.to_vec();
            for (kind, data) in [(&b"IHDR"[..], &[0u8; 13][..]), (&b"IEND"[..], &[][..])] {
                b.extend_from_slice(&(data.len() as u32).to_be_bytes());
                b.extend_from_slice(kind);
                b.extend_from_slice(data);
                b.extend_from_slice(&[0, 0, 0, 0]);
            }
            b
        };
        let files = vec![
            ("C:\\相册\\现场.jpg".to_string(), FLOWER.to_vec()),
            ("empty".to_string(), Vec::new()),
            ("b.png".to_string(), png.clone()),
        ];
        let taken = take_photos(&files, &rules).unwrap();
        assert_eq!(taken.len(), 2, "the blank input is skipped");
        assert_eq!(taken[0].name, "现场.jpg");
        assert_eq!(taken[0].kind, PhotoKind::Jpeg);
        assert!(!contains(&taken[0].bytes, b"Exif"), "metadata stripped");
        assert_eq!(taken[1].kind, PhotoKind::Png);

        let one = |name: &str, b: &[u8]| vec![(name.to_string(), b.to_vec())];
        let code = |files: &[(String, Vec<u8>)], r: &crate::hotline::HotlineRules| {
            take_photos(files, r).unwrap_err().code
        };
        // Too many.
        let five: Vec<_> = (0..5)
            .map(|i| (format!("{i}.jpg"), FLOWER.to_vec()))
            .collect();
        assert_eq!(code(&five, &rules), H::PhotoCount);
        let none = crate::hotline::HotlineRules {
            photo_max_count: 0,
            ..rules
        };
        assert_eq!(code(&one("a.jpg", FLOWER), &none), H::PhotoCount);
        // Too large: the limit is in KiB, before stripping.
        let small = crate::hotline::HotlineRules {
            photo_max_kb: (FLOWER.len() / 1024) as u32,
            ..rules
        };
        assert_eq!(code(&one("a.jpg", FLOWER), &small), H::PhotoSize);
        // Not a picture, or a kind the rules do not take.
        assert_eq!(code(&one("a.gif", b"GIF89a...."), &rules), H::PhotoType);
        assert_eq!(code(&one("x.jpg", b"%PDF-1.7"), &rules), H::PhotoType);
        let no_png = crate::hotline::HotlineRules {
            photo_png: false,
            ..rules
        };
        assert_eq!(code(&one("b.png", &png), &no_png), H::PhotoType);
        // Cut short.
        assert_eq!(code(&one("cut.jpg", &FLOWER[..200]), &rules), H::Photo);
        // One bad file refuses the lot.
        let mixed = vec![
            ("a.jpg".to_string(), FLOWER.to_vec()),
            ("b.gif".to_string(), b"GIF89a".to_vec()),
        ];
        assert!(take_photos(&mixed, &rules).is_err());
    }
}
