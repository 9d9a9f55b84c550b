-- One row per PR in the selection with every delivery phase in hours, filtered from fg_pr_facts (pr_facts.sql).
-- Window: PRs merged or ready for review in [$start, $end), or open at some moment in it; team = author's team
-- at event_at.
WITH chosen AS (
    SELECT list(team_id) AS team_ids FROM teams
    WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
)
SELECT p.*
FROM fg_pr_facts p, chosen
WHERE (
        (p.merged_at >= $start AND p.merged_at < $end)
        OR (p.ready_at >= $start AND p.ready_at < $end)
        OR (p.created_at < $end AND coalesce(p.closed_at, p.merged_at, $end) >= $start)
    )
    AND (len($repos::VARCHAR[]) = 0 OR list_contains($repos::VARCHAR[], p.repo_id))
    AND (len($services::VARCHAR[]) = 0 OR list_contains($services::VARCHAR[], p.service_id))
    AND (len($origins::VARCHAR[]) = 0 OR list_contains($origins::VARCHAR[], p.code_origin))
    -- A lambda over the short team list: several times faster in DuckDB than list_has_any.
    AND (len($teams::VARCHAR[]) = 0 OR list_bool_or(list_transform(p.team_ids, lambda t: list_contains(chosen.team_ids, t))))
