//! The JSON API under `/api/v1`. Routes and the OpenAPI document are built in one pass
//! (utoipa-axum), so they cannot drift. Writes with a session need the `X-CSRF-Token` header
//! returned at sign-in.

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

mod accounts;
mod admonitions;
pub(crate) mod board;
mod bundles;
pub(crate) use bundles::{bundle_of, BundleBody};
mod calendar;
mod cases;
mod disclosure;
mod disclosure_catalog;
mod documents;
mod hotline;
pub(crate) use hotline::photo_response as hotline_photo_response;
mod items;
mod open311;
mod opengov;
mod opengov_more;
mod org;
mod performance;
mod ratings;
mod supervision;
mod survey;

#[derive(OpenApi)]
#[openapi(
    info(title = "通办 Tongban API", version = "1", description = "清江市政务服务平台接口。错误统一返回 {code, message}：code 稳定可检索，message 为中文说明。"),
    tags(
        (name = "accounts", description = "登录、注册、本人信息、号码校验"),
        (name = "organisation", description = "区划、部门、大厅、窗口、岗位、人员"),
        (name = "audit", description = "审计链与模拟时钟"),
        (name = "calendar", description = "法定工作日计算"),
        (name = "catalog", description = "事项目录与办事指南"),
        (name = "cases", description = "办件：材料上传、申报、办理、查询与文书核验"),
        (name = "documents", description = "文书：电子印章文件（PDF/OFD）、文件核验、根证书、撤销、签章密钥、电子证照库"),
        (name = "supervision", description = "电子监察：监察中心、预警、监察发现的认定、督办与效能告诫"),
        (name = "hotline", description = "12345热线：受理、派单、签收、退单、延期、答复、回访、知识库、来电弹屏、无账号提交与查询"),
        (name = "ratings", description = "好差评：办件评价（一事一评）、窗口评价器（一次一评）、差评回访核实整改反馈、申诉复核、月度公示"),
        (name = "disclosure", description = "政府信息公开：依申请公开（提交、确认收到、补正、征求意见、收费、延期与答复）、年度报告、主动公开目录与政府公报"),
        (name = "opengov", description = "政务公开：公开征求意见（意见、审核、版本、采纳情况说明）、人大建议和政协提案办理（交办、答复、满意度、公开）、重点领域公示（异议、结果）、公开会议（旁听报名、会议纪要）、公开承诺、领导接访、关注"),
        (name = "open311", description = "Open311 GeoReport v2：服务（诉求分类）、服务请求（12345工单）的查询与提交（需管理员签发的 api_key）"),
        (name = "performance", description = "绩效考评：指标体系（起草、审核、发布）、考评期发布与更正、排名、计算说明与下钻、处理提示、大厅窗口人员得分、社会评议（评议轮次、一次性链接作答、结果公布）")
    )
)]
struct ApiDoc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(accounts::sign_in, accounts::sign_out))
        .routes(routes!(accounts::me))
        .routes(routes!(accounts::register))
        .routes(routes!(accounts::validate))
        .routes(routes!(accounts::change_password))
        .routes(routes!(org::regions, org::create_region))
        .routes(routes!(org::departments, org::create_department))
        .routes(routes!(org::halls, org::create_hall))
        .routes(routes!(org::windows, org::create_window))
        .routes(routes!(org::posts, org::create_post))
        .routes(routes!(org::staff, org::create_staff))
        .routes(routes!(org::unlock))
        .routes(routes!(org::set_away))
        .routes(routes!(org::audit))
        .routes(routes!(org::advance_clock))
        .routes(routes!(calendar::due))
        .routes(routes!(calendar::workdays))
        .routes(routes!(items::list))
        .routes(routes!(items::get))
        // 一件事一次办.
        .routes(routes!(bundles::list))
        .routes(routes!(bundles::get))
        .routes(routes!(bundles::create_case))
        .routes(routes!(bundles::get_case))
        .routes(routes!(bundles::staff_list, bundles::create))
        .routes(routes!(bundles::act))
        .routes(routes!(bundles::save))
        .merge(
            // Material files are the only large API bodies.
            OpenApiRouter::new().routes(routes!(cases::upload)).layer(
                axum::extract::DefaultBodyLimit::max(crate::pages::UPLOAD_LIMIT),
            ),
        )
        .routes(routes!(cases::list, cases::create))
        .routes(routes!(cases::get))
        .routes(routes!(cases::act))
        .routes(routes!(cases::events))
        .routes(routes!(cases::applicant))
        .routes(routes!(cases::documents))
        .routes(routes!(cases::public_status))
        .routes(routes!(cases::verify))
        .merge(
            // A file to verify is as large as a material.
            OpenApiRouter::new()
                .routes(routes!(documents::verify))
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::pages::UPLOAD_LIMIT,
                )),
        )
        .routes(routes!(documents::root))
        .routes(routes!(documents::file))
        .routes(routes!(documents::revoke))
        .routes(routes!(documents::keys, documents::rotate))
        .routes(routes!(documents::revoke_key))
        .routes(routes!(documents::licences))
        .routes(routes!(documents::licence))
        .routes(routes!(documents::act))
        .routes(routes!(supervision::findings))
        .routes(routes!(supervision::decide))
        .routes(routes!(supervision::orders, supervision::issue))
        .routes(routes!(supervision::reply))
        .routes(routes!(supervision::close))
        .routes(routes!(admonitions::list, admonitions::issue))
        .routes(routes!(board::board))
        .routes(routes!(board::cases))
        .routes(routes!(board::warnings))
        .routes(routes!(hotline::list, hotline::create))
        .routes(routes!(hotline::get))
        .routes(routes!(hotline::photo))
        .routes(routes!(hotline::public_photo))
        .routes(routes!(hotline::act))
        .routes(routes!(hotline::call))
        .routes(routes!(hotline::knowledge))
        .routes(routes!(hotline::subjects))
        .routes(routes!(hotline::route))
        .routes(routes!(hotline::public_create))
        .routes(routes!(hotline::track))
        .routes(routes!(hotline::rates))
        .routes(routes!(hotline::report))
        .routes(routes!(open311::services))
        .routes(routes!(open311::services_xml))
        .routes(routes!(open311::service_definition))
        .routes(routes!(open311::requests, open311::post_request))
        .routes(routes!(open311::requests_xml, open311::post_request_xml))
        .routes(routes!(open311::request))
        .routes(routes!(open311::token))
        .routes(routes!(open311::issue_key, open311::list_keys))
        .routes(routes!(open311::revoke_key))
        .routes(routes!(ratings::rate_case))
        .routes(routes!(ratings::list))
        .routes(routes!(ratings::get))
        .routes(routes!(ratings::act))
        .routes(routes!(ratings::rater))
        .routes(routes!(ratings::month))
        .routes(routes!(ratings::device))
        .routes(routes!(ratings::rate_window))
        .routes(routes!(ratings::duty))
        .routes(routes!(ratings::end_visit))
        .routes(routes!(performance::schemes, performance::draft_scheme))
        .routes(routes!(performance::scheme_action))
        .routes(routes!(performance::preview))
        .routes(routes!(performance::publish))
        .routes(routes!(performance::correct))
        .routes(routes!(performance::periods))
        .routes(routes!(performance::period))
        .routes(routes!(performance::drill))
        .routes(routes!(performance::act_on_flag))
        .routes(routes!(survey::surveys, survey::open))
        .routes(routes!(survey::desk))
        .routes(routes!(survey::invite))
        .routes(routes!(survey::publish))
        .routes(routes!(survey::published))
        .routes(routes!(survey::results))
        .routes(routes!(survey::form, survey::answer))
        .routes(routes!(survey::members))
        .routes(routes!(survey::member_drill))
        .routes(routes!(disclosure::list, disclosure::create))
        .routes(routes!(disclosure::get))
        .routes(routes!(disclosure::act))
        .routes(routes!(opengov::consultations, opengov::publish))
        .routes(routes!(opengov::consultation))
        .routes(routes!(opengov::comment))
        .routes(routes!(opengov::consultation_act))
        .routes(routes!(opengov::proposals, opengov::register))
        .routes(routes!(opengov::proposal))
        .routes(routes!(opengov::proposal_act))
        .routes(routes!(opengov_more::notices, opengov_more::publish_notice))
        .routes(routes!(opengov_more::notice))
        .routes(routes!(opengov_more::object))
        .routes(routes!(opengov_more::notice_act))
        .routes(routes!(opengov_more::meetings, opengov_more::announce))
        .routes(routes!(opengov_more::meeting))
        .routes(routes!(opengov_more::attend))
        .routes(routes!(opengov_more::minutes))
        .routes(routes!(opengov_more::ask))
        .routes(routes!(opengov_more::answer))
        .routes(routes!(opengov_more::licensing))
        .routes(routes!(
            opengov_more::commitments,
            opengov_more::publish_commitment
        ))
        .routes(routes!(opengov_more::commitment_status))
        .routes(routes!(opengov_more::visits, opengov_more::publish_visit))
        .routes(routes!(opengov_more::follow))
        .routes(routes!(disclosure::report))
        .routes(routes!(
            disclosure_catalog::list,
            disclosure_catalog::create
        ))
        .routes(routes!(disclosure_catalog::get))
        .routes(routes!(disclosure_catalog::act))
        .routes(routes!(
            disclosure_catalog::gazettes,
            disclosure_catalog::publish_gazette
        ))
        .routes(routes!(disclosure_catalog::gazette))
}
