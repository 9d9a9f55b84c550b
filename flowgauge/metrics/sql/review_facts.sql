-- One row per review by a person (bots never count) with the reviewer's teams at submission and the PR's
-- repository, service and author (facts.py builds it).
-- The reviews a selection can use: submitted in [$start, $end) by the selected teams; review_values.sql narrows
-- them to the selection. The app keeps this for the whole snapshot (see pr_facts.sql).
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
members AS (
    SELECT * FROM team_memberships
    WHERE len($teams::VARCHAR[]) = 0 OR team_id IN (SELECT team_id FROM selected_teams)
),
in_scope AS (
    SELECT r.pr_id, r.review_id, r.reviewer_id, r.submitted_at
    FROM pr_reviews r
    WHERE r.submitted_at >= $start AND r.submitted_at < $end
        AND r.reviewer_id IS NOT NULL
        AND NOT (
            r.reviewer_id IN (SELECT person_id FROM fg_bots)
            OR ends_with(lower(r.reviewer_id), '[bot]')
            OR list_contains($bot_logins::VARCHAR[], lower(r.reviewer_id))
            OR ($bot_login_regex <> '' AND regexp_matches(r.reviewer_id, $bot_login_regex))
        )
),
-- Team first, so only the selected team's reviews are joined with pull_requests.
reviewer_teams AS (
    SELECT r.pr_id, r.review_id, list(DISTINCT m.team_id ORDER BY m.team_id) AS team_ids
    FROM in_scope r
    JOIN members m
        ON m.person_id = r.reviewer_id AND m.valid_from <= r.submitted_at
        AND (m.valid_to IS NULL OR r.submitted_at < m.valid_to)
    -- Team lists only when a team filter or breakdown needs them (kept facts always have them).
    WHERE len($teams::VARCHAR[]) > 0 OR $by = 'team'
    GROUP BY r.pr_id, r.review_id
),
scoped AS (
    SELECT r.*, coalesce(t.team_ids, []) AS team_ids
    FROM in_scope r
    LEFT JOIN reviewer_teams t USING (pr_id, review_id)
    WHERE len($teams::VARCHAR[]) = 0 OR t.review_id IS NOT NULL
)
-- code_origin: its PR's (unknown without a row), which review_values.sql narrows to the origins chosen.
SELECT r.reviewer_id, r.submitted_at, r.team_ids, p.repo_id, p.service_id, coalesce(o.origin, 'unknown') AS code_origin
FROM scoped r
JOIN pull_requests p USING (pr_id)
LEFT JOIN pr_code_origins o USING (pr_id)
-- Reviews of one's own PR are not review load.
WHERE r.reviewer_id IS DISTINCT FROM p.author_id
