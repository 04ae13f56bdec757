"""A rule's dates: versions in order, in force after their adoption, a repealed
rule's date, a rule in force with a version in force."""

from __future__ import annotations

from collections.abc import Iterator

from generator.index import Index
from generator.kinds.common import Today
from generator.load import Project
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    today = Today.get()
    for doc in project.valid("rule"):
        r = doc.model
        previous = None
        for i, v in enumerate(r.versions):
            if v.effective is None:
                # only a draft still waiting for adoption may leave it blank: the latest version,
                # or a draft put out for comment (kept in the history before the adopted text)
                if (i != len(r.versions) - 1 and not v.draft) or v.adopted_by is not None:
                    yield doc.problem("rule.effective-missing", "versions", i, "version", version=v.version)
                continue
            if previous is not None and v.effective < previous:
                yield doc.problem("date.versions-order", "versions", i, "effective",
                                  version=v.version, date=v.effective, previous=previous)
            previous = v.effective
            meeting = index.table("meeting").get(v.adopted_by.meeting) if v.adopted_by else None
            if meeting is not None and v.effective < meeting.model.date:
                yield doc.problem("date.effective-before-adoption", "versions", i, "effective",
                                  version=v.version, effective=v.effective, meeting_date=meeting.model.date)
        if r.status == "repealed" and r.repealed is None:
            yield doc.problem("rule.repealed-date", "status")
        if r.status == "in-force" and all(v.effective is None or v.effective > today for v in r.versions):
            yield doc.problem("rule.not-yet-in-force", "status", severity="warning")
