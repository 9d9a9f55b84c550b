-- Per-commit rework (lines replacing lines younger than recent_days, 21 by default) and refactor (older) line counts.
-- Window: commits authored in [$start, $end), from commit_line_ages written by the git loader; team = author's team then.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
members AS (
    SELECT * FROM team_memberships
    WHERE len($teams::VARCHAR[]) = 0 OR team_id IN (SELECT team_id FROM selected_teams)
),
in_window AS (
    SELECT repo_id, sha, author_id, authored_at
    FROM commits
    WHERE authored_at >= $start AND authored_at < $end
        AND (len($repos::VARCHAR[]) = 0 OR list_contains($repos::VARCHAR[], repo_id))
),
-- Team first, so the join with the large line-age table only probes the selected team's commits.
author_teams AS (
    SELECT c.repo_id, c.sha, list(DISTINCT m.team_id ORDER BY m.team_id) AS team_ids
    FROM in_window c
    JOIN members m
        ON m.person_id = c.author_id AND m.valid_from <= c.authored_at
        AND (m.valid_to IS NULL OR c.authored_at < m.valid_to)
    WHERE len($teams::VARCHAR[]) > 0 OR $by = 'team'  -- team lists only when a team filter or breakdown needs them
    GROUP BY c.repo_id, c.sha
),
scoped AS (
    SELECT
        c.*,
        t.team_ids,
        a.lines_recent,
        a.lines_old,
        a.lines_new + a.lines_recent + a.lines_old AS lines_total,
        CASE
            WHEN coalesce(
                c.author_id IN (SELECT person_id FROM fg_bots)
                OR ends_with(lower(c.author_id), '[bot]')
                OR list_contains($bot_logins::VARCHAR[], lower(c.author_id)),
                false
            ) AND NOT $include_bots THEN 'bot-authored commits excluded'
            WHEN a.lines_new + a.lines_recent + a.lines_old = 0 THEN 'commits with no changed lines'
        END AS reason
    FROM in_window c
    LEFT JOIN author_teams t USING (repo_id, sha)
    JOIN commit_line_ages a USING (repo_id, sha)
    WHERE len($teams::VARCHAR[]) = 0 OR t.sha IS NOT NULL
)
SELECT 'rework_rate' AS metric_id, authored_at AS event_at, repo_id, NULL::VARCHAR AS service_id,
    author_id AS actor_id, team_ids, NULL::VARCHAR AS subject, NULL::DOUBLE AS value,
    lines_recent::DOUBLE AS num, lines_total::DOUBLE AS den, reason, NULL::VARCHAR AS flag, NULL::VARCHAR AS link_rule
FROM scoped
UNION ALL
SELECT 'refactor_rate', authored_at, repo_id, NULL, author_id, team_ids, NULL, NULL,
    lines_old, lines_total, reason, NULL, NULL
FROM scoped
