//! Open311 GeoReport v2 over the 12345 hotline: the subject tree's leaves are the services,
//! tickets are the service requests. Anyone reads services and requests; posting a request
//! takes an API key an administrator issued (only its SHA-256 is kept).
//!
//! Mapping: `service_code` is a subject code; `service_request_id` is the ticket number;
//! `address_id` is the region code (GB/T 2260) the matter is in, which a ticket needs;
//! `address_string` (or `lat`,`long`) is the place; `first_name`/`last_name`/`phone` the
//! caller (a request without a phone is anonymous). A request is filed as a 求助 unless the
//! extension field `category` names another category. Status is `open` until the ticket is
//! closed. Requests of a 保密 caller and every 举报 are never listed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tongban_domain::codes;
use tongban_domain::hotline::{Category, Channel, TicketNumber, TicketStatus};
use tongban_domain::org::{Actor, Role};
use tongban_store::hotline::{TicketFilter, TicketRow};

use crate::error::{AppError, Result};
use crate::hotline::TicketInput;
use crate::App;

/// A GeoReport v2 service.
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    /// Always `realtime`: a request becomes a ticket at once.
    #[serde(rename = "type")]
    pub kind: String,
    pub keywords: String,
    pub group: String,
}

/// A GeoReport v2 service request.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: String,
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: Option<String>,
    pub address_id: String,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// What `POST requests` carries (the specification's fields, plus `category`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewRequest {
    #[serde(default)]
    pub api_key: String,
    #[serde(default)]
    pub service_code: String,
    #[serde(default)]
    pub lat: Option<String>,
    #[serde(default)]
    pub long: Option<String>,
    #[serde(default)]
    pub address_string: Option<String>,
    #[serde(default)]
    pub address_id: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub device_id: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub media_url: Option<String>,
    /// Extension: consult, help, complaint, report or suggestion (help when absent).
    #[serde(default)]
    pub category: Option<String>,
    /// The same as the service definition's attribute (`attribute[category]`), which wins.
    #[serde(default, rename = "attribute[category]")]
    pub attribute_category: Option<String>,
}

/// A service definition (`services/{service_code}`): the attributes a request may carry.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

/// One attribute of a service definition, as GeoReport v2 defines it.
#[derive(Debug, Clone, Serialize)]
pub struct Attribute {
    /// Whether a value is asked for (false: text shown only).
    pub variable: bool,
    pub code: String,
    /// string, number, datetime, text, singlevaluelist or multivaluelist.
    pub datatype: String,
    pub required: bool,
    pub datatype_description: String,
    pub order: u32,
    pub description: String,
    /// (key, name) for the list datatypes.
    pub values: Vec<(String, String)>,
}

/// What `tokens/{token}` answers.
#[derive(Debug, Clone, Serialize)]
pub struct TokenAnswer {
    pub service_request_id: String,
    pub token: String,
}

/// The answer to a posted request.
#[derive(Debug, Clone, Serialize)]
pub struct Posted {
    pub service_request_id: String,
    pub service_notice: String,
    pub account_id: Option<String>,
}

/// Which requests to list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RequestQuery {
    #[serde(default)]
    pub service_request_id: Option<String>,
    #[serde(default)]
    pub service_code: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub end_date: Option<String>,
}

fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.trim().as_bytes()))
}

fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn instant(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            AppError::new(
                codes::Request::Query,
                "日期应为 W3C 格式，如 2026-03-02T09:00:00+08:00",
            )
        })
}

impl App {
    /// An administrator issues a key for an outside system; the key is shown once.
    pub async fn issue_open311_key(&self, actor: &Actor, name: &str) -> Result<String> {
        if actor.role != Role::Admin {
            return Err(AppError::forbidden());
        }
        let name = tongban_domain::hotline::text(name, 100, codes::Hotline::Text)?;
        let key = format!("{:032x}", rand::random::<u128>());
        let entry = self.entry(
            actor,
            "open311.key.issue",
            String::new(),
            format!("签发 Open311 接口密钥：{name}"),
        );
        self.store
            .add_open311_key(&key_hash(&key), &name, actor.user_id, self.now(), entry)
            .await?;
        Ok(key)
    }

    /// The keys issued, newest first (administrators only).
    pub async fn open311_keys(
        &self,
        actor: &Actor,
    ) -> Result<Vec<tongban_store::hotline::Open311KeyRow>> {
        if actor.role != Role::Admin {
            return Err(AppError::forbidden());
        }
        Ok(self.store.open311_keys().await?)
    }

    /// An administrator revokes a key: posts with it are refused from now on
    /// (`hotline.open311_key`). Audited; an unknown or revoked key is
    /// `hotline.open311_key_unknown`.
    pub async fn revoke_open311_key(&self, actor: &Actor, id: i64) -> Result<()> {
        if actor.role != Role::Admin {
            return Err(AppError::forbidden());
        }
        let name = self
            .store
            .open311_keys()
            .await?
            .into_iter()
            .find(|k| k.id == id && k.revoked_at.is_none())
            .map(|k| k.name)
            .ok_or_else(|| AppError::of(codes::Hotline::Open311KeyUnknown))?;
        let entry = self.entry(
            actor,
            "open311.key.revoke",
            format!("open311_key:{id}"),
            format!("吊销 Open311 接口密钥：{name}"),
        );
        match self.store.revoke_open311_key(id, self.now(), entry).await {
            Ok(()) => Ok(()),
            Err(tongban_store::StoreError::NotFound(_)) => {
                Err(AppError::of(codes::Hotline::Open311KeyUnknown))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A service's definition: every service takes the extension attribute `category` (the
    /// request's 诉求类别, 求助 when absent). An unknown code is `hotline.open311_service`.
    pub async fn open311_service_definition(&self, code: &str) -> Result<ServiceDefinition> {
        let code = code.trim();
        if !self
            .open311_services()
            .await?
            .iter()
            .any(|s| s.service_code == code)
        {
            return Err(AppError::of(codes::Hotline::Open311Service));
        }
        Ok(ServiceDefinition {
            service_code: code.to_string(),
            attributes: vec![Attribute {
                variable: true,
                code: "category".into(),
                datatype: "singlevaluelist".into(),
                required: false,
                datatype_description: "诉求类别，不填为求助".into(),
                order: 1,
                description: "诉求类别".into(),
                values: Category::ALL
                    .iter()
                    .map(|c| (c.as_str().to_string(), c.label().to_string()))
                    .collect(),
            }],
        })
    }

    /// `tokens/{token}`: every request is taken at once (`type` realtime), so the token a
    /// request is known by is its `service_request_id`; a token of no listed request is
    /// `hotline.not_found`.
    pub async fn open311_token(&self, token: &str) -> Result<TokenAnswer> {
        let r = self.open311_request(token).await?;
        Ok(TokenAnswer {
            token: r.service_request_id.clone(),
            service_request_id: r.service_request_id,
        })
    }

    /// The services: every leaf of the subject tree, grouped by its parent.
    pub async fn open311_services(&self) -> Result<Vec<Service>> {
        let all = self.store.hotline_subjects().await?;
        let name_of = |code: &str| {
            all.iter()
                .find(|s| s.code == code)
                .map(|s| s.name.clone())
                .unwrap_or_default()
        };
        Ok(all
            .iter()
            .filter(|s| {
                s.parent.is_some() && !all.iter().any(|c| c.parent.as_deref() == Some(&s.code))
            })
            .map(|s| Service {
                service_code: s.code.clone(),
                service_name: s.name.clone(),
                description: format!("12345热线诉求：{}", s.name),
                metadata: true,
                kind: "realtime".into(),
                keywords: s.name.clone(),
                group: s.parent.as_deref().map(name_of).unwrap_or_default(),
            })
            .collect())
    }

    /// Requests as the public may read them, newest first (at most 1000; the last 90 days when
    /// no dates are given, as the specification says).
    pub async fn open311_requests(&self, q: &RequestQuery) -> Result<Vec<Request>> {
        if let Some(ids) = q
            .service_request_id
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            let mut out = Vec::new();
            for id in ids.split(',').take(100) {
                if let Ok(r) = self.open311_request(id).await {
                    out.push(r);
                }
            }
            return Ok(out);
        }
        let to = match q.end_date.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => instant(s)?,
            None => self.now() + chrono::Duration::seconds(1),
        };
        let from = match q.start_date.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => instant(s)?,
            None => to - chrono::Duration::days(90),
        };
        let closed = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some("open") => Some(false),
            Some("closed") => Some(true),
            Some(_) => {
                return Err(AppError::new(
                    codes::Request::Query,
                    "status 应为 open 或 closed",
                ))
            }
        };
        let subject = q
            .service_code
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let rows = self
            .store
            .tickets(&TicketFilter {
                subject,
                from: Some(from),
                to: Some(to),
                limit: 1000,
                ..Default::default()
            })
            .await?;
        let names = self.open311_agencies().await?;
        Ok(rows
            .into_iter()
            .filter(|r| r.confidential == 0 && r.category != Category::Report)
            .filter(|r| closed.is_none_or(|c| c == (r.status == TicketStatus::Closed)))
            .map(|r| request_of(r, &names))
            .collect())
    }

    /// One request by its id (the ticket number); hidden ones are not found.
    pub async fn open311_request(&self, id: &str) -> Result<Request> {
        let id = id.trim();
        let id = id
            .strip_suffix(".json")
            .or_else(|| id.strip_suffix(".xml"))
            .unwrap_or(id);
        let number = TicketNumber::parse(id).map_err(|_| AppError::of(codes::Hotline::NotFound))?;
        let row = self
            .store
            .ticket_row(number.as_str())
            .await?
            .filter(|r| r.confidential == 0 && r.category != Category::Report)
            .ok_or_else(|| AppError::of(codes::Hotline::NotFound))?;
        let names = self.open311_agencies().await?;
        Ok(request_of(row, &names))
    }

    async fn open311_agencies(&self) -> Result<std::collections::HashMap<i64, String>> {
        Ok(self
            .store
            .departments(None)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect())
    }

    /// `POST requests`: with a valid key, the request becomes a ticket (channel 移动端/API).
    pub async fn open311_post(&self, r: NewRequest) -> Result<Posted> {
        if r.api_key.trim().is_empty()
            || self
                .store
                .open311_key(&key_hash(&r.api_key))
                .await?
                .is_none()
        {
            return Err(AppError::of(codes::Hotline::Open311Key));
        }
        let trimmed = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let name = [trimmed(&r.last_name), trimmed(&r.first_name)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("");
        let place =
            trimmed(&r.address_string).or_else(|| match (trimmed(&r.lat), trimmed(&r.long)) {
                (Some(lat), Some(long)) => Some(format!("{lat},{long}")),
                _ => None,
            });
        let phone = trimmed(&r.phone);
        let input = TicketInput {
            category: trimmed(&r.attribute_category)
                .or_else(|| trimmed(&r.category))
                .unwrap_or_else(|| "help".into()),
            channel: None,
            subject: r.service_code.clone(),
            region: trimmed(&r.address_id).unwrap_or_default(),
            caller_name: (!name.is_empty()).then_some(name),
            anonymous: phone.is_none(),
            caller_phone: phone,
            confidential: false,
            place,
            text: r.description.clone(),
            ..TicketInput::default()
        };
        let (_, t) = self.take_ticket(None, Channel::App, input).await?;
        Ok(Posted {
            service_request_id: t.number.to_string(),
            service_notice: "已受理，可凭工单号查询办理进度".into(),
            account_id: None,
        })
    }
}

fn request_of(r: TicketRow, names: &std::collections::HashMap<i64, String>) -> Request {
    let updated = [Some(r.received_at), r.replied_at, r.closed_at]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(r.received_at);
    let closed = r.status == TicketStatus::Closed;
    Request {
        service_request_id: r.number,
        status: if closed { "closed" } else { "open" }.into(),
        status_notes: Some(r.status.label().to_string()),
        service_name: r.subject_name,
        service_code: r.subject,
        description: r.summary,
        agency_responsible: r
            .holder_department_id
            .map(|d| names.get(&d).cloned().unwrap_or_default())
            .or_else(|| Some("12345热线中心".into())),
        service_notice: None,
        requested_datetime: rfc3339(r.received_at),
        updated_datetime: rfc3339(updated),
        expected_datetime: r.due_at.map(rfc3339),
        address: None,
        address_id: r.region,
        zipcode: None,
        lat: None,
        long: None,
        media_url: None,
    }
}
