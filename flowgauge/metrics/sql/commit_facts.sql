-- One row per commit with line-age data: the lines it changed that were younger than 21 days (rework), older
-- (refactor) and in total, its author's teams at authoring time, bot status and whether the author is a coding agent
-- (facts.py builds it).
-- The commits a selection can use: authored in [$start, $end) in the selected repos and teams; code_values.sql
-- narrows them to the selection. The app keeps this for the whole snapshot (see pr_facts.sql).
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
members AS (
    SELECT * FROM team_memberships
    WHERE len($teams::VARCHAR[]) = 0 OR team_id IN (SELECT team_id FROM selected_teams)
),
in_scope AS (
    SELECT repo_id, sha, author_id, authored_at
    FROM commits
    WHERE authored_at >= $start AND authored_at < $end
        AND (len($repos::VARCHAR[]) = 0 OR list_contains($repos::VARCHAR[], repo_id))
),
-- Team first, so the join with the large line-age table only probes the selected team's commits.
author_teams AS (
    SELECT c.repo_id, c.sha, list(DISTINCT m.team_id ORDER BY m.team_id) AS team_ids
    FROM in_scope c
    JOIN members m
        ON m.person_id = c.author_id AND m.valid_from <= c.authored_at
        AND (m.valid_to IS NULL OR c.authored_at < m.valid_to)
    -- Team lists only when a team filter or breakdown needs them (kept facts always have them).
    WHERE len($teams::VARCHAR[]) > 0 OR $by = 'team'
    GROUP BY c.repo_id, c.sha
),
-- Coding agents: bot accounts that opened a PR its loader found agentic (pr_facts.sql's 'agent' authors). Their
-- commits are the agent's work, measured like a person's; other bots' (Dependabot, Renovate) stay bot-authored. A
-- person whose PR is agentic (Codex and Cursor open PRs from the person's account) stays a person.
agents AS (
    SELECT DISTINCT p.author_id FROM pull_requests p JOIN pr_code_origins o USING (pr_id) WHERE o.origin = 'agentic'
),
facts AS (
SELECT
    -- sha: code_values.sql links commits to PRs through pr_commits for the code-origin filter.
    c.repo_id, c.sha, c.author_id, c.authored_at, a.lines_recent, a.lines_old,
    a.lines_new + a.lines_recent + a.lines_old AS lines_total,
    coalesce(t.team_ids, []) AS team_ids,
    coalesce(
        c.author_id IN (SELECT person_id FROM fg_bots)
        OR ends_with(lower(c.author_id), '[bot]')
        OR list_contains($bot_logins::VARCHAR[], lower(c.author_id))
            OR ($bot_login_regex <> '' AND regexp_matches(c.author_id, $bot_login_regex)),
        false
    ) AS author_is_bot
FROM in_scope c
LEFT JOIN author_teams t USING (repo_id, sha)
JOIN commit_line_ages a USING (repo_id, sha)
WHERE len($teams::VARCHAR[]) = 0 OR t.sha IS NOT NULL
)
SELECT *, author_is_bot AND coalesce(author_id IN (SELECT author_id FROM agents), false) AS author_is_agent
FROM facts
