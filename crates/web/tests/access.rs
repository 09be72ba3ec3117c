//! The access-control matrix (issue 16): every route × every role, checked against the table
//! below of who may reach what.
//!
//! The routes are not listed by hand: the API's come from the OpenAPI document (built with the
//! router in one pass), the pages' from the `.route(…)` calls in `src/`. A route without an
//! entry in [`ACCESS`], or an entry without a route, fails the test, so a new route cannot ship
//! without someone deciding who may use it.
//!
//! Each route is requested once per role (and anonymously) on the demo city, with real numbers
//! in its path and, for the API, a body built from its schema. A role the table does not list
//! must be turned away: 401 (API) or the sign-in page (pages) for anonymous callers, 403, or
//! 404 (a record the role may not know of is answered as missing). A role it lists must not be:
//! what it gets may be anything else (a page, a list, a refusal of the request's content such as
//! 422 or 409), but never 401/403/the sign-in page.
//!
//! `ACCESS_MATRIX_PRINT=1` prints the table as observed, to review when adding routes.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::*;
use serde_json::{json, Value};
use tower::ServiceExt;

/// The roles, each with a demo sign-in, and anonymous callers.
const ROLES: [(&str, Option<&str>); 12] = [
    ("anonymous", None),
    ("applicant", Some("user01")),
    ("agent", Some("daiban.binjiang")),
    ("clerk", Some("scjg.clerk")),
    ("approver", Some("scjg.approver")),
    ("dept_head", Some("scjg.head")),
    ("supervisor", Some("jiancha")),
    ("legal", Some("fazhi")),
    ("leader", Some("lingdao")),
    ("admin", Some("admin")),
    ("operator", Some("huawu")),
    ("hotline_centre", Some("rexian")),
];

/// Who may reach each route: `*` everyone (anonymous too), `signed` every signed-in role, or
/// the roles by their wire names. An empty list: no role gets past with the numbers the test
/// uses (a public document without its code, a file not on the case, the metrics this router
/// does not serve), so the test checks only that none gets through.
///
/// For writes, "reach" means getting past the door with the least body that parses: where a
/// use case reads the request (a region code, a form) before asking who is acting, every
/// signed-in role reaches it and the refusal comes after, as a 403 for a well-formed request
/// (the use-case tests check those). Reads are checked both ways exactly.
const ACCESS: &[(&str, &str)] = &[
    // 一件事一次办.
    ("GET /api/v1/bundles", "*"),
    ("GET /api/v1/bundles/{code}", "*"),
    ("POST /api/v1/bundle-cases", "signed"),
    (
        "GET /api/v1/bundle-cases/{number}",
        "applicant supervisor leader admin",
    ),
    (
        "GET /api/v1/catalog/bundles",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    (
        "POST /api/v1/catalog/bundles",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    ("POST /api/v1/catalog/bundles/{id}/actions", "signed"),
    (
        "PUT /api/v1/catalog/bundles/{id}/versions/{version}",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    ("GET /bundles", "*"),
    ("GET /bundles/{code}", "*"),
    ("GET /bundles/{code}/apply", "applicant"),
    ("POST /bundles/{code}/apply", "signed"),
    (
        "GET /bundle-cases/{number}",
        "applicant supervisor leader admin",
    ),
    (
        "GET /catalog/bundles",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    (
        "POST /catalog/bundles",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    (
        "GET /catalog/bundles/{id}",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    (
        "POST /catalog/bundles/{id}/save",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    ("POST /catalog/bundles/{id}/act", "signed"),
    ("DELETE /api/v1/session", "*"),
    ("GET /", "*"),
    ("GET /12345", "*"),
    ("GET /12345/rates", "*"),
    ("GET /12345/report", "*"),
    ("GET /account/password", "signed"),
    (
        "GET /admin",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    ("GET /admin/applicants", "admin"),
    ("GET /admin/audit", "supervisor admin"),
    (
        "GET /admin/calendar",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    ("GET /admin/clock", "admin"),
    (
        "GET /admin/departments",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    (
        "GET /admin/halls",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    (
        "GET /admin/posts",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    (
        "GET /admin/regions",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    ("GET /admin/settings", "admin"),
    (
        "GET /admin/staff",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    (
        "GET /admin/windows",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    ("GET /api/v1/admin/departments/{id}/seal-keys", "admin"),
    ("GET /api/v1/audit", "supervisor admin"),
    ("GET /api/v1/calendar/due", "*"),
    ("GET /api/v1/calendar/workdays", "*"),
    ("GET /api/v1/cases", "signed"),
    (
        "GET /api/v1/cases/{number}",
        "clerk approver dept_head supervisor leader admin",
    ),
    (
        "GET /api/v1/cases/{number}/applicant",
        "clerk approver dept_head",
    ),
    (
        "GET /api/v1/cases/{number}/documents",
        "clerk approver dept_head supervisor leader admin",
    ),
    (
        "GET /api/v1/cases/{number}/events",
        "clerk approver dept_head supervisor leader admin",
    ),
    (
        "GET /api/v1/departments",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    ("GET /api/v1/disclosure/catalog", "*"),
    ("GET /api/v1/disclosure/catalog/{entry}", "*"),
    ("GET /api/v1/disclosure/gazettes", "*"),
    ("GET /api/v1/disclosure/gazettes/{issue}", "*"),
    (
        "GET /api/v1/disclosure/report",
        "applicant clerk approver dept_head supervisor leader admin",
    ),
    (
        "GET /api/v1/disclosure/requests",
        "applicant clerk approver dept_head",
    ),
    (
        "GET /api/v1/disclosure/requests/{number}",
        "supervisor leader admin",
    ),
    (
        "GET /api/v1/documents/{doc}/file",
        "clerk approver dept_head supervisor leader admin",
    ),
    (
        "GET /api/v1/halls",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    ("GET /api/v1/hotline/knowledge", "signed"),
    ("GET /api/v1/hotline/route", "signed"),
    ("GET /api/v1/hotline/subjects", "*"),
    (
        "GET /api/v1/hotline/tickets",
        "clerk approver dept_head supervisor leader admin operator hotline_centre",
    ),
    (
        "GET /api/v1/hotline/tickets/{number}",
        "supervisor leader admin operator hotline_centre",
    ),
    (
        "GET /api/v1/hotline/tickets/{number}/photos/{seq}",
        "supervisor leader admin operator hotline_centre",
    ),
    (
        "GET /api/v1/public/hotline/tickets/{number}/photos/{seq}",
        "*",
    ),
    ("GET /api/v1/items", "*"),
    ("GET /api/v1/items/{code}", "*"),
    ("GET /api/v1/licences", "signed"),
    (
        "GET /api/v1/licences/{number}",
        "clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    ("GET /api/v1/me", "signed"),
    ("GET /api/v1/openapi.json", "*"),
    ("GET /api/v1/opengov/consultations", "*"),
    ("GET /api/v1/opengov/consultations/{number}", "*"),
    ("GET /api/v1/opengov/proposals", "*"),
    ("GET /api/v1/opengov/proposals/{number}", "*"),
    ("GET /api/v1/opengov/notices", "*"),
    ("GET /api/v1/opengov/notices/{number}", "*"),
    ("GET /api/v1/opengov/meetings", "*"),
    ("GET /api/v1/opengov/meetings/{number}", "*"),
    ("GET /api/v1/opengov/commitments", "*"),
    ("GET /api/v1/opengov/visits", "*"),
    ("GET /api/v1/opengov/licensing", "*"),
    ("GET /api/v1/performance/periods/{id}/drill", "signed"),
    ("GET /api/v1/performance/preview", "signed"),
    (
        "GET /api/v1/performance/schemes",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    (
        "GET /api/v1/posts",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    ("GET /api/v1/public/cases/{number}", "*"),
    ("GET /api/v1/public/documents/root.pem", "*"),
    ("GET /api/v1/public/documents/{doc}", ""),
    ("GET /api/v1/public/hotline/rates", "*"),
    ("GET /api/v1/public/hotline/report", "*"),
    ("GET /open311/v2/services.json", "*"),
    ("GET /open311/v2/requests.json", "*"),
    ("GET /open311/v2/requests/{service_request_id}", "*"),
    ("POST /open311/v2/requests.json", ""),
    ("POST /api/v1/admin/open311/keys", "admin"),
    ("GET /api/v1/admin/open311/keys", "admin"),
    ("DELETE /api/v1/admin/open311/keys/{id}", "admin"),
    ("GET /open311/v2/services.xml", "*"),
    ("GET /open311/v2/services/{service_code}", "*"),
    ("GET /open311/v2/requests.xml", "*"),
    ("POST /open311/v2/requests.xml", ""),
    ("GET /open311/v2/tokens/{token}", "*"),
    ("GET /api/v1/public/hotline/tickets/{number}", "*"),
    ("GET /api/v1/public/performance/periods", "*"),
    ("GET /api/v1/public/performance/periods/{id}", "*"),
    // 社会评议 and the members' scores (issue 20).
    ("GET /api/v1/performance/surveys", "supervisor leader admin"),
    (
        "GET /api/v1/performance/surveys/{id}",
        "supervisor leader admin",
    ),
    (
        "POST /api/v1/performance/surveys",
        "supervisor leader admin",
    ),
    (
        "POST /api/v1/performance/surveys/{id}/invitations",
        "supervisor leader admin",
    ),
    (
        "POST /api/v1/performance/surveys/{id}/publish",
        "supervisor leader admin",
    ),
    ("GET /api/v1/public/surveys", "*"),
    ("GET /api/v1/public/surveys/{id}", "*"),
    ("GET /api/v1/public/survey-links/{token}", "*"),
    ("POST /api/v1/public/survey-links/{token}", "*"),
    (
        "GET /api/v1/performance/periods/{id}/members/{group}",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    // The query is read first (a drill without its indicator is 422 for anyone signed in).
    (
        "GET /api/v1/performance/periods/{id}/members/{group}/{member}/drill",
        "signed",
    ),
    ("GET /performance/surveys", "supervisor leader admin"),
    ("POST /performance/surveys", "signed"),
    ("GET /performance/surveys/{id}", "*"),
    ("POST /performance/surveys/{id}/links", "signed"),
    ("POST /performance/surveys/{id}/publish", "signed"),
    ("GET /survey/{token}", "*"),
    ("POST /survey/{token}", "*"),
    ("GET /api/v1/public/ratings", "*"),
    ("GET /api/v1/public/windows/{id}/device", "*"),
    (
        "GET /api/v1/ratings",
        "clerk approver dept_head supervisor leader admin",
    ),
    (
        "GET /api/v1/ratings/{number}",
        "clerk approver dept_head supervisor leader admin",
    ),
    ("GET /api/v1/ratings/{number}/rater", "supervisor leader"),
    (
        "GET /api/v1/regions",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    (
        "GET /api/v1/staff",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    (
        "GET /api/v1/supervision/admonitions",
        "clerk approver dept_head supervisor leader admin",
    ),
    ("GET /api/v1/supervision/board", "supervisor leader admin"),
    (
        "GET /api/v1/supervision/board/cases",
        "supervisor leader admin",
    ),
    (
        "GET /api/v1/supervision/findings",
        "supervisor leader admin",
    ),
    (
        "GET /api/v1/supervision/orders",
        "dept_head supervisor leader admin",
    ),
    (
        "GET /api/v1/supervision/warnings",
        "supervisor leader admin",
    ),
    (
        "GET /api/v1/windows",
        "agent clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    ("GET /calendar", "*"),
    ("GET /cases/new", "applicant agent clerk dept_head"),
    (
        "GET /cases/search",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    (
        "GET /cases/{number}",
        "clerk approver dept_head supervisor leader admin",
    ),
    (
        "GET /cases/{number}/documents/{doc}",
        "clerk approver dept_head supervisor leader admin",
    ),
    ("GET /cases/{number}/files/{hash}", ""),
    (
        "GET /catalog",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    ("GET /catalog/export.xlsx", "admin"),
    ("GET /catalog/import", "admin"),
    ("GET /catalog/new", "approver dept_head admin"),
    (
        "GET /catalog/{id}",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    (
        "GET /catalog/{id}/v/{version}",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    (
        "GET /catalog/{id}/v/{version}/edit",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    ("GET /disclosure", "signed"),
    ("GET /disclosure/catalog", "*"),
    ("GET /disclosure/catalog/{entry}", "*"),
    ("GET /disclosure/gazettes", "*"),
    ("GET /disclosure/gazettes/{issue}", "*"),
    (
        "GET /disclosure/report",
        "applicant clerk approver dept_head supervisor leader admin",
    ),
    (
        "GET /disclosure/report.xlsx",
        "applicant clerk approver dept_head supervisor leader admin",
    ),
    ("GET /disclosure/report/entries", "signed"),
    ("GET /disclosure/report/requests", "signed"),
    (
        "GET /disclosure/requests/{number}",
        "supervisor leader admin",
    ),
    ("GET /documents/root.pem", "*"),
    ("GET /documents/{doc}/{file}", ""),
    ("GET /files/{hash}", ""),
    ("GET /healthz", "*"),
    (
        "GET /hotline",
        "clerk approver dept_head supervisor leader admin operator hotline_centre",
    ),
    (
        "GET /hotline/tickets/{number}",
        "supervisor leader admin operator hotline_centre",
    ),
    (
        "GET /hotline/tickets/{number}/photos/{seq}",
        "supervisor leader admin operator hotline_centre",
    ),
    ("GET /12345/tickets/{number}/photos/{seq}", "*"),
    (
        "GET /hotline/list",
        "supervisor leader admin operator hotline_centre",
    ),
    (
        "GET /hotline/list.xlsx",
        "supervisor leader admin operator hotline_centre",
    ),
    ("GET /items", "*"),
    ("GET /items/power-list.xlsx", "*"),
    ("GET /items/power-list.zip", "*"),
    ("GET /items/{code}", "*"),
    ("GET /items/{code}/apply", "applicant agent clerk dept_head"),
    ("GET /items/{code}/blank/{key}", "*"),
    // The check-your-answers step is the online applicant's; window intake files directly.
    ("GET /items/{code}/apply/check", "applicant"),
    ("GET /favicon.ico", "*"),
    ("GET /licences", "signed"),
    (
        "GET /licences/{number}",
        "clerk approver dept_head supervisor legal leader admin operator hotline_centre",
    ),
    ("GET /login", "*"),
    ("GET /login/sms", "*"),
    ("GET /me", "signed"),
    ("GET /metrics", ""),
    ("GET /opengov", "*"),
    ("GET /opengov/consultations", "*"),
    ("GET /opengov/consultations/{number}", "*"),
    ("GET /opengov/consultations/{number}/comments.csv", "*"),
    ("GET /opengov/proposals", "*"),
    ("GET /opengov/proposals/{number}", "*"),
    ("GET /opengov/consultations/{number}/comments.xlsx", "*"),
    ("GET /opengov/notices", "*"),
    ("GET /opengov/notices/{number}", "*"),
    ("GET /opengov/meetings", "*"),
    ("GET /opengov/meetings/{number}", "*"),
    ("GET /opengov/commitments", "*"),
    ("GET /opengov/visits", "*"),
    ("GET /opengov/hall", "*"),
    ("GET /opengov/kiosk", "*"),
    ("GET /opengov/licensing", "*"),
    ("GET /performance", "supervisor legal leader admin"),
    ("GET /performance/periods/{id}", "*"),
    ("GET /performance/periods/{id}/export.xlsx", "*"),
    ("GET /performance/periods/{id}/units/{kind}/{unit}", "*"),
    (
        "GET /performance/periods/{id}/members/{group}",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    (
        "GET /performance/periods/{id}/members/{group}/{member}/{indicator}",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    (
        "GET /performance/periods/{id}/units/{kind}/{unit}/{indicator}",
        "clerk approver dept_head supervisor legal leader admin",
    ),
    ("GET /performance/public", "*"),
    ("GET /prefs/text", "*"),
    ("GET /rate/window/{id}", "*"),
    (
        "GET /ratings",
        "clerk approver dept_head supervisor leader admin",
    ),
    ("GET /ratings/month", "*"),
    (
        "GET /ratings/{number}",
        "clerk approver dept_head supervisor leader admin",
    ),
    ("GET /readyz", "*"),
    ("GET /password/forgot", "*"),
    ("GET /register", "*"),
    ("GET /static/{*path}", "*"),
    ("GET /supervision", "supervisor leader admin"),
    (
        "GET /supervision/admonitions",
        "clerk approver dept_head supervisor leader admin",
    ),
    ("GET /supervision/cases", "supervisor leader admin"),
    ("GET /supervision/cases.xlsx", "supervisor leader admin"),
    ("GET /supervision/findings.xlsx", "supervisor leader admin"),
    ("GET /supervision/stream", "supervisor leader admin"),
    ("GET /supervision/warnings.xlsx", "supervisor leader admin"),
    ("GET /track", "*"),
    ("GET /verify", "*"),
    ("GET /verify/file", "*"),
    ("GET /verify/{doc}", ""),
    ("GET /workbench", "signed"),
    ("POST /12345", "*"),
    ("POST /account/password", "signed"),
    ("POST /admin/calendar/day", "signed"),
    ("POST /admin/calendar/ics", "signed"),
    ("POST /admin/calendar/remove", "signed"),
    ("POST /admin/calendar/year", "signed"),
    ("POST /admin/clock", "admin"),
    ("POST /admin/departments", "signed"),
    ("POST /admin/halls", "signed"),
    ("POST /admin/posts", "signed"),
    ("POST /admin/regions", "signed"),
    ("POST /admin/settings", "signed"),
    ("POST /admin/staff", "signed"),
    ("POST /admin/users/{id}/away", "admin"),
    ("POST /admin/users/{id}/back", "admin"),
    ("POST /admin/users/{id}/unlock", "admin"),
    ("POST /admin/windows", "signed"),
    ("POST /api/v1/admin/clock/advance", "admin"),
    ("POST /api/v1/admin/departments/{id}/seal-keys", "admin"),
    ("POST /api/v1/admin/seal-keys/{id}/revoke", "admin"),
    ("POST /api/v1/applicants", "*"),
    ("POST /api/v1/cases", "signed"),
    (
        "POST /api/v1/cases/files",
        "applicant agent clerk dept_head",
    ),
    ("POST /api/v1/cases/{number}/actions", "signed"),
    ("POST /api/v1/cases/{number}/rating", ""),
    ("POST /api/v1/departments", "signed"),
    (
        "POST /api/v1/disclosure/catalog",
        "clerk approver dept_head",
    ),
    ("POST /api/v1/disclosure/catalog/{entry}/actions", ""),
    (
        "POST /api/v1/disclosure/gazettes",
        "clerk approver dept_head",
    ),
    ("POST /api/v1/disclosure/requests", ""),
    ("POST /api/v1/disclosure/requests/{number}/actions", ""),
    ("POST /api/v1/documents/{doc}/revoke", "dept_head admin"),
    ("POST /api/v1/halls", "signed"),
    ("POST /api/v1/hotline/calls", "operator hotline_centre"),
    ("POST /api/v1/hotline/tickets", "operator hotline_centre"),
    (
        "POST /api/v1/hotline/tickets/{number}/actions",
        "operator hotline_centre",
    ),
    ("POST /api/v1/licences/{number}/acts", "signed"),
    ("POST /api/v1/me/password", "signed"),
    (
        "POST /api/v1/opengov/consultations",
        "clerk approver dept_head",
    ),
    ("POST /api/v1/opengov/consultations/{number}/actions", ""),
    ("POST /api/v1/opengov/consultations/{number}/comments", "*"),
    ("POST /api/v1/opengov/proposals", "clerk approver dept_head"),
    ("POST /api/v1/opengov/proposals/{number}/actions", ""),
    ("POST /api/v1/opengov/notices", "clerk approver dept_head"),
    ("POST /api/v1/opengov/notices/{number}/objections", "*"),
    ("POST /api/v1/opengov/notices/{number}/actions", ""),
    ("POST /api/v1/opengov/meetings", "clerk approver dept_head"),
    ("POST /api/v1/opengov/meetings/{number}/registrations", "*"),
    ("POST /api/v1/opengov/meetings/{number}/minutes", ""),
    ("POST /api/v1/opengov/meetings/{number}/questions", "*"),
    ("POST /api/v1/opengov/meetings/{number}/answers", ""),
    (
        "POST /api/v1/opengov/commitments",
        "clerk approver dept_head",
    ),
    ("POST /api/v1/opengov/commitments/{id}/status", ""),
    ("POST /api/v1/opengov/visits", "clerk approver dept_head"),
    ("POST /api/v1/opengov/follows", "applicant"),
    ("POST /api/v1/performance/flags/{id}/actions", ""),
    (
        "POST /api/v1/performance/periods",
        "supervisor leader admin",
    ),
    (
        "POST /api/v1/performance/periods/{id}/corrections",
        "supervisor leader admin",
    ),
    ("POST /api/v1/performance/schemes", "supervisor admin"),
    ("POST /api/v1/performance/schemes/{id}/actions", "signed"),
    ("POST /api/v1/posts", ""),
    ("POST /api/v1/public/documents/verify", "*"),
    ("POST /api/v1/public/hotline/tickets", "*"),
    ("POST /api/v1/public/windows/{id}/rating", "*"),
    ("POST /api/v1/ratings/{number}/actions", "supervisor leader"),
    ("POST /api/v1/regions", "signed"),
    ("POST /api/v1/session", "*"),
    ("POST /api/v1/staff", "signed"),
    ("POST /api/v1/supervision/admonitions", ""),
    // Finding 1 exists in the demo (the history's late case, the overdue open-government
    // matters): a supervisor decides it.
    (
        "POST /api/v1/supervision/findings/{id}/decision",
        "supervisor",
    ),
    ("POST /api/v1/supervision/orders", "supervisor"),
    ("POST /api/v1/supervision/orders/{id}/close", ""),
    ("POST /api/v1/supervision/orders/{id}/reply", ""),
    ("POST /api/v1/users/{id}/unlock", "admin"),
    ("POST /api/v1/validate", "*"),
    ("POST /api/v1/windows", ""),
    ("POST /api/v1/windows/{id}/duty", "clerk approver dept_head"),
    ("POST /api/v1/windows/{id}/visits", "dept_head"),
    ("POST /cases/new", "signed"),
    // A refused action comes back to the case page with its refusal (post/redirect/get), so
    // every signed-in role passes the door; the engine refuses who may not act.
    ("POST /cases/{number}/act", "signed"),
    ("POST /cases/{number}/rating", "signed"),
    ("POST /catalog/import", "signed"),
    ("POST /catalog/new", "approver dept_head admin"),
    ("POST /catalog/preview", "approver dept_head admin"),
    ("POST /catalog/{id}/new-version", "approver dept_head admin"),
    ("POST /catalog/{id}/v/{version}/action", "signed"),
    (
        "POST /catalog/{id}/v/{version}/edit",
        "approver dept_head admin",
    ),
    ("POST /disclosure", ""),
    ("POST /disclosure/catalog", "signed"),
    ("POST /disclosure/catalog/{entry}/act", "signed"),
    ("POST /disclosure/gazettes", "clerk approver dept_head"),
    (
        "POST /disclosure/report",
        "applicant dept_head supervisor leader admin",
    ),
    (
        "POST /disclosure/requests/{number}/act",
        "supervisor leader admin",
    ),
    ("POST /hotline/tickets", "signed"),
    ("POST /hotline/tickets/{number}/act", "signed"),
    ("POST /items/{code}/apply", "signed"),
    ("POST /items/{code}/apply/check", "applicant"),
    ("POST /login", "*"),
    ("POST /login/sms", "*"),
    ("POST /login/sms/send", "*"),
    ("POST /logout", "*"),
    ("POST /opengov/consultations", "clerk approver dept_head"),
    ("POST /opengov/consultations/{number}/act", "signed"),
    ("POST /opengov/consultations/{number}/comment", "*"),
    ("POST /opengov/proposals", "signed"),
    ("POST /opengov/proposals/{number}/act", "signed"),
    ("POST /opengov/notices", "signed"),
    ("POST /opengov/notices/{number}/object", "*"),
    ("POST /opengov/notices/{number}/act", "signed"),
    ("POST /opengov/meetings", "signed"),
    ("POST /opengov/meetings/{number}/register", "*"),
    ("POST /opengov/meetings/{number}/ask", "*"),
    ("POST /opengov/meetings/{number}/act", ""),
    ("POST /opengov/commitments", "signed"),
    ("POST /opengov/visits", "clerk approver dept_head"),
    ("POST /opengov/follow", "signed"),
    ("POST /password/forgot", "*"),
    ("POST /password/forgot/send", "*"),
    ("POST /performance/flags/{id}/act", "signed"),
    ("POST /performance/periods", "signed"),
    ("POST /performance/periods/{id}/correct", "signed"),
    ("POST /performance/schemes", "signed"),
    ("POST /performance/schemes/{id}/act", "signed"),
    ("POST /rate/window/{id}", "*"),
    ("POST /ratings/{number}/act", "signed"),
    ("POST /register", "*"),
    ("POST /supervision/admonitions", "supervisor"),
    ("POST /supervision/findings/{id}", "signed"),
    ("POST /supervision/orders", "signed"),
    ("POST /supervision/orders/{id}/close", "signed"),
    ("POST /supervision/orders/{id}/reply", "signed"),
    ("POST /verify/file", "*"),
    ("PUT /api/v1/users/{id}/away", "admin"),
];

/// How an answer counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// Turned away at the door: 401, 403, the sign-in page.
    Refused,
    /// 404: missing, or not to be known of by this role.
    Missing,
    /// Anything else: the route did its work, or refused what was asked (422, 409, 429…).
    Reached,
}

fn allowed(rule: &str, role: &str) -> bool {
    match rule {
        "*" => true,
        "signed" => role != "anonymous",
        roles => roles.split_whitespace().any(|r| r == role),
    }
}

/// Every `(METHOD, path)` the pages register, read from the source.
fn page_routes() -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![dir.join("lib.rs")];
    for e in std::fs::read_dir(dir.join("pages")).unwrap() {
        files.push(e.unwrap().path());
    }
    let mut out = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find(".route(") {
            rest = &rest[i + ".route(".len()..];
            // The arguments, up to the matching parenthesis.
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .unwrap();
            let args = &rest[..end];
            let Some(path) = args.split('"').nth(1) else {
                continue;
            };
            for m in ["get", "post", "put", "delete", "patch"] {
                let call = format!("{m}(");
                let found = args.match_indices(&call).any(|(i, _)| {
                    i == 0 || {
                        let before = args.as_bytes()[i - 1];
                        !(before.is_ascii_alphanumeric() || before == b'_')
                    }
                });
                if found {
                    out.insert((m.to_ascii_uppercase(), path.to_string()));
                }
            }
        }
    }
    out
}

/// Every `(METHOD, path)` of the API, from its OpenAPI document, with the operation.
fn api_routes(doc: &Value) -> BTreeMap<(String, String), Value> {
    let mut out = BTreeMap::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            out.insert((method.to_ascii_uppercase(), path.clone()), op.clone());
        }
    }
    out
}

/// A value of `schema` with every required field: the least a body can be and still parse,
/// so a role is refused for who it is and not for an unreadable body.
fn example(schema: &Value, doc: &Value, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        return example(&doc["components"]["schemas"][name], doc, depth + 1);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema[key]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["type"] != "null").or_else(|| a.first()))
        {
            if key == "allOf" {
                let mut merged = serde_json::Map::new();
                for part in schema[key].as_array().unwrap() {
                    if let Value::Object(o) = example(part, doc, depth + 1) {
                        merged.extend(o);
                    }
                }
                return Value::Object(merged);
            }
            return example(first, doc, depth + 1);
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        return values.first().cloned().unwrap_or(Value::Null);
    }
    let ty = match &schema["type"] {
        Value::Array(types) => types
            .iter()
            .find(|t| *t != "null")
            .and_then(Value::as_str)
            .unwrap_or("null")
            .to_string(),
        Value::String(t) => t.clone(),
        _ if schema.get("properties").is_some() => "object".into(),
        _ => "null".into(),
    };
    match ty.as_str() {
        "object" => {
            let required: BTreeSet<&str> = schema["required"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut o = serde_json::Map::new();
            if let Some(props) = schema["properties"].as_object() {
                for (k, v) in props {
                    if required.contains(k.as_str()) {
                        o.insert(k.clone(), example(v, doc, depth + 1));
                    }
                }
            }
            Value::Object(o)
        }
        "array" => json!([]),
        "string" => match schema["format"].as_str() {
            Some("date") => json!("2026-03-02"),
            Some("date-time") => json!("2026-03-02T09:00:00+08:00"),
            _ => json!("x"),
        },
        "integer" | "number" => json!(0),
        "boolean" => json!(false),
        _ => Value::Null,
    }
}

/// The demo's records whose numbers go into paths.
struct Ids {
    case: String,
    document: String,
    ticket: String,
    disclosure: String,
    catalog_entry: String,
    gazette: String,
    rating: String,
    licence: String,
    consultation: String,
    proposal: String,
    notice: String,
    meeting: String,
    period: String,
    scheme: String,
    survey: String,
    item_id: String,
    item_code: String,
    bundle_case: String,
    window: String,
    department: String,
    user: String,
    file: String,
}

/// A bundle filed online by `user01` (失业一件事, both members at 人社局), for the bundle routes.
async fn bundle_case(app: &tongban_app::App) -> String {
    let user =
        tongban_app::accounts::actor_of(&app.store.user_by_login("user01").await.unwrap().unwrap());
    let pb = app.public_bundle("YJS0002").await.unwrap();
    let mut materials = std::collections::BTreeMap::new();
    for m in pb.guide.materials.iter().filter(|m| m.required) {
        let f = app
            .upload_case_file(&user, "m.pdf", format!("%PDF-1.4\n{}\n", m.key).as_bytes())
            .await
            .unwrap();
        materials.insert(m.key.clone(), vec![f]);
    }
    app.submit_bundle(
        &user,
        tongban_app::bundles::NewBundleCase {
            bundle_code: "YJS0002".into(),
            applicant: None,
            village: false,
            pickup_hall_id: None,
            delivery: tongban_domain::catalog::Delivery::Online,
            materials,
            form: Default::default(),
            idempotency_key: None,
        },
    )
    .await
    .unwrap()
}

/// `path` with its parameters filled from `ids`, by what the path is about.
fn fill(path: &str, ids: &Ids) -> String {
    let mut out = String::new();
    let mut rest = path;
    let mut before = String::new();
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        before.push_str(&rest[..i]);
        let j = rest[i..].find('}').unwrap() + i;
        let name = &rest[i + 1..j];
        let about = before.trim_end_matches('/');
        let v = match name {
            "number" if about.ends_with("/bundle-cases") => &ids.bundle_case,
            "number" if about.ends_with("/cases") => &ids.case,
            "number" if about.ends_with("/tickets") => &ids.ticket,
            "service_request_id" => &ids.ticket,
            "number" if about.ends_with("/requests") => &ids.disclosure,
            "entry" => &ids.catalog_entry,
            "issue" => &ids.gazette,
            "number" if about.ends_with("/ratings") => &ids.rating,
            "number" if about.ends_with("/licences") => &ids.licence,
            "number" if about.ends_with("/consultations") => &ids.consultation,
            "number" if about.ends_with("/proposals") => &ids.proposal,
            "number" if about.ends_with("/notices") => &ids.notice,
            "number" if about.ends_with("/meetings") => &ids.meeting,
            "doc" => &ids.document,
            "file" => "pdf",
            "hash" => &ids.file,
            "code" if about.ends_with("/bundles") => "YJS0002",
            "code" => &ids.item_code,
            "key" => "m1",
            "version" => "1",
            "kind" => "department",
            "group" => "staff",
            "unit" => &ids.department,
            "indicator" => "on_time",
            "*path" => "app.css",
            "id" if about.ends_with("/periods") => &ids.period,
            "id" if about.ends_with("/schemes") => &ids.scheme,
            "id" if about.ends_with("/surveys") => &ids.survey,
            "id" if about.ends_with("/catalog") => &ids.item_id,
            "id" if about.ends_with("/windows") || about.ends_with("/window") => &ids.window,
            "id" if about.ends_with("/departments") => &ids.department,
            "id" if about.ends_with("/users") => &ids.user,
            _ => "1",
        };
        out.push_str(v);
        before.push_str(v);
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    out
}

async fn request(
    t: &TestApp,
    method: &str,
    path: &str,
    session: Option<&Session>,
    body: Option<(&str, String)>,
) -> (StatusCode, String, String) {
    let mut req = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(path)
        .header(header::HOST, "localhost");
    if let Some(s) = session {
        req = req
            .header(header::COOKIE, &s.cookie)
            .header("x-csrf-token", &s.csrf);
    }
    let body = match body {
        Some((ct, b)) => {
            req = req.header(header::CONTENT_TYPE, ct);
            Body::from(b)
        }
        None => Body::empty(),
    };
    let res = t
        .router
        .clone()
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    // The board's live stream never ends: its head is all there is to read.
    let is_stream = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    let code = if is_stream || !path.starts_with("/api/") {
        String::new()
    } else {
        let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
            .await
            .unwrap_or_default();
        serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v["code"].as_str().map(str::to_string))
            .unwrap_or_default()
    };
    (status, location, code)
}

fn seen(status: StatusCode, location: &str, code: &str) -> Seen {
    match status {
        StatusCode::FORBIDDEN => Seen::Refused,
        // A wrong password at sign-in is the route working, not a refusal of the caller.
        StatusCode::UNAUTHORIZED if code != "auth.bad_credentials" => Seen::Refused,
        StatusCode::NOT_FOUND => Seen::Missing,
        s if s.is_redirection() && location.starts_with("/login") => Seen::Refused,
        _ => Seen::Reached,
    }
}

/// The first value of `key` in the first array found in `v` (a list answer, bare or wrapped).
fn first(v: &Value, key: &str) -> Option<String> {
    match v {
        Value::Array(a) => a.iter().find_map(|x| match &x[key] {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => first(x, key),
        }),
        Value::Object(o) => o.values().find_map(|x| first(x, key)),
        _ => None,
    }
}

async fn lookup(t: &TestApp, s: &Session, path: &str, key: &str) -> String {
    let r = t.get(path, Some(s)).await;
    first(&r.json(), key).unwrap_or_else(|| panic!("no {key} in {path}: {}", r.body))
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_table_says() {
    let t = TestApp::with_catalog().await;
    let app = &t.app;
    let decided = app.load_demo_documents().await.unwrap();
    let (_, requests) = app.load_demo_disclosure().await.unwrap();
    let entries = app.load_demo_disclosure_catalog().await.unwrap();
    let (_, matters) = app.load_demo_opengov().await.unwrap();
    let (notices, meetings) = app.load_demo_opengov_public().await.unwrap();
    app.load_demo_hotline().await.unwrap();
    let raters: Vec<(String, String)> = ["corp01", "corp02"]
        .iter()
        .map(|l| l.to_string())
        .zip(decided.iter().cloned())
        .collect();
    app.load_demo_ratings(&raters).await.unwrap();
    app.load_demo_performance().await.unwrap();

    let admin = t.sign_in("admin").await;
    // Many sign-ins and refused registrations from one address: not what this test is about.
    for key in ["login.ip_attempts_per_15min"] {
        let r = post_with_token(
            &t,
            "/admin/settings",
            &admin,
            &[("key", key), ("value", "1000")],
        )
        .await;
        assert!(
            r.status.is_redirection() || r.status.is_success(),
            "{}",
            r.body
        );
    }
    let case = decided[0].clone();
    let docs = t
        .get(&format!("/api/v1/cases/{case}/documents"), Some(&admin))
        .await;
    let ids = Ids {
        document: first(&docs.json(), "number").unwrap_or_else(|| panic!("{}", docs.body)),
        ticket: lookup(&t, &admin, "/api/v1/hotline/tickets", "number").await,
        disclosure: requests[0].clone(),
        catalog_entry: entries[0].clone(),
        gazette: lookup(&t, &admin, "/api/v1/disclosure/gazettes", "id").await,
        rating: lookup(&t, &admin, "/api/v1/ratings", "number").await,
        licence: lookup(&t, &admin, "/api/v1/licences", "number").await,
        consultation: matters[0].clone(),
        proposal: matters.last().unwrap().clone(),
        notice: notices[0].clone(),
        meeting: meetings[0].clone(),
        period: lookup(&t, &admin, "/api/v1/public/performance/periods", "id").await,
        scheme: lookup(&t, &admin, "/api/v1/performance/schemes", "id").await,
        survey: lookup(&t, &admin, "/api/v1/public/surveys", "id").await,
        item_id: "1".into(),
        item_code: lookup(&t, &admin, "/api/v1/items", "basic_code").await,
        bundle_case: bundle_case(app).await,
        window: lookup(&t, &admin, "/api/v1/windows", "id").await,
        department: lookup(&t, &admin, "/api/v1/departments", "id").await,
        user: lookup(&t, &admin, "/api/v1/staff", "id").await,
        file: "0".repeat(64),
        case,
    };

    let doc = serde_json::to_value(tongban_web::openapi()).unwrap();
    let api = api_routes(&doc);
    let mut routes: BTreeSet<(String, String)> = api.keys().cloned().collect();
    routes.extend(page_routes());

    // The table covers every route, and only routes.
    let table: BTreeMap<(String, String), &str> = ACCESS
        .iter()
        .map(|(route, rule)| {
            let (m, p) = route.split_once(' ').unwrap();
            ((m.to_string(), p.to_string()), *rule)
        })
        .collect();
    assert_eq!(table.len(), ACCESS.len(), "a route is in the table twice");
    let print = std::env::var("ACCESS_MATRIX_PRINT").is_ok();
    let missing: Vec<_> = routes.iter().filter(|r| !table.contains_key(*r)).collect();
    let stale: Vec<_> = table.keys().filter(|r| !routes.contains(*r)).collect();
    if !print {
        assert!(
            missing.is_empty(),
            "routes without an entry in ACCESS (decide who may use them): {missing:?}"
        );
        assert!(
            stale.is_empty(),
            "entries in ACCESS without a route: {stale:?}"
        );
    }

    let mut sessions: BTreeMap<&str, Session> = BTreeMap::new();
    for (role, login) in ROLES {
        if let Some(l) = login {
            sessions.insert(role, t.sign_in(l).await);
        }
    }
    let mut wrong = Vec::new();
    let mut observed = Vec::new();
    for (method, path) in &routes {
        let url = fill(path, &ids);
        let mut reached = Vec::new();
        for (role, login) in ROLES {
            let session = sessions.get(role);
            let body = match (method.as_str(), api.get(&(method.clone(), path.clone()))) {
                ("GET", _) => None,
                (_, Some(op)) => {
                    let schema = &op["requestBody"]["content"]["application/json"]["schema"];
                    Some((
                        "application/json",
                        if schema.is_null() {
                            String::new()
                        } else {
                            example(schema, &doc, 0).to_string()
                        },
                    ))
                }
                (_, None) => Some((
                    "application/x-www-form-urlencoded",
                    format!("csrf={}", session.map_or("", |s| s.csrf.as_str())),
                )),
            };
            let (status, location, code) = request(&t, method, &url, session, body).await;
            let got = seen(status, &location, &code);
            if got == Seen::Reached {
                reached.push(role);
            }
            let may = table
                .get(&(method.clone(), path.clone()))
                .is_some_and(|rule| allowed(rule, role));
            let fine = match got {
                Seen::Refused => !may,
                Seen::Missing => true,
                Seen::Reached => may,
            };
            if !fine && !print {
                wrong.push(format!(
                    "{method} {url} as {role}: {status} {code} {location} (table: {})",
                    table
                        .get(&(method.clone(), path.clone()))
                        .copied()
                        .unwrap_or("none")
                ));
            }
            // Signing out ends the session the rest of the run needs: sign in again.
            if let (Some(l), true) = (
                login,
                (method == "DELETE" && path == "/api/v1/session") || path == "/logout",
            ) {
                sessions.insert(role, t.sign_in(l).await);
            }
        }
        let rule = if reached.len() == ROLES.len() {
            "*".to_string()
        } else if reached.len() == ROLES.len() - 1 && !reached.contains(&"anonymous") {
            "signed".to_string()
        } else {
            reached.join(" ")
        };
        observed.push(format!("    (\"{method} {path}\", \"{rule}\"),"));
    }
    if print {
        println!("{}", observed.join("\n"));
    }
    assert!(
        wrong.is_empty(),
        "{} answers differ from the table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    // Every action the demo city and every route wrote is one the audit log can say in words.
    let mut unnamed = std::collections::BTreeSet::new();
    let mut before = None;
    loop {
        let page = app
            .store
            .audit_page_in(tongban_store::audit::AuditScope::All, before, 500)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.seq);
        for r in &page {
            if tongban_domain::audit::AuditAction::parse(&r.entry.action).is_none() {
                unnamed.insert(r.entry.action.clone());
            }
        }
    }
    assert!(
        unnamed.is_empty(),
        "audit actions without a label in AuditAction: {unnamed:?}"
    );
}
