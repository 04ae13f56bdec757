"""The zh/en message catalog: one entry per problem code.

Each entry is ``code: (zh message, zh hint, en message, en hint)``, formatted with
the problem's ``params``. A committee member reads these, so every hint says
what to change, with an example where one helps. ``docs/problem-codes`` lists
them (generated from this table; a test fails when a code is undocumented).
"""

from __future__ import annotations

from typing import Any

from generator.problems import Problem

M = dict[str, tuple[str, str, str, str]]

CATALOG: M = {
    # files
    "file.missing": (
        "缺少必需的文件 {path}", "新建该文件；可参考示范数据 data/ 中的同名文件",
        "required file {path} is missing", "create it; the demo data in data/ has an example"),
    "file.unreadable": (
        "无法读取文件：{detail}", "检查文件是否存在、是否有读取权限",
        "cannot read the file: {detail}", "check that the file exists and is readable"),
    "file.too-large": (
        "文件过大（{size_mb} MB，上限 {limit_mb} MB）", "拆分成多个文件，例如每年或每次会议一个文件",
        "file too large ({size_mb} MB, limit {limit_mb} MB)", "split it, e.g. one file per year or per meeting"),
    "file.encoding": (
        "文件编码不是 UTF-8（看起来是 {encoding}）", "用 UTF-8 重新保存：WPS/Excel 选“CSV UTF-8”，记事本选“UTF-8”",
        "the file is not UTF-8 (looks like {encoding})", "save it again as UTF-8 (Excel: “CSV UTF-8”)"),
    "file.binary": (
        "这不是文本文件（可能是改了扩展名的 Excel 文件）", "在表格软件中“另存为”CSV UTF-8 格式",
        "this is not a text file (maybe a renamed Excel workbook)", "use “Save as” → CSV UTF-8 in your spreadsheet"),
    "file.empty": (
        "文件是空的", "填写内容，或删除这个文件",
        "the file is empty", "fill it in, or delete the file"),
    "file.link-outside": (
        "这是一个指向 data/、content/、site_templates/ 之外的符号链接（{target}），不会读取也不会发布",
        "删除这个链接，把需要的文件本身复制进来；密钥、.git 和收件箱数据库永远不能放进网站",
        "symbolic link to a place outside data/, content/ and site_templates/ ({target}); it is neither read nor published",
        "remove the link and copy the file itself in; secrets, .git and the inbox database never go into the site"),
    "file.special": (
        "这不是普通文件，而是{kind}，无法读取", "删除它；数据和页面必须是普通文件",
        "this is {kind_en}, not a regular file; it cannot be read", "remove it; data and pages must be regular files"),
    "file.outside-project": (
        "数据包引用的文件 {path} 不在 data/budgets/ 里，不会读取", "只写 data/budgets/ 里的文件名，如 2025.csv",
        "the data package names {path}, which is outside data/budgets/; it is not read",
        "name a file inside data/budgets/, e.g. 2025.csv"),
    "file.unexpected": (
        "不认识的文件 {name}，不会被发布", "数据文件应为 .yaml 或 .csv；如是草稿请移出 data/ 目录",
        "unexpected file {name}; it will not be published", "data files are .yaml or .csv; move drafts out of data/"),
    # YAML syntax
    "yaml.syntax": (
        "YAML 格式错误：{detail}", "检查这一行及上一行的缩进（只用空格，不用 Tab）、冒号后的空格和引号是否成对",
        "YAML syntax error: {detail}", "check indentation (spaces, not tabs), the space after colons, and paired quotes"),
    "yaml.alias": (
        "不允许使用锚点和别名（&名称 / *名称）", "把内容直接写出来，不要引用",
        "anchors and aliases (&name / *name) are not allowed", "write the value out in full"),
    "yaml.duplicate-key": (
        "字段“{key}”重复出现（第一次在第 {first} 行）", "删除或合并重复的字段",
        "key “{key}” appears twice (first on line {first})", "remove or merge the duplicate"),
    "yaml.bad-key": (
        "字段名必须是文字", "字段名写成 名称: 值 的形式",
        "keys must be plain text", "write keys as name: value"),
    "yaml.too-deep": (
        "嵌套层次太深（超过 {limit} 层）", "检查缩进和括号 [ ] {{ }} 是否成对，数据不需要这么多层",
        "nesting is too deep (more than {limit} levels)",
        "check the indentation and that brackets [ ] {{ }} are paired; data never needs this many levels"),
    "yaml.multiple-documents": (
        "一个文件里只能有一份数据（发现了第二个 ---）", "删除多余的 --- 分隔线，或拆成两个文件",
        "one file may hold one document only (found a second ---)", "remove the extra --- or split the file"),
    "yaml.not-mapping": (
        "文件内容应是“字段: 值”的列表，而不是 {actual}", "参考示范数据的写法，从 id: 开始",
        "the file should be a mapping of fields, not {actual_en}", "follow the demo data; start with id:"),
    # schema
    "schema.required": (
        "缺少必填字段“{field}”", "添加一行 {field}: …（参见数据说明）",
        "required field “{field}” is missing", "add a line {field}: … (see the data reference)"),
    "schema.blank": (
        "“{field}”还没有填写", "在冒号后面填上内容（参见数据说明）",
        "“{field}” is blank", "fill it in after the colon (see the data reference)"),
    "schema.unknown-field": (
        "不认识的字段“{field}”", "检查拼写；允许的字段：{allowed}",
        "unknown field “{field}”", "check the spelling; allowed fields: {allowed}"),
    "schema.type": (
        "“{field}”应为{expected}，现在是 {value}", "{extra}",
        "“{field}” should be {expected_en}, got {value}", "{extra_en}"),
    "schema.choice": (
        "“{field}”的值 {value} 不在可选范围内", "可选值：{choices}",
        "“{field}” has value {value}, which is not allowed", "allowed values: {choices}"),
    "schema.pattern": (
        "“{field}”的格式不对：{value}", "{pattern_hint}",
        "“{field}” is not in the expected format: {value}", "{pattern_hint_en}"),
    "schema.too-long": (
        "“{field}”太长（上限 {limit}）", "删减内容",
        "“{field}” is too long (limit {limit})", "shorten it"),
    "schema.too-short": (
        "“{field}”至少要有 {limit} 项/字", "补充内容",
        "“{field}” needs at least {limit} item(s)/character(s)", "add the missing content"),
    "schema.range": (
        "“{field}”的值 {value} 超出范围（{bound}）", "填写合理的数值",
        "“{field}” = {value} is out of range ({bound})", "use a value within range"),
    "schema.url-scheme": (
        "“{field}”的地址 {value} 不能使用：只允许本站路径或 {allowed} 开头的地址", "写成 https://… 的网址，或本站的路径如 /notices/；不要用 javascript:、data: 等",
        "the address {value} in “{field}” is not allowed: only a path on this site or {allowed}",
        "write an https://… address or a path on this site such as /notices/; never javascript: or data:"),
    "schema.date": (
        "“{field}”不是有效日期：{value}", "日期写成 年-月-日，例如 2025-03-15",
        "“{field}” is not a valid date: {value}", "write dates as YYYY-MM-DD, e.g. 2025-03-15"),
    "schema.invalid": (
        "“{field}”的值无效：{detail}", "参见数据说明中该字段的要求",
        "“{field}” is invalid: {detail}", "see the data reference for this field"),
    # ids
    "id.filename-mismatch": (
        "id “{id}”与文件名“{stem}”不一致", "把 id 改成 {stem}，或把文件改名为 {id}.yaml",
        "id “{id}” does not match the file name “{stem}”", "set id: {stem}, or rename the file to {id}.yaml"),
    "id.duplicate": (
        "{what}编号“{id}”重复（另见 {other}）", "每个编号只能用一次，改用一个新编号",
        "duplicate {what_en} id “{id}” (also at {other})", "each id may be used once; pick a new one"),
    # references
    "ref.request": (
        "引用的诉求公开编号 {id} 没有在 data/requests/ 中公开", "核对编号（已公开的如 {known}）；诉求要先用 portal inbox publish 发布；写公开编号，不要写回执号",
        "request {id} is not published in data/requests/", "check the number (published ones: {known}); publish the request first with portal inbox publish; give its public number, never the receipt"),
    "ref.unknown": (
        "引用的{what}“{id}”不存在", "{hint_known}",
        "{what_en} “{id}” does not exist", "{hint_known_en}"),
    "ref.adoption-mismatch": (
        "规约“{rule}”第 {version} 版记录的通过会议/决议与会议记录不一致：{detail}",
        "让规约的 adopted_by 与会议中决议的 adopts_rule 指向彼此",
        "rule “{rule}” version {version} and the meeting record disagree: {detail}",
        "make the rule's adopted_by and the decision's adopts_rule point at each other"),
    # dates
    "date.display-before-publish": (
        "公示截止日期 {until} 早于发布日期 {published}", "公示截止日期应在发布日期之后",
        "display period ends ({until}) before it starts ({published})", "the end date must come after the publish date"),
    "date.decision-not-meeting": (
        "决议日期 {date} 与会议日期 {meeting_date} 不同", "决议日期应与会议日期相同，或删除 date 字段",
        "decision date {date} is not the meeting date {meeting_date}", "use the meeting date, or remove date"),
    "date.versions-order": (
        "版本“{version}”的生效日期 {date} 早于上一版本 {previous}", "版本按时间先后排列，最早的在前",
        "version “{version}” takes effect ({date}) before the previous one ({previous})", "list versions oldest first"),
    "date.effective-before-adoption": (
        "版本“{version}”在通过之前就生效了（生效 {effective}，会议 {meeting_date}）", "生效日期应不早于通过会议的日期",
        "version “{version}” takes effect ({effective}) before it was adopted ({meeting_date})", "the effective date must not precede the meeting"),
    "date.held-in-future": (
        "会议日期 {date} 还没到，状态却是“已召开”", "把 status 改为 planned，或更正日期",
        "meeting on {date} is in the future but marked held", "set status: planned, or fix the date"),
    "date.planned-in-past": (
        "会议日期 {date} 已过，状态仍是“计划中”", "会后把 status 改为 held（并补充决议）或 cancelled",
        "meeting on {date} is past but still planned", "after the meeting set status: held (with decisions) or cancelled"),
    "date.range": (
        "结束时间 {end} 早于开始时间 {start}", "检查两个日期或时间",
        "end {end} comes before start {start}", "check both dates or times"),
    "date.action-overdue": (
        "待办事项已过期限 {due} 仍未完成", "更新状态（done 并填写完成日期），或说明延期原因",
        "action item is past its due date {due} and not done", "update its status (done with a date) or explain the delay"),
    "date.done-missing": (
        "已完成的事项缺少完成日期", "添加 done: 年-月-日",
        "a done action item has no completion date", "add done: YYYY-MM-DD"),
    # meetings and votes
    "votes.exceed-attendance": (
        "表决票数合计 {total} 超过实到人数 {present}", "核对赞成、反对、弃权票数和实到人数",
        "votes cast ({total}) exceed members present ({present})", "check the vote counts and attendance"),
    "votes.present-exceeds-members": (
        "实到人数 {present} 超过应到人数 {members}", "核对出席人数",
        "members present ({present}) exceed members ({members})", "check attendance"),
    "votes.outcome-mismatch": (
        "表决结果写的是“{outcome}”，但按议事规则（{rule}）票数应为“{expected}”", "核对票数或结果",
        "outcome says “{outcome_en}” but under the body's rule ({rule_en}) the vote means “{expected_en}”",
        "check the votes or the outcome"),
    "votes.quorum-not-met": (
        "实到 {present} 人，未达到法定人数 {needed} 人，不能作出决议", "核对出席人数；未达法定人数的会议不能表决通过事项",
        "{present} present, short of the quorum of {needed}; no decision can be adopted", "check attendance; an inquorate meeting cannot adopt decisions"),
    "votes.missing": (
        "决议结果为“{outcome}”但没有记录表决票数", "添加 votes: {{for: 赞成, against: 反对, abstain: 弃权}}",
        "outcome “{outcome_en}” has no recorded vote", "add votes: {{for: n, against: n, abstain: n}}"),
    "votes.no-attendance": (
        "已召开的会议有表决，但没有记录出席情况", "添加 attendance: {{members: 应到, present: 实到}}",
        "a held meeting with votes has no attendance record", "add attendance: {{members: n, present: n}}"),
    "meeting.planned-with-decision": (
        "会议尚未召开（{status}），却已记录决议", "会后再填写决议，或更正 status",
        "meeting is {status} but has decisions recorded", "record decisions after the meeting, or fix status"),
    # rules
    "rule.article-numbering": (
        "条文编号应为 1、2、3… 连续编号，第 {position} 条写成了 {number}", "按顺序重新编号",
        "articles should be numbered 1, 2, 3 …; position {position} is numbered {number}", "renumber them in order"),
    "rule.repealed-date": (
        "已废止的规约缺少废止日期", "添加 repealed: 年-月-日",
        "a repealed rule has no repeal date", "add repealed: YYYY-MM-DD"),
    "rule.not-yet-in-force": (
        "规约状态为“生效中”，但所有版本的生效日期都还没到", "把 status 改为 draft，或更正日期",
        "rule is in force but no version has taken effect yet", "set status: draft, or fix the dates"),
    # budgets
    "budget.schema-missing-field": (
        "数据包中表“{resource}”缺少字段“{field}”", "在 {schema_file} 的表结构中添加该字段（参见数据说明）",
        "resource “{resource}” in the data package lacks field “{field}”", "add the field to its schema in {schema_file}"),
    "budget.year-mismatch": (
        "年度 {year} 与文件 {file_year}.csv 不一致", "把这一行移到 {year}.csv，或更正年度",
        "year {year} does not match the file {file_year}.csv", "move the line to {year}.csv or fix the year"),
    "budget.total-mismatch": (
        "{year} 年“{fund}”{direction}的{column}公布为 {declared}，但明细合计为 {computed}（相差 {diff}）",
        "核对明细金额或公布的合计数",
        "{year} {fund} {direction_en} {column_en}: declared {declared}, lines add up to {computed} (difference {diff})",
        "check the line amounts or the declared total"),
    "budget.total-missing": (
        "{year} 年“{fund}”{direction}没有公布合计数", "在 totals.csv 中添加一行合计",
        "{year} {fund} {direction_en} has no declared total", "add a line to totals.csv"),
    "budget.total-no-lines": (
        "公布了 {year} 年“{fund}”{direction}的合计数，但没有任何明细", "补充明细，或删除这一行合计",
        "a total is declared for {year} {fund} {direction_en} but there are no lines", "add the lines or remove the total"),
    "budget.decision-required": (
        "支出 {amount} 元超过本社区规定的 {threshold} 元，须有经表决通过的决议，但没有填写 decision",
        "在 decision 列填写批准这笔支出的决议编号（如 D2025-03）；依据：{source}",
        "spending of ¥{amount} exceeds the community's limit of ¥{threshold} and needs an adopted decision",
        "put the approving decision id (e.g. D2025-03) in the decision column; rule: {source}"),
    "budget.decision-not-adopted": (
        "引用的决议“{decision}”未获通过（{outcome}）", "只能引用表决通过的决议",
        "decision “{decision}” was not adopted ({outcome_en})", "only an adopted decision can approve spending"),
    "budget.actual-over-plan": (
        "实际支出 {actual} 超过预算 {planned}", "如属实，请在备注说明原因",
        "actual {actual} exceeds planned {planned}", "if correct, explain it in the note"),
    # governance: procedures, approvals, contracts, matters (warnings; errors under --strict)
    "procedure.no-approval": (
        "支出 {amount} 元属于“{tier}”，须经以下程序之一批准：{routes}；但没有填写审批（approval）或决议（decision）",
        "在 approval 列填写批准这笔支出的审批编号（如 A2025-012），或在 decision 列填写决议编号；确实没有批准的，如实公开并在备注说明；依据：{source}",
        "spending of ¥{amount} falls under “{tier_en}” and needs approval by one of: {routes_en}; but no approval or decision is given",
        "put the approval id (e.g. A2025-012) in the approval column or the decision id in the decision column; if there was none, publish it as it is and explain in the note; rule: {source_en}"),
    "procedure.route-insufficient": (
        "{what}（{amount} 元，属于“{tier}”）只经过了{taken}，按规定须经以下程序之一：{routes}",
        "补办规定的程序并更新记录；依据：{source}",
        "{what_en} (¥{amount}, under “{tier_en}”) only went through {taken_en}; the procedure requires one of: {routes_en}",
        "complete the required step and update the record; rule: {source_en}"),
    "procedure.not-approved": (
        "引用的{what}状态为“{status}”，不能作为支出依据", "等审批通过后再支出，或如实说明这笔支出的依据",
        "{what_en} is {status_en}, so it cannot approve spending", "spend after approval, or explain what this spending rests on"),
    "procedure.fund-mismatch": (
        "{what}的资金是 {fund}，这一行却从 {line_fund} 支出", "更正资金，或引用从该资金批准的审批",
        "{what_en} pays from {fund}, but this line spends from {line_fund}", "fix the fund, or cite an approval for this fund"),
    "procedure.after-spending": (
        "{what}的日期 {date} 晚于这笔支出（{spent}）：先支出、后审批", "核对日期；如确是事后补批，请在备注中说明",
        "{what_en} is dated {date}, after the spending ({spent}): spent first, approved later",
        "check the dates; if it was approved after the fact, say so in the note"),
    "procedure.amount-exceeded": (
        "这一行 {amount} 元超过了{what}批准的 {approved} 元", "引用足额的审批，或补办审批",
        "this line (¥{amount}) exceeds the ¥{approved} approved by {what_en}", "cite an approval that covers it, or obtain one"),
    "procedure.cumulative-exceeded": (
        "引用{what}的支出累计 {total} 元，超过批准的 {ceiling} 元（此前的行：{others}）", "一份审批只能覆盖批准的金额；超出部分须另行审批",
        "lines citing {what_en} add up to ¥{total}, more than the ¥{ceiling} approved (earlier lines: {others})",
        "one approval covers its amount only; the rest needs an approval of its own"),
    "procedure.split-suspected": (
        "这一行与 {others} 用途或收款方相同、时间相近（{days} 天内），{count} 笔合计 {total} 元，超过 {bound} 元的审批档次，看起来像拆分支出",
        "如果是同一件事，应按合计金额走相应程序；如果确实是不同的事，请在备注说明",
        "this line and {others} share a purpose or payee within {days} days; the {count} lines add up to ¥{total}, above the ¥{bound} tier: it looks split",
        "if it is one job, the procedure for the total applies; if the lines are really separate, say so in the note"),
    "procedure.outside-term": (
        "这笔支出（{spent}）不在{what}的期限 {start} 至 {end} 内", "核对日期，或引用正确的合同",
        "this spending ({spent}) is outside the term of {what_en}, {start} to {end}", "check the date, or cite the right contract"),
    "approval.not-read": (
        "这份审批（{date}）还没有在{meeting_type}上通报，{since} 起就应通报", "通报后在 read_at 中填写那次会议的编号",
        "this approval ({date}) has not been read out at a {meeting_type_en}; it was due from {since}",
        "once it has been read out, put that meeting's id in read_at"),
    "approval.read-before": (
        "通报会议 {meeting}（{meeting_date}）早于审批日期 {date}", "核对日期或 read_at 中的会议编号",
        "it was read out at {meeting} ({meeting_date}), before it was approved ({date})", "check the date or the meeting in read_at"),
    "contract.unauthorized": (
        "合同没有经过批准：{reason}", "在 approval 或 decision 中填写批准这份合同的审批或决议；确实没有的，如实公开",
        "the contract is not authorized: {reason_en}", "put the approving approval or decision in approval or decision; if there was none, publish it as it is"),
    "contract.over-total": (
        "{what}项下支出累计 {total} 元，超过合同总额 {ceiling} 元（此前的行：{others}）", "核对付款，或公开合同变更的依据",
        "payments under {what_en} add up to ¥{total}, above its total of ¥{ceiling} (earlier lines: {others})", "check the payments, or publish what changed the contract"),
    "contract.end-reason-missing": (
        "合同已终止，但没有说明原因", "添加 end_reason:，如“期满”或“提前解除：……”",
        "the contract has ended but no reason is given", "add end_reason:, e.g. “expired” or “terminated early: …”"),
    "matter.result-missing": (
        "事项已完成，但没有写结果", "添加 result:，说明做成了什么、花了多少",
        "the matter is done but has no result", "add result: what was achieved and what it cost"),
    "matter.reason-missing": (
        "事项“{status}”，但没有说明原因", "添加 status_reason:，告诉居民为什么",
        "the matter is {status_en} without a reason", "add status_reason: tell residents why"),
    "consultation.not-concluded": (
        "{date} 的协商提出了多个方案，{days} 天过去了仍没有结论", "记录决议，或在事项（matter）中说明暂缓或放弃的原因",
        "the consultation of {date} offered options and has had no conclusion for {days} days",
        "record the decision, or say in a matter why it was deferred or abandoned"),
    # tables (frictionless)
    "table.type": (
        "{field} {value} 不是{expected}", "{extra}",
        "{field} {value} is not {expected_en}", "{extra_en}"),
    "table.required": (
        "“{field}”不能为空", "填写这一格",
        "“{field}” must not be empty", "fill in this cell"),
    "table.enum": (
        "“{field}”的值 {value} 不在可选范围内", "可选值：{choices}",
        "“{field}” has value {value}, which is not allowed", "allowed values: {choices}"),
    "table.pattern": (
        "“{field}”的格式不对：{value}", "{pattern_hint}",
        "“{field}” is not in the expected format: {value}", "{pattern_hint_en}"),
    "table.range": (
        "“{field}”的值 {value} 超出范围", "金额不能为负数；退款请记为收入",
        "“{field}” = {value} is out of range", "amounts cannot be negative; record refunds as income"),
    "table.duplicate-id": (
        "编号重复：{value}", "每行的编号必须唯一",
        "duplicate id: {value}", "each row needs its own id"),
    "table.foreign-key": (
        "“{field}”的值 {value} 在{target}中不存在", "先在{target}中添加，或更正拼写",
        "“{field}” = {value} is not in {target_en}", "add it there first, or fix the spelling"),
    "table.missing-cell": (
        "这一行少了“{field}”一列", "检查这一行的逗号个数是否与表头一致",
        "this row lacks the “{field}” column", "check the commas in this row against the header"),
    "table.extra-cell": (
        "这一行多出了一列：{value}", "含逗号的内容要用英文双引号括起来",
        "this row has an extra cell: {value}", "put text containing commas in double quotes"),
    "table.header": (
        "表头不对：{detail}", "表头应为：{expected}",
        "header problem: {detail}", "the header should be: {expected}"),
    "table.blank-row": (
        "空行", "删除空行",
        "blank row", "remove the blank row"),
    "table.too-wide": (
        "这一行有 {columns} 列，超过上限 {limit} 列，整张表没有检查", "检查逗号是否多了；预算表只需要数据说明里列出的那些列",
        "this row has {columns} columns, more than the limit of {limit}; the table was not checked",
        "look for stray commas; a budget table needs only the columns in the data reference"),
    "table.cell-too-long": (
        "这个单元格超过 {limit} 个字，整张表没有检查", "缩短内容，长的说明写进会议纪要或通知；也检查引号 \" 是否成对",
        "this cell is longer than {limit} characters; the table was not checked",
        "shorten it (long explanations belong in minutes or notices); also check that quotes \" are paired"),
    "table.invalid": (
        "表格错误：{detail}", "参见数据说明",
        "table error: {detail}", "see the data reference"),
    # personal data
    "privacy.id-card": (
        "发现身份证号码 {masked}，不能公开发布", "删除该号码；如需确认身份，请在线下核对",
        "an ID card number ({masked}) must not be published", "remove it; verify identities offline"),
    "privacy.mobile": (
        "发现手机号码 {masked}，不能公开发布", "删除，或遮盖为 138****1234；公开联系电话请写在 phone 字段",
        "a mobile number ({masked}) must not be published here", "remove or mask it (138****1234); put public contact numbers in a phone field"),
    "privacy.email": (
        "发现电子邮箱 {masked}，不能公开发布", "删除，或写在公开联系方式 email 字段",
        "an e-mail address ({masked}) must not be published here", "remove it, or put an official address in an email field"),
    # markdown safety
    "markdown.unsafe-html": (
        "正文中含有网站不会显示的 HTML：{detail}", "网站只显示安全的内容，这部分会被删掉：删除脚本、iframe、表单、事件属性、样式和 javascript:/data: 链接；正文只用 Markdown",
        "unsafe HTML in text: {detail}", "the site shows only safe markup and would drop this: remove scripts, iframes, forms, event attributes, styles and javascript:/data: links; use plain Markdown"),
    # forms
    "form.choices-missing": (
        "“{field}”是选择题（{type}），但没有 choices 选项", "添加 choices: 列表",
        "field “{field}” ({type}) has no choices", "add a choices: list"),
    "form.choices-unexpected": (
        "“{field}”的类型 {type} 不使用 choices", "删除 choices，或把类型改为 select / radio / checkbox",
        "field “{field}” of type {type} does not use choices", "remove choices, or use select / radio / checkbox"),
    "form.bad-pattern": (
        "“{field}”的格式规则不是有效的正则表达式：{detail}", "修正 pattern，或删除它",
        "the pattern of “{field}” is not a valid regular expression: {detail}", "fix or remove the pattern"),
    "form.contact-not-private": (
        "“{field}”收集联系方式（{type}），必须标记为 private: true", "添加 private: true，保证不会公开",
        "field “{field}” collects contact data ({type}) and must be private: true", "add private: true so it is never published"),
    "form.min-max": (
        "“{field}”的最小值 {min} 大于最大值 {max}", "交换或更正 min 和 max",
        "field “{field}”: min {min} is greater than max {max}", "swap or fix min and max"),
    "form.reserved-name": (
        "字段名“{field}”是系统保留名称", "换一个名称",
        "field name “{field}” is reserved", "choose another name"),
    "form.category-source": (
        "公开的诉求类别取自字段“{field}”，但它{reason}：类别会公开发布", "类别只能取自公开的单选字段（select / radio）：用 category_field: 指定一个，或给这个字段改名",
        "the published request category comes from field “{field}”, which {reason_en}: the category is published",
        "take the category from a public choice field (select / radio): name one with category_field:, or rename this field"),
    # published requests
    "request.wrong-year": (
        "受理日期在 {year} 年，却放在 {file_year}.yaml 里", "移到 {year}.yaml（portal inbox publish 会自动放对）",
        "received in {year} but listed in {file_year}.yaml", "move it to {year}.yaml (portal inbox publish does this)"),
    "request.reply-missing": (
        "状态为“{status}”，但没有答复内容", "用 portal inbox reply 补充答复后重新发布",
        "status “{status}” but no reply", "add the reply with portal inbox reply, then publish again"),
    # text
    "text.default-language-missing": (
        "多语言文字缺少默认语言（{lang}）的版本", "添加 {lang}: …",
        "multilingual text lacks the default language ({lang})", "add {lang}: …"),
}

#: Governance gaps: published as warnings, so the site shows them instead of the
#: committee hiding them to get a build; ``--strict`` makes them errors.
GOVERNANCE: frozenset[str] = frozenset({
    *(code for code in CATALOG if code.split(".")[0] in ("procedure", "approval", "contract", "matter", "consultation")),
    "budget.decision-required", "budget.decision-not-adopted", "date.action-overdue",
})

DIRECTION = {"income": ("收入", "income"), "expenditure": ("支出", "expenditure")}


def unknown_ref(file: str, line: int | None, col: int | None, what: tuple[str, str], ident: str,
                known: object) -> Problem:
    """``ref.unknown`` with a hint that lists the ids that do exist (or says to add one);
    ``what`` names the target in zh and en (``Index.what``)."""
    zh, en = what
    sample = ", ".join(sorted(map(str, known))[:12])  # type: ignore[call-overload]
    if sample:
        hint, hint_en = f"已有的{zh}：{sample}", f"known {en} ids: {sample}"
    else:
        hint, hint_en = f"先添加这个{zh}", f"add the {en} first"
    return Problem("ref.unknown", file, line, col, {"what": zh, "what_en": en, "id": ident,
                                                    "hint_known": hint, "hint_known_en": hint_en})


class _Default(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return ""


def render(problem: Problem, lang: str = "zh") -> tuple[str, str]:
    """Message and hint for a problem in ``zh`` or ``en``."""
    zh_msg, zh_hint, en_msg, en_hint = CATALOG.get(
        problem.code, ("{code}", "", "{code}", "")
    )
    params: dict[str, Any] = _Default(problem.params)
    params.setdefault("code", problem.code)
    msg, hint = (en_msg, en_hint) if lang == "en" else (zh_msg, zh_hint)
    return msg.format_map(params), hint.format_map(params)
