//! The catalog over JSON: published items for everyone, by filter or search, and one item by
//! code with the list of its versions.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use tongban_domain::catalog::ItemStatus;
use tongban_store::catalog::ItemFilter;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, ErrorBody};
use crate::json::ApiQuery;
use crate::AppState;

#[derive(Deserialize, IntoParams)]
pub struct ItemsQuery {
    /// Search words, e.g. 营业执照 (everyday words are mapped to official names).
    pub q: Option<String>,
    pub department_id: Option<i64>,
    /// A life event or audience, e.g. 开办企业, 生育.
    pub theme: Option<String>,
    /// `person` or `company`.
    pub serves: Option<String>,
    /// 网办深度 1–4.
    pub online_depth: Option<i64>,
    /// Type letters of the basic code: XK, QR, JF, ZS, JL, CJ, QT, GG, BA.
    pub item_type: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ItemListing {
    pub implementation_code: String,
    pub basic_code: String,
    pub name: String,
    pub item_type: String,
    pub department_id: i64,
    pub service_object: String,
    pub committed_limit_days: u32,
    pub statutory_limit_days: u32,
    pub online_depth: u8,
    pub max_visits: u8,
    pub version: i64,
    /// Why a search matched, when searching.
    pub snippet: String,
}

/// Published items, filtered and (with `q`) searched, best match first.
#[utoipa::path(get, path = "/api/v1/items", tag = "catalog", params(ItemsQuery), responses((status = 200, body = [ItemListing]), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ItemsQuery>,
) -> ApiResult<Json<Vec<ItemListing>>> {
    let filter = ItemFilter {
        department_id: q.department_id,
        theme: q.theme,
        serves: q.serves,
        online_depth: q.online_depth,
        item_type: q.item_type.map(|t| t.to_ascii_uppercase()),
        ..ItemFilter::default()
    };
    let found = s
        .app
        .find_items(q.q.as_deref().unwrap_or_default(), filter)
        .await?;
    Ok(Json(
        found
            .into_iter()
            .map(|f| ItemListing {
                implementation_code: f.summary.implementation_code,
                basic_code: f.summary.basic_code,
                name: f.item.name,
                item_type: f.item.item_type.label().into(),
                department_id: f.item.department_id,
                service_object: f.item.service_object.label().into(),
                committed_limit_days: f.item.committed_limit_days,
                statutory_limit_days: f.item.statutory_limit_days,
                online_depth: f.item.online_depth,
                max_visits: f.item.max_visits,
                version: f.summary.published_version.unwrap_or_default(),
                snippet: f.snippet,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct VersionMeta {
    pub version: i64,
    pub status: String,
    pub published_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ItemDocument {
    pub implementation_code: String,
    pub version: i64,
    /// Every element of the item (the version in force), as the catalog stores it.
    #[schema(value_type = Object)]
    pub item: serde_json::Value,
    /// The published history of the item: versions in force now or before.
    pub versions: Vec<VersionMeta>,
}

/// One published item by implementation code (or basic code), with its versions.
#[utoipa::path(get, path = "/api/v1/items/{code}", tag = "catalog", params(("code" = String, Path, description = "实施编码或基本编码")), responses((status = 200, body = ItemDocument), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<ItemDocument>> {
    let (summary, version) = s.app.public_item(&code).await?;
    let versions = s
        .app
        .store
        .item_versions(summary.id)
        .await?
        .into_iter()
        .filter(|v| matches!(v.status, ItemStatus::Published | ItemStatus::Superseded))
        .map(|v| VersionMeta {
            version: v.version,
            status: v.status.as_str().into(),
            published_at: v.published_at.map(|t| t.to_rfc3339()),
        })
        .collect();
    Ok(Json(ItemDocument {
        implementation_code: summary.implementation_code,
        version: version.version,
        item: serde_json::to_value(&version.item).map_err(tongban_app::AppError::internal)?,
        versions,
    }))
}
