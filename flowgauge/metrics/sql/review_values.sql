-- Per review submitted on someone else's PR by a person (bots never count): the reviewer's load.
-- Window: reviews submitted in [$start, $end), from fg_review_facts (review_facts.sql); team = the reviewer's team
-- at submission; repos, services and code origins ($origins) filter the PR's.
WITH chosen AS (
    SELECT list(team_id) AS team_ids FROM teams
    WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
)
SELECT r.submitted_at AS event_at, r.repo_id, r.service_id, r.reviewer_id AS actor_id, r.team_ids,
    NULL::VARCHAR AS subject, NULL::VARCHAR AS point_kind, {num: 1} AS review_load
FROM fg_review_facts r, chosen
WHERE r.submitted_at >= $start AND r.submitted_at < $end
    AND (len($repos::VARCHAR[]) = 0 OR list_contains($repos::VARCHAR[], r.repo_id))
    AND (len($services::VARCHAR[]) = 0 OR list_contains($services::VARCHAR[], r.service_id))
    AND (len($origins::VARCHAR[]) = 0 OR list_contains($origins::VARCHAR[], r.code_origin))
    -- A lambda over the short team list: several times faster in DuckDB than list_has_any.
    AND (len($teams::VARCHAR[]) = 0 OR list_bool_or(list_transform(r.team_ids, lambda t: list_contains(chosen.team_ids, t))))
