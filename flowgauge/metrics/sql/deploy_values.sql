-- Per-deployment and per-incident items of the DORA metrics, read from fg_deploy_outcomes and fg_incidents.
-- Window: deployments started and incidents opened in [$start, $end); a deployment counts as failed at most once.
-- An inferred deployment (is_approximate: e.g. a merge to the default branch standing in for one) flags every item
-- it is, word for word as metrics/engine.py's APPROXIMATE_DEPLOYMENTS, which the cards and the cluster look for.
-- A deployment whose state is unknown (it never reported a status) is left out of each of them, with that reason.
WITH deploys AS (
    SELECT
        *,
        CASE WHEN is_approximate THEN 'approximate: deployments inferred from merges' END AS approximate_flag,
        CASE WHEN status = 'unknown' THEN 'state unknown: the deployment never reported a status' END AS unknown_state
    FROM fg_deploy_outcomes  -- failed: see stage_deploy_outcomes.sql
)
SELECT
    started_at AS event_at, repo_id, service_id, NULL::VARCHAR AS actor_id, team_ids, NULL::VARCHAR AS subject,
    NULL::VARCHAR AS point_kind,
    {num: 1, reason: unknown_state, flag: approximate_flag} AS deploy_frequency,
    -- Under the incidents rule deployments are only the denominator; the incidents below are the numerator.
    {num: CASE WHEN $cfr_mode = 'incidents' THEN 0 ELSE failed::INTEGER END, den: 1, link_rule: NULL::VARCHAR,
        reason: unknown_state, flag: approximate_flag} AS change_failure_rate,
    CASE WHEN failed AND unknown_state IS NULL THEN {value: (epoch(next_success_done_at) - epoch(started_at)) / 3600.0,
        reason: CASE WHEN next_success_done_at IS NULL THEN 'not recovered yet: no later successful deployment' END,
        flag: approximate_flag}
    END AS failed_deployment_recovery_time,
    {num: (deploy_kind IN ('hotfix', 'rollback'))::INTEGER, den: 1, reason: unknown_state, flag: approximate_flag}
        AS deployment_rework_rate
FROM deploys
UNION ALL BY NAME
SELECT
    opened_at AS event_at, repo_id, service_id, NULL::VARCHAR AS actor_id, team_ids, NULL::VARCHAR AS subject,
    NULL::VARCHAR AS point_kind,
    CASE WHEN $cfr_mode = 'incidents' THEN {num: 1, den: 0, link_rule: link_rule, reason: NULL::VARCHAR} END
        AS change_failure_rate,
    {value: (epoch(resolved_at) - epoch(opened_at)) / 3600.0, link_rule: link_rule,
        reason: CASE WHEN resolved_at IS NULL THEN 'still open: no resolution time' END} AS mttr
FROM fg_incidents
WHERE in_window
