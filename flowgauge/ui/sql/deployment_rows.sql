-- Production deployments started in [$start, $end) exactly as the metrics engine marked them (fg_deploy_outcomes:
-- status, linked incidents, a quick hotfix or rollback after it, and whether that made it failed), with their link.
SELECT
    d.deployment_id, d.repo_id, d.service_id, d.environment, d.status, d.deploy_kind, d.started_at, d.finished_at,
    d.is_approximate, d.incidents_linked, d.followed_by_fix, d.failed,
    (epoch(d.next_success_done_at) - epoch(d.started_at)) / 3600.0 AS hours_to_next_success,
    src.url
FROM fg_deploy_outcomes d
JOIN deployments src USING (deployment_id)
ORDER BY d.started_at DESC, d.deployment_id
