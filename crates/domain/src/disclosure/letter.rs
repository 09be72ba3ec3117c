//! The reply letter (政府信息公开申请答复书), rendered from its template: the applicant, the
//! request, the decision with its grounds and legal basis, and the remedies (第五十一条).

use chrono::NaiveDate;

use super::fee::yuan;
use super::reply::{Reply, ReplyKind};
use super::request::Request;

/// The letter's text. `number` is the request number, `on` the date of the reply.
pub fn reply_letter(number: &str, req: &Request, reply: &Reply, on: NaiveDate) -> String {
    let f = &req.filing;
    let received = req
        .received_on()
        .map_or_else(|| "—".to_string(), |d| d.format("%Y年%m月%d日").to_string());
    let mut out = String::new();
    out.push_str(&format!("{}\n政府信息公开申请答复书\n", f.office.name));
    out.push_str(&format!("编号：{number}\n\n"));
    out.push_str(&format!("{}：\n", f.applicant.name));
    out.push_str(&format!(
        "本机关于{received}收到您（单位）提出的政府信息公开申请，申请获取：“{}”。",
        f.description
    ));
    if let Some(s) = &req.supplement {
        if let Some(at) = s.answered_at {
            out.push_str(&format!(
                "经补正，本机关于{}收到补正后的申请。",
                crate::time::local_date(at).format("%Y年%m月%d日")
            ));
        }
    }
    out.push_str("经审查，现答复如下：\n\n");
    let decision = match reply.kind {
        ReplyKind::Disclosed => "您申请的政府信息属于可以公开的政府信息，本机关予以公开。",
        ReplyKind::PartlyDisclosed => {
            "您申请的政府信息中含有不应当公开的内容，但能够作区分处理，本机关向您提供可以公开的内容，对不予公开的内容说明理由如下。"
        }
        ReplyKind::Withheld => "您申请的政府信息依法不予公开，理由如下。",
        ReplyKind::AlreadyPublic => "您申请的政府信息已经主动公开，获取方式和途径如下。",
        ReplyKind::Unavailable => "本机关无法提供您申请的政府信息，理由如下。",
        ReplyKind::NotThisAgency => "您申请的政府信息不属于本机关负责公开。",
        ReplyKind::OtherRoute => {
            "您申请获取的信息，有关法律、行政法规对信息的获取有特别规定，请依照有关规定办理。"
        }
        ReplyKind::NotProcessed => "您的申请本机关不作为政府信息公开申请处理，理由如下。",
    };
    out.push_str(&format!(
        "一、答复类型：{}。{decision}\n",
        reply.kind.label()
    ));
    for (i, g) in reply.grounds().iter().enumerate() {
        out.push_str(&format!("  {}. {g}\n", i + 1));
    }
    if !reply.text.is_empty() {
        out.push_str(&format!("二、说明：{}\n", reply.text));
    }
    if let Some(fee) = &req.fee {
        out.push_str(&format!(
            "三、信息处理费：{}，已于{}缴纳 {} 元。\n",
            fee.basis.explain(),
            fee.paid_at
                .map(crate::time::local_date)
                .map_or_else(|| "—".to_string(), |d| d.format("%Y年%m月%d日").to_string()),
            yuan(fee.amount_fen)
        ));
    }
    out.push_str(&format!("\n依据：{}。\n", reply.legal_basis().join("；")));
    out.push_str(
        "\n如对本答复不服，可以自收到本答复之日起六十日内依法申请行政复议，或者自收到本答复之日起六个月内依法提起行政诉讼。\n",
    );
    out.push_str(&format!(
        "\n{}\n{}\n",
        f.office.name,
        on.format("%Y年%m月%d日")
    ));
    out
}
