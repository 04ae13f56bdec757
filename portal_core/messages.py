"""What the endpoint and the site's forms say to residents, in zh (default) and en (by Accept-Language
or the form's ``_lang`` field)."""

from __future__ import annotations

from typing import Any

FIELD = {
    "required": ("请填写“{label}”", "Please fill in “{label}”"),
    "too-long": ("“{label}”太长，最多 {max} 个字", "“{label}” is too long (at most {max} characters)"),
    "pattern": ("“{label}”的格式不对", "“{label}” is not in the right format"),
    "choice": ("请在“{label}”中选择列出的选项", "Please choose one of the listed options for “{label}”"),
    "number": ("“{label}”请填写数字", "Please enter a number for “{label}”"),
    "range": ("“{label}”应在 {min} 到 {max} 之间", "“{label}” must be between {min} and {max}"),
    "date": ("“{label}”请填写日期，如 2025-03-15", "Please enter a date for “{label}”, e.g. 2025-03-15"),
    "control": ("“{label}”含有不能保存的控制字符，请删除后再提交",
                "“{label}” contains control characters that cannot be stored: please remove them"),
    "type": ("“{label}”的值类型不对，请填写文字", "“{label}” has a value of the wrong type: please send text"),
}

TEXT = {
    "summary": ("请修改以下内容后再提交：", "Please correct the following and submit again:"),
    "submit": ("提交", "Submit"),
    "choose": ("请选择", "Please choose"),
    "required_mark": ("（必填）", "(required)"),
    "private_mark": ("（仅工作人员可见，不会公开）", "(seen by staff only, never published)"),
    "confirm": ("请核对内容，然后再点一次“提交”。", "Please check your answers, then press “Submit” again."),
    "too_fast": ("提交太快了，请核对内容后再点一次“提交”。", "That was very fast: please check your answers and press “Submit” again."),
    "expired": ("页面已过期，请核对内容后再点一次“提交”。", "The page had expired: please check your answers and press “Submit” again."),
    "refused": ("提交被拒绝。", "The submission was refused."),
    "rate_limited": ("提交太频繁，请稍后再试。", "Too many submissions: please try again in a minute."),
    "lookups_limited": ("查询太频繁，请稍后再试。", "Too many requests: please try again in a minute."),
    "too_large": ("提交的内容太大。", "The submission is too large."),
    "unknown_form": ("没有这个表单。", "There is no such form."),
    "closed_form": ("这个表单已停止收集。", "This form is closed."),
    "origin": ("不接受来自这个网站的提交。", "Submissions from this site are not accepted."),
    "unreadable": ("无法读取提交的内容。", "The submission could not be read."),
    "received": ("已收到，谢谢！", "Received, thank you!"),
    "receipt": ("回执号", "Receipt number"),
    "receipt_help": ("请记下回执号，用它查询办理进度和答复。", "Keep this number: use it to follow progress and read the reply."),
    "status": ("状态", "Status"),
    "reply": ("答复", "Reply"),
    "not_found": ("没有找到这个回执号。", "No submission has this receipt number."),
    "back": ("返回网站", "Back to the site"),
    "rate_prompt": ("对答复满意吗？", "Are you satisfied with the reply?"),
    "rated": ("感谢您的评价。", "Thank you for your rating."),
    "received_status": ("已受理", "Received"),
    "in-progress_status": ("办理中", "In progress"),
    "answered_status": ("已答复", "Answered"),
    "closed_status": ("已办结", "Closed"),
    "rejected_status": ("不予受理", "Not accepted"),
}


def lang_of(accept_language: str | None, explicit: str | None = None) -> str:
    """``en`` if asked for first, else ``zh``.

    >>> lang_of("en-US,en;q=0.9,zh;q=0.8"), lang_of("zh-CN,en"), lang_of(None, "en")
    ('en', 'zh', 'en')
    """
    if explicit in ("zh", "en"):
        return explicit
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


def text(key: str, lang: str) -> str:
    zh, en = TEXT[key]
    return en if lang == "en" else zh


def field_error(code: str, lang: str, label: str, params: dict[str, Any]) -> str:
    zh, en = FIELD.get(code, FIELD["pattern"])
    return (en if lang == "en" else zh).format(label=label, **params)


def form_texts(lang: str) -> dict[str, str]:
    return {k: text(k, lang) for k in ("summary", "submit", "choose", "required_mark", "private_mark")}
