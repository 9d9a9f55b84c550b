-- Per-deployment and per-incident values of the DORA metrics, read from fg_deploy_outcomes and fg_incidents.
-- Window: deployments started and incidents opened in [$start, $end); a deployment counts as failed at most once.
WITH deploys AS (SELECT * FROM fg_deploy_outcomes),  -- failed: see stage_deploy_outcomes.sql
incidents AS (SELECT * FROM fg_incidents WHERE in_window),
rows AS (
    SELECT 'deploy_frequency' AS metric_id, *, 1.0 AS num FROM deploys
    UNION ALL BY NAME
    SELECT 'change_failure_rate' AS metric_id, *,
        CASE WHEN $cfr_mode = 'incidents' THEN 0 ELSE failed::INTEGER END AS num, 1.0 AS den
    FROM deploys
    UNION ALL BY NAME
    SELECT 'change_failure_rate' AS metric_id, *, opened_at AS started_at, 1.0 AS num, 0.0 AS den
    FROM incidents
    WHERE $cfr_mode = 'incidents'
    UNION ALL BY NAME
    SELECT 'failed_deployment_recovery_time' AS metric_id, *,
        (epoch(next_success_done_at) - epoch(started_at)) / 3600.0 AS value,
        CASE WHEN next_success_done_at IS NULL THEN 'not recovered yet: no later successful deployment' END AS reason
    FROM deploys
    WHERE failed
    UNION ALL BY NAME
    SELECT 'deployment_rework_rate' AS metric_id, *,
        (deploy_kind IN ('hotfix', 'rollback'))::INTEGER AS num, 1.0 AS den
    FROM deploys
    UNION ALL BY NAME
    SELECT 'mttr' AS metric_id, *, opened_at AS started_at,
        (epoch(resolved_at) - epoch(opened_at)) / 3600.0 AS value,
        CASE WHEN resolved_at IS NULL THEN 'still open: no resolution time' END AS reason
    FROM incidents
)
SELECT
    metric_id, started_at AS event_at, repo_id, service_id, NULL::VARCHAR AS actor_id, team_ids,
    NULL::VARCHAR AS subject, CASE WHEN reason IS NULL THEN value END::DOUBLE AS value,
    num::DOUBLE AS num, den::DOUBLE AS den, reason::VARCHAR AS reason, NULL::VARCHAR AS flag,
    CASE WHEN metric_id IN ('mttr', 'change_failure_rate') THEN link_rule END::VARCHAR AS link_rule
FROM rows
