//! Codes of open government (政务公开): consultations on drafts and proposal handling.

use crate::error_codes;

error_codes! {
    /// Open government: consultations (公开征求意见) and proposals (建议提案办理).
    pub enum Opengov {
        AnswerComments = "opengov.answer_comments", Invalid => "每条答复须列出所答复的意见编号",
        AnswerReason = "opengov.answer_reason", Invalid => "每条答复须写明采纳情况的理由（2000字以内）",
        AnsweredTwice = "opengov.answered_twice", Invalid => "同一条意见只能答复一次",
        Assigned = "opengov.assigned", Conflict => "该建议提案已经交办",
        ChangeNote = "opengov.change_note", Invalid => "已收到意见的征求意见稿不能直接修改，须作为新版本发布并写明修改说明",
        CommentClosed = "opengov.comment_closed", Conflict => "征求意见期限已经届满，不再接收意见",
        CommentNotFound = "opengov.comment_not_found", NotFound => "没有该条意见",
        CommentText = "opengov.comment_text", Invalid => "请填写意见内容（2000字以内）",
        Draft = "opengov.draft", Invalid => "请填写征求意见稿的正文（每段一行，200段以内）",
        Explanation = "opengov.explanation", Invalid => "请填写起草说明（10000字以内）",
        Lead = "opengov.lead", Invalid => "交办须确定一个且只有一个主办单位",
        Moderated = "opengov.moderated", Conflict => "该条意见已经审核",
        ModerationReason = "opengov.moderation_reason", Invalid => "不予公开须写明依据留言审核规则的理由",
        NotAssigned = "opengov.not_assigned", Forbidden => "该建议提案没有交由你所在单位办理",
        NotFound = "opengov.not_found", NotFound => "没有该事项",
        NotUnit = "opengov.not_unit", Forbidden => "该事项不由你所在单位办理",
        Paragraph = "opengov.paragraph", Invalid => "所选段落不在当前版本的征求意见稿中",
        PeriodLong = "opengov.period_long", Invalid => "征求意见期限最长为180日",
        PeriodShort = "opengov.period_short", Invalid => "征求意见期限短于规定的最短期限",
        ProposalField = "opengov.proposal_field", Invalid => "请填写建议提案的届次、编号、标题、提出人和内容",
        PublishConsent = "opengov.publish_consent", Conflict => "提出人未同意公开，答复不能公开",
        Replied = "opengov.replied", Conflict => "你所在单位已经答复过该建议提案",
        RepliesMissing = "opengov.replies_missing", Conflict => "尚有承办单位未答复，不能征询满意度",
        ReplyText = "opengov.reply_text", Invalid => "请填写答复内容（20000字以内）",
        Reported = "opengov.reported", Conflict => "采纳情况已经公布",
        Stale = "opengov.stale", Conflict => "该事项已被他人更新，请刷新后重试",
        State = "opengov.state", Conflict => "该事项当前所处的环节不能办理此操作",
        StillOpen = "opengov.still_open", Conflict => "征求意见期限尚未届满，不能公布采纳情况",
        Title = "opengov.title", Invalid => "请填写标题（200字以内）",
        Unanswered = "opengov.unanswered", Invalid => "采纳情况说明须答复每一条意见",
        UnitTwice = "opengov.unit_twice", Invalid => "同一单位不能重复交办",
        Unmoderated = "opengov.unmoderated", Conflict => "尚有意见未审核，请先审核全部意见",
    }
}
