-- Flowgauge canonical snapshot schema, version 5.
--
-- One DuckDB file holds one organisation's delivery history. Loaders write it (only through
-- flowgauge.loaders.store); metrics and the app read it read-only.
--
-- Conventions
--   * Every timestamp column is a naive TIMESTAMP holding UTC (`*_at`); loaders convert on the
--     way in, so no reader ever applies a time zone. Dates (`*_on`) are UTC calendar days.
--   * Units are in the names: `lines_*` are lines of code, `*_hours` hours, `story_points` points.
--   * Ids are strings made from the source's natural key (`repo_id` = 'acme/payments',
--     `pr_id` = 'acme/payments#123'), so re-loading the same item replaces it instead of
--     duplicating it.
--   * This file is idempotent: every statement is CREATE ... IF NOT EXISTS.

-- One row per snapshot: what wrote it and which schema it follows.
CREATE TABLE IF NOT EXISTS snapshot_meta (
    schema_version INTEGER NOT NULL,     -- version of this file the snapshot follows; readers refuse newer ones
    tool_version VARCHAR NOT NULL,       -- flowgauge version that last wrote the snapshot
    created_at TIMESTAMP NOT NULL,       -- UTC time the snapshot file was first created
    updated_at TIMESTAMP NOT NULL        -- UTC time of the last completed write
);

-- Every load that contributed to the snapshot (a GitHub org, a git clone, an imported file).
CREATE TABLE IF NOT EXISTS sources (
    source_id VARCHAR PRIMARY KEY,       -- stable key, e.g. 'github:acme', 'git:/src/payments', 'import:jira.csv'
    kind VARCHAR NOT NULL,               -- loader that wrote it: demo|github|gitlab|git|import
    location VARCHAR NOT NULL,           -- what was read: org, API URL, clone path or file name (never a token)
    loaded_at TIMESTAMP NOT NULL,        -- UTC time the load finished
    rows_written BIGINT NOT NULL,        -- rows the load inserted or replaced, all tables together
    detail VARCHAR                       -- JSON text with loader-specific notes (options, warnings)
);

-- Incremental sync position per source, repository and stream, written after every page.
CREATE TABLE IF NOT EXISTS sync_state (
    source_id VARCHAR NOT NULL,          -- sources.source_id
    repo_id VARCHAR NOT NULL,            -- repository the stream belongs to ('' for org-wide streams)
    stream VARCHAR NOT NULL,             -- pull_requests|deployments|workflow_runs|issues|teams|...
    cursor VARCHAR,                      -- opaque resume point: GraphQL end cursor, last updated_at, last sha
    etag VARCHAR,                        -- last ETag seen, for If-None-Match on the next run
    complete BOOLEAN NOT NULL,           -- false while a run is part-way through the stream
    synced_at TIMESTAMP NOT NULL,        -- UTC time the cursor was stored
    PRIMARY KEY (source_id, repo_id, stream)
);

-- Each run of one source configured in flowgauge.toml by `flowgauge sync`, failed or not, so a failing source and
-- the age of each source's last good data show on every page.
CREATE TABLE IF NOT EXISTS sync_runs (
    source_name VARCHAR NOT NULL,        -- the source's name in flowgauge.toml ('github:acme', or its own name = "...")
    source_kind VARCHAR NOT NULL,        -- github|gitlab|git|files
    started_at TIMESTAMP NOT NULL,       -- UTC time the source's load started
    finished_at TIMESTAMP NOT NULL,      -- UTC time its load finished or failed
    succeeded BOOLEAN NOT NULL,          -- true when its data was written; false leaves its last good data as it was
    rows_written BIGINT NOT NULL,        -- rows the load inserted or replaced, all tables together (0 when it failed)
    error VARCHAR,                       -- the one-line error when it failed (never a token), else NULL
    freshness_hours DOUBLE NOT NULL,     -- hours after its last success that the source counts as stale (its config)
    PRIMARY KEY (source_name, started_at)
);

-- People: one row per human or bot, whatever number of logins and e-mails they use.
CREATE TABLE IF NOT EXISTS people (
    person_id VARCHAR PRIMARY KEY,       -- stable id, usually the primary login in lower case
    display_name VARCHAR,                -- name shown in the app
    primary_email VARCHAR,               -- main e-mail address, lower case
    is_bot BOOLEAN NOT NULL,             -- true for automation accounts (dependabot, renovate, CI users)
    bot_reason VARCHAR                   -- why is_bot is true: 'github type Bot', '[bot] suffix', 'configured list'
);

-- Every login, e-mail or account id that names a person, so aliases resolve to one person_id.
CREATE TABLE IF NOT EXISTS person_aliases (
    source VARCHAR NOT NULL,             -- system the alias belongs to: github|gitlab|git|jira|pagerduty|*
    alias_kind VARCHAR NOT NULL,         -- login|email|name|account_id
    alias VARCHAR NOT NULL,              -- the alias, lower case
    person_id VARCHAR NOT NULL,          -- people.person_id it resolves to
    PRIMARY KEY (source, alias_kind, alias)
);

-- Teams as the organisation names them.
CREATE TABLE IF NOT EXISTS teams (
    team_id VARCHAR PRIMARY KEY,         -- stable id, e.g. the GitHub team slug
    name VARCHAR NOT NULL,               -- display name
    parent_team_id VARCHAR               -- teams.team_id of the parent team, NULL at the top
);

-- Who was in which team when. People move teams; metrics attribute each event to the team the
-- person belonged to at the event's time.
CREATE TABLE IF NOT EXISTS team_memberships (
    person_id VARCHAR NOT NULL,          -- people.person_id
    team_id VARCHAR NOT NULL,            -- teams.team_id
    valid_from TIMESTAMP NOT NULL,       -- UTC start of membership, inclusive
    valid_to TIMESTAMP,                  -- UTC end of membership, exclusive; NULL while still a member
    PRIMARY KEY (person_id, team_id, valid_from)
);

-- Repositories (GitHub repositories, GitLab projects, local clones).
CREATE TABLE IF NOT EXISTS repositories (
    repo_id VARCHAR PRIMARY KEY,         -- 'owner/name' (GitLab: full project path)
    name VARCHAR NOT NULL,               -- short name shown in the app
    source VARCHAR NOT NULL,             -- github|gitlab|git|import|demo
    url VARCHAR,                         -- web URL, NULL for local clones
    default_branch VARCHAR,              -- branch production is built from, e.g. 'main'
    owner_team_id VARCHAR,               -- teams.team_id that owns the repository, if known
    is_archived BOOLEAN NOT NULL,        -- archived repositories are kept for history
    created_at TIMESTAMP                 -- UTC creation time, if known
);

-- Deployable services. A monorepo has several, each owning a path; any other repository has one
-- service named after it, or none (metrics then scope by repository).
CREATE TABLE IF NOT EXISTS services (
    service_id VARCHAR PRIMARY KEY,      -- 'owner/repo:service'
    repo_id VARCHAR NOT NULL,            -- repositories.repo_id it lives in
    name VARCHAR NOT NULL,               -- service name as incidents and deployments call it
    path_prefix VARCHAR,                 -- files under this path belong to the service; NULL = whole repo
    owner_team_id VARCHAR                -- teams.team_id that owns the service, if known
);

-- Pull requests (GitHub) and merge requests (GitLab).
CREATE TABLE IF NOT EXISTS pull_requests (
    pr_id VARCHAR PRIMARY KEY,           -- 'owner/repo#number'
    repo_id VARCHAR NOT NULL,            -- repositories.repo_id
    number INTEGER NOT NULL,             -- PR/MR number within the repository
    service_id VARCHAR,                  -- services.service_id the change belongs to (monorepos), else NULL
    title VARCHAR,                       -- title as written by the author (shown as text, never HTML)
    url VARCHAR,                         -- web URL of the PR
    author_id VARCHAR,                   -- people.person_id of the author; NULL for deleted accounts
    state VARCHAR NOT NULL,              -- open|merged|closed (closed = closed without merging)
    is_draft BOOLEAN NOT NULL,           -- currently a draft
    base_branch VARCHAR,                 -- branch merged into
    head_branch VARCHAR,                 -- branch merged from
    created_at TIMESTAMP NOT NULL,       -- UTC time the PR was opened (as a draft or not)
    ready_for_review_at TIMESTAMP,       -- UTC time it left draft; equals created_at if never a draft
    first_commit_at TIMESTAMP,           -- UTC authored time of its earliest commit
    first_review_at TIMESTAMP,           -- UTC time of the first review activity by someone else, as the source reported it
    first_approval_at TIMESTAMP,         -- UTC time of the first approval, as the source reported it
    merged_at TIMESTAMP,                 -- UTC merge time; NULL unless state = 'merged'
    closed_at TIMESTAMP,                 -- UTC close time (merged or not)
    updated_at TIMESTAMP,                -- UTC time of the last change the source saw
    lines_added INTEGER,                 -- lines added by the final diff
    lines_deleted INTEGER,               -- lines deleted by the final diff
    files_changed INTEGER,               -- files touched by the final diff
    lines_changed_after_open INTEGER,    -- lines of the final diff changed by commits pushed after the PR opened (PR maturity)
    merge_commit_sha VARCHAR,            -- sha of the merge, squash or last rebased commit on the base branch
    merge_method VARCHAR,                -- merge|squash|rebase|unknown
    labels VARCHAR[],                    -- label names
    issue_keys VARCHAR[]                 -- work item keys linked from title, branch or body, e.g. ['PAY-12']
);

-- Where each PR's code came from, as its loader could tell, with the one piece of evidence that decided it. A PR with
-- no row here (a snapshot from before schema 5, a source that gives no commits or descriptions) is 'unknown'.
CREATE TABLE IF NOT EXISTS pr_code_origins (
    pr_id VARCHAR PRIMARY KEY,           -- pull_requests.pr_id
    origin VARCHAR NOT NULL,             -- agentic (opened by a coding agent)|ai_assisted (a person's PR with an AI tool's trail)|unassisted (commits or description seen, no trail)|unknown (neither seen)
    evidence_kind VARCHAR,               -- where the evidence was found: author login|author commit|description line|commit message line|commit author|label|import; NULL without evidence
    evidence VARCHAR                     -- the matched login, label, commit author or single line only (at most 200 characters), never a whole message
);

-- Review activity on pull requests: one row per review, approval or comment thread entry.
CREATE TABLE IF NOT EXISTS pr_reviews (
    pr_id VARCHAR NOT NULL,              -- pull_requests.pr_id
    review_id VARCHAR NOT NULL,          -- source id of the review or note
    reviewer_id VARCHAR,                 -- people.person_id; NULL for deleted accounts
    state VARCHAR NOT NULL,              -- commented|approved|changes_requested|dismissed
    submitted_at TIMESTAMP NOT NULL,     -- UTC time the review was submitted
    comment_count INTEGER NOT NULL,      -- inline and body comments in this review
    PRIMARY KEY (pr_id, review_id)
);

-- Commits seen on any branch that matters (default branch and PR branches).
CREATE TABLE IF NOT EXISTS commits (
    repo_id VARCHAR NOT NULL,            -- repositories.repo_id
    sha VARCHAR NOT NULL,                -- full commit sha
    author_id VARCHAR,                   -- people.person_id of the author
    authored_at TIMESTAMP NOT NULL,      -- UTC author time
    committed_at TIMESTAMP NOT NULL,     -- UTC committer time (changes on rebase)
    lines_added INTEGER,                 -- lines added (numstat)
    lines_deleted INTEGER,               -- lines deleted (numstat)
    files_changed INTEGER,               -- files touched
    parent_shas VARCHAR[] NOT NULL,      -- parent shas; two or more for merge commits
    subject VARCHAR,                     -- first line of the message
    PRIMARY KEY (repo_id, sha)
);

-- Which commits a pull request carried (before any squash or rebase).
CREATE TABLE IF NOT EXISTS pr_commits (
    pr_id VARCHAR NOT NULL,              -- pull_requests.pr_id
    repo_id VARCHAR NOT NULL,            -- repositories.repo_id of the commit
    sha VARCHAR NOT NULL,                -- commits.sha
    PRIMARY KEY (pr_id, sha)
);

-- Line age per commit, for the code rework and refactor rates. Written by the git loader from
-- -U0 hunks: each changed line is classed by when the line it replaced was last changed.
CREATE TABLE IF NOT EXISTS commit_line_ages (
    repo_id VARCHAR NOT NULL,            -- repositories.repo_id
    sha VARCHAR NOT NULL,                -- commits.sha
    lines_new INTEGER NOT NULL,          -- added lines that replaced nothing
    lines_recent INTEGER NOT NULL,       -- changed lines whose previous version was younger than recent_days (rework)
    lines_old INTEGER NOT NULL,          -- changed lines whose previous version was recent_days or older (refactor)
    recent_days INTEGER NOT NULL,        -- the age threshold in days used (21 by default)
    PRIMARY KEY (repo_id, sha)
);

-- Deployments, however they were detected.
CREATE TABLE IF NOT EXISTS deployments (
    deployment_id VARCHAR PRIMARY KEY,   -- stable id from the source, e.g. 'acme/payments:deploy:9876'
    repo_id VARCHAR NOT NULL,            -- repositories.repo_id deployed
    service_id VARCHAR,                  -- services.service_id deployed (monorepos), else NULL
    environment VARCHAR NOT NULL,        -- environment name as the source gives it ('production', 'prod-eu')
    sha VARCHAR,                         -- commit sha deployed
    ref VARCHAR,                         -- tag, release or branch name deployed, if any
    status VARCHAR NOT NULL,             -- queued|in_progress|success|failure|error|cancelled, or unknown: the source never
                                         -- reported a status (or only 'inactive'); the same mapping as deployment_statuses
    deploy_kind VARCHAR NOT NULL,        -- regular|hotfix|rollback (hotfix and rollback are unplanned rework)
    started_at TIMESTAMP NOT NULL,       -- UTC time the deployment started
    finished_at TIMESTAMP,               -- UTC time it reached its final status
    detection_rule VARCHAR NOT NULL,     -- deployments_api|release|tag|workflow_run|merged_to_branch|import|demo
    is_approximate BOOLEAN NOT NULL,     -- true when the rule guesses (e.g. merges to a production branch)
    url VARCHAR                          -- web URL of the deployment, run or release
);

-- Status history of each deployment (GitHub deployment statuses, pipeline state changes).
CREATE TABLE IF NOT EXISTS deployment_statuses (
    deployment_id VARCHAR NOT NULL,      -- deployments.deployment_id
    status VARCHAR NOT NULL,             -- queued|in_progress|success|failure|error|cancelled, or inactive (GitHub: a later
                                         -- deployment replaced it); deployments.status is the first final one, else the latest
    status_at TIMESTAMP NOT NULL,        -- UTC time the status was set
    description VARCHAR,                 -- free text from the source
    PRIMARY KEY (deployment_id, status, status_at)
);

-- Pull requests a deployment shipped, and by which rule the link was made.
CREATE TABLE IF NOT EXISTS deployment_pull_requests (
    deployment_id VARCHAR NOT NULL,      -- deployments.deployment_id
    pr_id VARCHAR NOT NULL,              -- pull_requests.pr_id
    link_rule VARCHAR NOT NULL,          -- commit_ancestry|merged_since_previous|source (named by the source itself)
    PRIMARY KEY (deployment_id, pr_id)
);

-- Commits a deployment shipped (new since the previous deployment to the same environment).
CREATE TABLE IF NOT EXISTS deployment_commits (
    deployment_id VARCHAR NOT NULL,      -- deployments.deployment_id
    repo_id VARCHAR NOT NULL,            -- repositories.repo_id of the commit
    sha VARCHAR NOT NULL,                -- commits.sha
    PRIMARY KEY (deployment_id, sha)
);

-- Releases and tags as published (also a deployment source when a rule says so).
CREATE TABLE IF NOT EXISTS releases (
    repo_id VARCHAR NOT NULL,            -- repositories.repo_id
    tag_name VARCHAR NOT NULL,           -- tag the release points at
    name VARCHAR,                        -- release title
    sha VARCHAR,                         -- commit the tag points at
    published_at TIMESTAMP,              -- UTC publication time (tag time for bare tags)
    is_prerelease BOOLEAN NOT NULL,      -- marked as a pre-release
    is_bare_tag BOOLEAN NOT NULL,        -- a tag with no release object
    PRIMARY KEY (repo_id, tag_name)
);

-- CI workflow or pipeline runs (a deployment source when a rule says so).
CREATE TABLE IF NOT EXISTS workflow_runs (
    run_id VARCHAR PRIMARY KEY,          -- 'owner/repo:run:123'
    repo_id VARCHAR NOT NULL,            -- repositories.repo_id
    name VARCHAR NOT NULL,               -- workflow or pipeline name
    event VARCHAR,                       -- trigger: push|pull_request|schedule|workflow_dispatch|...
    head_branch VARCHAR,                 -- branch the run was for
    head_sha VARCHAR,                    -- commit the run built
    status VARCHAR,                      -- queued|in_progress|completed
    conclusion VARCHAR,                  -- success|failure|cancelled|skipped|timed_out, NULL while running
    started_at TIMESTAMP,                -- UTC start
    finished_at TIMESTAMP                -- UTC end
);

-- Production incidents (PagerDuty, Opsgenie, labelled issues, imports).
CREATE TABLE IF NOT EXISTS incidents (
    incident_id VARCHAR PRIMARY KEY,     -- stable id from the source, e.g. 'pagerduty:P12345'
    source VARCHAR NOT NULL,             -- pagerduty|opsgenie|github|gitlab|jira|import|demo
    title VARCHAR,                       -- summary as written (shown as text)
    repo_id VARCHAR,                     -- repositories.repo_id affected, if known
    service_id VARCHAR,                  -- services.service_id affected, if known
    severity VARCHAR,                    -- severity as the source names it, e.g. 'SEV1', 'P2'
    opened_at TIMESTAMP NOT NULL,        -- UTC time the incident was opened
    acknowledged_at TIMESTAMP,           -- UTC time someone acknowledged it
    resolved_at TIMESTAMP,               -- UTC time it was resolved; NULL while open
    deployment_id VARCHAR,               -- deployments.deployment_id the source says caused it; NULL = let the linking rule decide
    url VARCHAR                          -- web URL
);

-- Work items (Jira issues, GitHub/GitLab issues used for planning).
CREATE TABLE IF NOT EXISTS work_items (
    item_key VARCHAR PRIMARY KEY,        -- key as written in branches and commits, e.g. 'PAY-123'
    project_key VARCHAR,                 -- project the key belongs to, e.g. 'PAY'
    item_type VARCHAR,                   -- Story|Bug|Task|Sub-task|Epic|...
    summary VARCHAR,                     -- title (shown as text)
    status VARCHAR,                      -- status name as the source shows it (may be localised)
    status_category VARCHAR NOT NULL,    -- todo|in_progress|done: the language-independent category
    story_points DOUBLE,                 -- current estimate in story points, NULL if unestimated
    parent_key VARCHAR,                  -- work_items.item_key of the parent (epic or story), if any
    is_subtask BOOLEAN NOT NULL,         -- sub-tasks are left out of parent-link hygiene
    assignee_id VARCHAR,                 -- people.person_id of the assignee, if any
    team_id VARCHAR,                     -- teams.team_id owning the item, if the source says
    created_at TIMESTAMP NOT NULL,       -- UTC creation time
    started_at TIMESTAMP,                -- UTC time it first moved to in progress
    resolved_at TIMESTAMP,               -- UTC time it was resolved (done)
    updated_at TIMESTAMP,                -- UTC time of the last change
    labels VARCHAR[]                     -- label names, e.g. ['customer-reported']
);

-- Sprints (iterations) of a board.
CREATE TABLE IF NOT EXISTS sprints (
    sprint_id VARCHAR PRIMARY KEY,       -- stable id, e.g. 'jira:123'
    name VARCHAR NOT NULL,               -- sprint name
    team_id VARCHAR,                     -- teams.team_id running the sprint, if known
    state VARCHAR,                       -- future|active|closed
    starts_at TIMESTAMP,                 -- UTC planned start
    ends_at TIMESTAMP,                   -- UTC planned end
    completed_at TIMESTAMP               -- UTC time the sprint was closed
);

-- Which work items were in which sprint, and whether they were planned or added later.
CREATE TABLE IF NOT EXISTS sprint_items (
    sprint_id VARCHAR NOT NULL,          -- sprints.sprint_id
    item_key VARCHAR NOT NULL,           -- work_items.item_key
    added_at TIMESTAMP,                  -- UTC time the item joined the sprint, if known
    added_after_start BOOLEAN,           -- true for unplanned work added once the sprint had started; NULL when the source cannot tell (an export without a changelog)
    story_points_at_start DOUBLE,        -- estimate when the sprint started (planned points), NULL if unestimated
    completed_in_sprint BOOLEAN,         -- done by the sprint's end; NULL = derive from resolved_at
    PRIMARY KEY (sprint_id, item_key)
);

-- How each sprint's scope changed, item by item, as the source's history tells it (the Jira loader reads it from
-- changelogs). A sprint with rows here has exact planned and unplanned work; sprint_items alone is approximate.
CREATE TABLE IF NOT EXISTS sprint_scope_events (
    sprint_id VARCHAR NOT NULL,          -- sprints.sprint_id
    item_key VARCHAR NOT NULL,           -- work_items.item_key
    event VARCHAR NOT NULL,              -- committed (in the sprint at its start)|added (joined after the start)|removed (left before the end)|completed (in the sprint and done at its end)
    event_at TIMESTAMP NOT NULL,         -- UTC time: the sprint's start for committed, the change for added and removed, the move to done for completed
    story_points DOUBLE,                 -- the item's estimate at that time in story points, NULL if unestimated
    PRIMARY KEY (sprint_id, item_key, event, event_at)
);

-- Developer-experience survey answers, aggregated or per (anonymous) respondent.
CREATE TABLE IF NOT EXISTS survey_responses (
    survey_id VARCHAR NOT NULL,          -- survey round, e.g. '2025-Q3'
    responded_on DATE NOT NULL,          -- UTC date of the answer (or of the survey round)
    team_id VARCHAR,                     -- teams.team_id of the respondent
    question VARCHAR NOT NULL,           -- question or driver, e.g. 'Ease of release'
    score DOUBLE NOT NULL,               -- answer on the survey's scale
    scale_max DOUBLE NOT NULL,           -- top of the scale (5 for a 1-5 Likert scale)
    respondent VARCHAR NOT NULL          -- anonymous respondent token ('' when the row is a team average)
);
