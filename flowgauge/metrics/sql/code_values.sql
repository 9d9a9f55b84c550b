-- Per-commit items of rework (lines replacing lines younger than recent_days, 21 by default) and refactor (older) line counts.
-- Window: commits authored in [$start, $end), from fg_commit_facts (commit_facts.sql); team = author's team then.
-- A coding agent's commits (author_is_agent) are its work, measured like a person's; other bots' are left out.
-- Code origin ($origins, as PR metrics): a commit belongs to an origin when a PR of that origin holds it (pr_commits),
-- and a coding agent's commit is agentic wherever it is; any other commit in no PR has no origin and is left out,
-- with that reason, whenever an origin is chosen.
WITH chosen AS (
    SELECT list(team_id) AS team_ids FROM teams
    WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
linked AS (
    SELECT pc.repo_id, pc.sha, list(DISTINCT coalesce(o.origin, 'unknown')) AS origins
    FROM pr_commits pc
    LEFT JOIN pr_code_origins o USING (pr_id)
    WHERE len($origins::VARCHAR[]) > 0
    GROUP BY pc.repo_id, pc.sha
),
scoped AS (
    SELECT
        c.*,
        CASE
            WHEN c.author_is_bot AND NOT c.author_is_agent AND NOT $include_bots THEN 'bot-authored commits excluded'
            -- As PRs: no login (an app's commit, a deleted account) is an unknown author, left out with the bots.
            WHEN (c.author_id IS NULL OR lower(c.author_id) = 'ghost') AND NOT $include_bots
                THEN 'commits with no known author excluded with the bots'
            WHEN len($origins::VARCHAR[]) > 0 AND l.sha IS NULL AND NOT c.author_is_agent
                THEN 'commits in no PR excluded: the origin filter needs a PR to give them a code origin'
            WHEN c.lines_total = 0 THEN 'commits with no changed lines'
        END AS reason
    FROM fg_commit_facts c
    CROSS JOIN chosen
    LEFT JOIN linked l ON l.repo_id = c.repo_id AND l.sha = c.sha
    WHERE c.authored_at >= $start AND c.authored_at < $end
        AND (
            len($origins::VARCHAR[]) = 0
            OR (l.sha IS NULL AND NOT c.author_is_agent)
            OR list_has_any(l.origins, $origins::VARCHAR[])
            OR (c.author_is_agent AND list_contains($origins::VARCHAR[], 'agentic'))
        )
        AND (len($repos::VARCHAR[]) = 0 OR list_contains($repos::VARCHAR[], c.repo_id))
        -- A lambda over the short team list: several times faster in DuckDB than list_has_any.
        AND (len($teams::VARCHAR[]) = 0 OR list_bool_or(list_transform(c.team_ids, lambda t: list_contains(chosen.team_ids, t))))
)
SELECT authored_at AS event_at, repo_id, NULL::VARCHAR AS service_id, author_id AS actor_id, team_ids,
    NULL::VARCHAR AS subject, NULL::VARCHAR AS point_kind,
    {num: lines_recent, den: lines_total, reason: reason} AS rework_rate,
    {num: lines_old, den: lines_total, reason: reason} AS refactor_rate
FROM scoped
