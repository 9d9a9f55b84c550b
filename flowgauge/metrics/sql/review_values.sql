-- Per review submitted on someone else's PR by a person (bots never count): the reviewer's load.
-- Window: reviews submitted in [$start, $end); team = the reviewer's team at submission; repos filter the PR's repo.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
members AS (
    SELECT * FROM team_memberships
    WHERE len($teams::VARCHAR[]) = 0 OR team_id IN (SELECT team_id FROM selected_teams)
),
in_window AS (
    SELECT r.pr_id, r.review_id, r.reviewer_id, r.submitted_at
    FROM pr_reviews r
    WHERE r.submitted_at >= $start AND r.submitted_at < $end
        AND r.reviewer_id IS NOT NULL
        AND NOT (
            r.reviewer_id IN (SELECT person_id FROM fg_bots)
            OR ends_with(lower(r.reviewer_id), '[bot]')
            OR list_contains($bot_logins::VARCHAR[], lower(r.reviewer_id))
        )
),
-- Team first, so only the selected team's reviews are joined with pull_requests.
reviewer_teams AS (
    SELECT r.pr_id, r.review_id, list(DISTINCT m.team_id ORDER BY m.team_id) AS team_ids
    FROM in_window r
    JOIN members m
        ON m.person_id = r.reviewer_id AND m.valid_from <= r.submitted_at
        AND (m.valid_to IS NULL OR r.submitted_at < m.valid_to)
    WHERE len($teams::VARCHAR[]) > 0 OR $by = 'team'  -- team lists only when a team filter or breakdown needs them
    GROUP BY r.pr_id, r.review_id
),
scoped AS (
    SELECT r.*, t.team_ids
    FROM in_window r
    LEFT JOIN reviewer_teams t USING (pr_id, review_id)
    WHERE len($teams::VARCHAR[]) = 0 OR t.review_id IS NOT NULL
)
SELECT 'review_load' AS metric_id, r.submitted_at AS event_at, p.repo_id, p.service_id, r.reviewer_id AS actor_id,
    r.team_ids, NULL::VARCHAR AS subject, NULL::DOUBLE AS value, 1.0::DOUBLE AS num, NULL::DOUBLE AS den,
    NULL::VARCHAR AS reason, NULL::VARCHAR AS flag, NULL::VARCHAR AS link_rule
FROM scoped r
JOIN pull_requests p USING (pr_id)
WHERE r.reviewer_id IS DISTINCT FROM p.author_id
    AND (len($repos::VARCHAR[]) = 0 OR list_contains($repos::VARCHAR[], p.repo_id))
    AND (len($services::VARCHAR[]) = 0 OR list_contains($services::VARCHAR[], p.service_id))
