-- Production deployments started in [$start, $end) as the metrics engine staged them (fg_deploys), with the facts
-- that make one count as failed: its status, incidents linked to it, and an unplanned hotfix or rollback after it.
WITH linked AS (
    SELECT deployment_id, count(*) AS incidents FROM fg_incidents WHERE deployment_id IS NOT NULL GROUP BY ALL
)
SELECT
    d.deployment_id, d.repo_id, d.service_id, d.environment, d.status, d.deploy_kind, d.started_at, d.finished_at,
    coalesce(l.incidents, 0) AS incidents_linked,
    d.next_kind IN ('hotfix', 'rollback') AND epoch(d.next_started_at) - epoch(d.started_at) <= $window_hours * 3600
        AS followed_by_fix,
    -- Failed as change failure rate counts it (metrics/sql/deploy_values.sql): status, incident or quick fix.
    d.status IN ('failure', 'error') OR coalesce(l.incidents, 0) > 0 OR coalesce(
        d.next_kind IN ('hotfix', 'rollback') AND epoch(d.next_started_at) - epoch(d.started_at) <= $window_hours * 3600,
        false
    ) AS failed,
    (epoch(d.next_success_done_at) - epoch(d.started_at)) / 3600.0 AS hours_to_next_success,
    src.url
FROM fg_deploys d
LEFT JOIN linked l USING (deployment_id)
JOIN deployments src USING (deployment_id)
WHERE d.in_window
ORDER BY d.started_at DESC, d.deployment_id
