"""Deployment events as JSON or CSV (repo, commit sha, environment, start/finish, status): webhook-tool shapes."""

from __future__ import annotations

import hashlib

from flowgauge.loaders.imports.date_order import decide_reading
from flowgauge.loaders.imports.dates import DateReader, naive_note, read_epoch_ms
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.prs_common import add_repository
from flowgauge.loaders.imports.reading import Upload, first_keys, normal, pick, tabular_records
from flowgauge.loaders.imports.validation import Problems

KIND = "deployments"
LABEL = "Deployment events (JSON or CSV)"
REPO = ("repo", "repository", "repo_id", "project", "repo_name")
SHA = ("sha", "commit", "commit_sha", "revision", "git_sha")
ENVIRONMENT = ("environment", "env", "environment_name")
STARTED = ("started_at", "start", "started", "start_time", "created_at", "deployed_at", "timestamp")
FINISHED = ("finished_at", "finish", "finished", "end_time", "completed_at", "ended_at")
STATUS = ("status", "state", "result", "outcome", "conclusion")
STATUSES = {
    "success": "success succeeded successful ok passed complete completed done deployed",
    "failure": "failure failed fail broken",
    "error": "error errored",
    "in_progress": "in_progress running pending started queued deploying in progress",
    "cancelled": "cancelled canceled aborted stopped skipped",
}
STATUS_OF = {word: status for status, words in STATUSES.items() for word in words.split()}
KINDS = {"regular": "regular", "hotfix": "hotfix", "rollback": "rollback", "revert": "rollback"}
# What every deployment obeys, (earlier, later): it finishes after it starts. Nothing groups a file's deployments
# within weeks of each other (one file may span years, a commit may be redeployed months later), so that is all.
DATE_ORDERINGS = (("started_at", "finished_at"),)


def detect(upload: Upload) -> bool:
    """Records naming a repository, an environment, a commit and a start time."""
    keys = {normal(k) for k in first_keys(upload, "data", "items", "deployments")} or upload.header

    def has(names: tuple[str, ...]) -> bool:
        return any(normal(n) in keys for n in names)

    return has(REPO) and has(ENVIRONMENT) and has(SHA) and has(STARTED)


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """Deployments (detection_rule 'import'); repositories are added when the snapshot lacks them."""
    problems = Problems(upload.name)
    records = tabular_records(upload)
    if not records:
        raise problems.reject(None, None, "has no deployment records")
    missing = [
        names[0] for names in (REPO, ENVIRONMENT, STARTED, STATUS) if all(pick(r, *names) is None for _, r in records)
    ]
    if missing:
        raise problems.reject(
            None,
            None,
            f"missing column(s) {', '.join(missing)}; deployment events need repo, environment, sha, "
            "started_at, finished_at, status (and optionally id, service, ref, url, kind)",
        )
    parsed = Parsed(notes=[] if upload.looks_like_json else upload.encoding_notes())
    parsed.main_tables, parsed.fill_only = frozenset({"deployments"}), frozenset({"repositories"})
    # Epoch numbers are unambiguous; only text dates have a layout, and only they decide day or month first.
    texts = [{"started_at": _text(pick(r, *STARTED)), "finished_at": _text(pick(r, *FINISHED))} for _, r in records]
    dates = DateReader((v for row in texts for v in row.values() if v), order=upload.date_order)
    decide_reading(upload.name, dates, texts, DATE_ORDERINGS)

    def when(value, number: int, names: tuple[str, ...]):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return read_epoch_ms(value * 1000 if value < 10**11 else value, problems, number, names[0])
        return dates.read(value, problems, number, names[0])

    for number, record in records:
        repo, environment = pick(record, *REPO), pick(record, *ENVIRONMENT)
        raw_status = str(pick(record, *STATUS) or "").strip().lower()
        started = when(pick(record, *STARTED), number, STARTED)
        for value, column in ((repo, "repo"), (environment, "environment"), (started, "started_at")):
            if value is None and not (column == "started_at" and pick(record, *STARTED) is not None):
                problems.add(number, column, "is empty, but every deployment needs one")
        if raw_status not in STATUS_OF:
            problems.add(
                number, "status", f"'{raw_status}' is not a deployment status (expected {', '.join(STATUSES)})"
            )
        kind = str(pick(record, "kind", "type", "deploy_kind") or "regular").strip().lower()
        if kind not in KINDS:
            problems.add(number, "kind", f"'{kind}' is not a deployment kind (expected regular, hotfix or rollback)")
        if problems or started is None:
            continue
        sha = pick(record, *SHA)
        given_id = pick(record, "id", "deployment_id", "deploy_id")
        # Without a source id, the id is derived from what identifies the event, so re-imports replace it.
        natural = f"{environment}|{sha}|{started.isoformat()}"
        suffix = given_id if given_id is not None else hashlib.sha1(natural.encode()).hexdigest()[:12]
        add_repository(parsed, str(repo), "import", None)
        service = pick(record, "service", "service_name")
        parsed.add(
            "deployments",
            {
                "deployment_id": f"{repo}:deploy:{suffix}",
                "repo_id": str(repo),
                "service_id": f"{repo}:{service}" if service else None,
                "environment": str(environment),
                "sha": sha,
                "ref": pick(record, "ref", "tag", "version", "release"),
                "status": STATUS_OF[raw_status],
                "deploy_kind": KINDS[kind],
                "started_at": started,
                "finished_at": when(pick(record, *FINISHED), number, FINISHED),
                "detection_rule": "import",
                "is_approximate": False,
                "url": pick(record, "url", "link", "html_url"),
            },
        )
    problems.raise_if_any()
    parsed.notes += dates.notes
    if dates.naive_values:
        parsed.notes += naive_note(dates.naive_values)
    return parsed


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
