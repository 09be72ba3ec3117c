//! 信息处理费 (国办函〔2020〕109号《政府信息公开信息处理费管理办法》).
//!
//! A fee is charged in ONE of two modes per request, never both:
//! * per request (按件计收): an applicant's requests in one calendar month are counted; the
//!   first 10 are free, the 11th to the 30th cost 100 CNY each, and from the 31st each further
//!   band of 10 costs 100 CNY more (31st–40th: 200, 41st–50th: 300, …);
//! * per volume (按量计收): the pages of one request; up to 30 free, pages 31–100 at 10 CNY,
//!   101–200 at 20 CNY, from 201 at 40 CNY a page, each band charged only on its own pages.
//!
//! Amounts are in fen (分) so that no float ever holds money.

use serde::{Deserialize, Serialize};

use crate::codes;
use crate::error::DomainError;

crate::closed_set! {
    /// How the fee of a request is counted.
    pub enum FeeMode {
        PerRequest = "per_request" => "按件计收",
        PerVolume = "per_volume" => "按量计收",
    }
}

/// What a fee is computed from: one mode and its one figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum FeeBasis {
    /// The request is the applicant's `ordinal`-th in its calendar month (1-based).
    PerRequest { ordinal: u32 },
    /// The information provided runs to `pages` pages.
    PerVolume { pages: u32 },
}

/// One fen less than a yuan: 100 fen.
pub const FEN_PER_YUAN: i64 = 100;

impl FeeBasis {
    /// Parses the two optional figures a form or API body carries. Exactly one must be given:
    /// both is [`codes::Disclosure::FeeBothModes`], none is [`codes::Disclosure::FeeMode`].
    pub fn parse(ordinal: Option<u32>, pages: Option<u32>) -> Result<Self, DomainError> {
        match (ordinal, pages) {
            (Some(_), Some(_)) => Err(codes::Disclosure::FeeBothModes.err()),
            (Some(n), None) if n >= 1 => Ok(FeeBasis::PerRequest { ordinal: n }),
            (None, Some(p)) if p >= 1 => Ok(FeeBasis::PerVolume { pages: p }),
            _ => Err(codes::Disclosure::FeeMode.err()),
        }
    }

    pub fn mode(self) -> FeeMode {
        match self {
            FeeBasis::PerRequest { .. } => FeeMode::PerRequest,
            FeeBasis::PerVolume { .. } => FeeMode::PerVolume,
        }
    }

    /// The fee in fen.
    pub fn amount_fen(self) -> i64 {
        match self {
            FeeBasis::PerRequest { ordinal } => per_request_yuan(ordinal) * FEN_PER_YUAN,
            FeeBasis::PerVolume { pages } => per_volume_yuan(pages) * FEN_PER_YUAN,
        }
    }

    /// How the amount was reached, for the fee notice (收费通知).
    pub fn explain(self) -> String {
        match self {
            FeeBasis::PerRequest { ordinal } => format!(
                "按件计收：本申请为申请人本月第 {ordinal} 件申请，收费 {} 元",
                per_request_yuan(ordinal)
            ),
            FeeBasis::PerVolume { pages } => {
                let mut parts = Vec::new();
                for (from, to, rate) in VOLUME_BANDS {
                    let n = pages.min(to).saturating_sub(from - 1);
                    if n > 0 && rate > 0 {
                        parts.push(format!("第{from}页起{n}页×{rate}元"));
                    }
                }
                let detail = if parts.is_empty() {
                    "30页以下（含30页）不收费".to_string()
                } else {
                    parts.join("＋")
                };
                format!(
                    "按量计收：共 {pages} 页，{detail}，合计 {} 元",
                    per_volume_yuan(pages)
                )
            }
        }
    }
}

/// The fee of the applicant's `ordinal`-th request of a month, in yuan.
pub fn per_request_yuan(ordinal: u32) -> i64 {
    match ordinal {
        0..=10 => 0,
        11..=30 => 100,
        n => 100 + 100 * i64::from((n - 30).div_ceil(10)),
    }
}

/// (first page, last page, yuan per page) of each band.
const VOLUME_BANDS: [(u32, u32, i64); 4] = [
    (1, 30, 0),
    (31, 100, 10),
    (101, 200, 20),
    (201, u32::MAX, 40),
];

/// The fee of `pages` pages, progressive over the bands, in yuan.
pub fn per_volume_yuan(pages: u32) -> i64 {
    VOLUME_BANDS
        .iter()
        .map(|&(from, to, rate)| i64::from(pages.min(to).saturating_sub(from - 1)) * rate)
        .sum()
}

/// Formats fen as yuan with two decimals.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / FEN_PER_YUAN, (fen % FEN_PER_YUAN).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_request_at_every_band_edge() {
        for (n, fee) in [
            (1, 0),
            (10, 0),
            (11, 100),
            (30, 100),
            (31, 200),
            (40, 200),
            (41, 300),
            (50, 300),
            (51, 400),
            (100, 800),
            (101, 900),
        ] {
            assert_eq!(per_request_yuan(n), fee, "request #{n}");
        }
    }

    #[test]
    fn per_volume_is_progressive_at_every_band_edge() {
        for (pages, fee) in [
            (1, 0),
            (30, 0),
            (31, 10),
            (100, 700),
            (101, 720),
            (200, 2700),
            (201, 2740),
            (250, 4700),
        ] {
            assert_eq!(per_volume_yuan(pages), fee, "{pages} pages");
        }
        // Extreme input does not overflow.
        assert!(per_volume_yuan(u32::MAX) > 0);
        assert!(per_request_yuan(u32::MAX) > 0);
    }

    #[test]
    fn one_mode_only() {
        let both = FeeBasis::parse(Some(12), Some(40)).unwrap_err();
        assert_eq!(both.code, codes::Disclosure::FeeBothModes);
        let none = FeeBasis::parse(None, None).unwrap_err();
        assert_eq!(none.code, codes::Disclosure::FeeMode);
        assert_eq!(
            FeeBasis::parse(None, Some(0)).unwrap_err().code,
            codes::Disclosure::FeeMode
        );
        assert_eq!(
            FeeBasis::parse(None, Some(120)),
            Ok(FeeBasis::PerVolume { pages: 120 })
        );
        assert_eq!(
            FeeBasis::parse(Some(11), None).map(FeeBasis::mode),
            Ok(FeeMode::PerRequest)
        );
    }

    #[test]
    fn amounts_and_explanations() {
        let b = FeeBasis::PerVolume { pages: 120 };
        assert_eq!(b.amount_fen(), 110_000);
        assert_eq!(yuan(b.amount_fen()), "1100.00");
        assert_eq!(
            b.explain(),
            "按量计收：共 120 页，第31页起70页×10元＋第101页起20页×20元，合计 1100 元"
        );
        assert_eq!(
            FeeBasis::PerRequest { ordinal: 31 }.explain(),
            "按件计收：本申请为申请人本月第 31 件申请，收费 200 元"
        );
        let serde = serde_json::to_string(&b).unwrap();
        assert_eq!(serde, r#"{"mode":"per_volume","pages":120}"#);
    }
}
